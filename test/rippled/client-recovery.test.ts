import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { SubscribedInfo } from '../../src/rippled/client-options.js';
import { INTENTIONAL_CLOSE_CODE } from '../../src/rippled/request-connection.js';
import type { RippledClient } from '../../src/rippled/rippled-client.js';
import { ServerRefusedError } from '../../src/rippled/server-check.js';
import { generatedAddresses } from './addresses.js';
import { testClient } from './client-support.js';
import { LocalRippled } from './local-rippled.js';

let a: LocalRippled;
let b: LocalRippled;
const clients: RippledClient[] = [];

beforeEach(async () => {
  [a, b] = await Promise.all([LocalRippled.start(), LocalRippled.start()]);
  b.ledgerIndex = 2000;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all([a.close(), b.close()]);
});

function started(...args: Parameters<typeof testClient>): ReturnType<typeof testClient> {
  const t = testClient(...args);
  clients.push(t.client);
  t.client.start();
  return t;
}

const waitOptions = { timeout: 5_000, interval: 5 };

describe('reconnecting', () => {
  test('after a drop it reconnects and re-subscribes with the same api_version and the current accounts', async () => {
    let accounts = generatedAddresses(2);
    const t = started([a.url], { apiVersion: 1, subscription: () => ({ accounts, streams: ['ledger'] }) });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    accounts = generatedAddresses(3, 'reloaded');
    a.dropAll();
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(2), waitOptions);
    expect(t.events).toEqual([
      ['connection', a.url, true],
      ['subscribed', a.url, 1000],
      ['connection', a.url, false],
      ['connection', a.url, true],
      ['reconnect', a.url],
      ['subscribed', a.url, 1000],
    ]);
    const subscribes = a.commands('subscribe').map((r) => r.message);
    expect(subscribes.map((m) => m.api_version)).toEqual([1, 1, 1, 1]);
    expect(subscribes[2]?.accounts).toEqual(accounts);
    expect(t.logs).toContainEqual(
      expect.objectContaining({
        msg: 'rippled session ended',
        fields: expect.objectContaining({ server: a.url }),
      }),
    );
  });

  test('a stale ledger stream makes it not up and forces a reconnect', async () => {
    const t = started([a.url], { staleAfterMs: 80 });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    await vi.waitFor(() => expect(t.of('connection')).toContainEqual([a.url, false]), waitOptions);
    expect(t.logs).toContainEqual(expect.objectContaining({ msg: 'ledger stream is stale' }));
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(2), waitOptions);
    expect(a.attempts.length).toBeGreaterThanOrEqual(2);
  });

  test('ledgerClosed messages keep the stream fresh', async () => {
    const t = started([a.url], { staleAfterMs: 500 });
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    // Publish well inside the stale window for three windows' time: the session must survive.
    for (let i = 0; i < 20; i++) {
      a.publishLedger();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(t.of('ledger')).toHaveLength(20);
    expect(t.of('subscribed')).toHaveLength(1);
    expect(t.client.isUp()).toBe(true);
  });

  test('only ledgers the handler accepts as new keep the stream fresh', async () => {
    const t = started([a.url], { staleAfterMs: 300 });
    t.verdict.acceptLedgers = false;
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    // Rejected ledgers well inside the stale window: the session still goes stale and is left.
    const junk = setInterval(() => a.sendToAll({ type: 'ledgerClosed', ledger_index: 1000 }), 50);
    try {
      await vi.waitFor(
        () => expect(t.logs.map((l) => l.msg)).toContain('ledger stream is stale'),
        waitOptions,
      );
      expect(t.of('ledger').length).toBeGreaterThan(1);
    } finally {
      clearInterval(junk);
    }
  });

  test('hands the server_info answer and the close time to onSubscribed', async () => {
    const infos: SubscribedInfo[] = [];
    const client = testClient([a.url], {
      handlers: {
        onSubscribed: (info) => {
          infos.push(info);
        },
        onLedgerClosed: () => true,
        onTransaction: () => {},
        onInvalidMessage: () => {},
        onConnectionChange: () => {},
        onReconnect: () => {},
        onConnectFailed: () => {},
      },
    }).client;
    clients.push(client);
    client.start();
    await vi.waitFor(() => expect(infos).toHaveLength(1), waitOptions);
    expect(infos[0]).toMatchObject({
      ledgerIndex: 1000,
      ledgerCloseTime: 800_000_000 + 946_684_800,
      serverInfo: { validatedLedger: { index: 1000, closeTime: null }, networkId: 0 },
    });
  });

  test('a ping that gets no answer forces a reconnect', async () => {
    let silentPings = true;
    a.respond = (request) => (request.command === 'ping' && silentPings ? 'silent' : 'default');
    const t = started([a.url], { pingIntervalMs: 30, requestTimeoutMs: 150 });
    await vi.waitFor(
      () =>
        expect(t.logs).toContainEqual(
          expect.objectContaining({
            msg: 'heartbeat ping failed',
            fields: expect.objectContaining({ server: a.url }),
          }),
        ),
      waitOptions,
    );
    await vi.waitFor(() => expect(t.of('connection')).toContainEqual([a.url, false]), waitOptions);
    const sessions = t.of('subscribed').length;
    silentPings = false;
    await vi.waitFor(() => expect(t.of('subscribed').length).toBeGreaterThan(sessions), waitOptions);
  });
});

describe('failover', () => {
  test('moves to the second server when the first refuses, and back when it recovers', async () => {
    a.refuse = true;
    const t = started([a.url, b.url], { preferredRecheckMs: 30 });
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[b.url, 2000]]), waitOptions);
    expect(t.client.currentServer()).toBe(b.url);
    expect(t.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'cannot connect to rippled',
        fields: expect.objectContaining({ server: a.url }),
      }),
    );
    // While on b, a is probed: a failed probe is a failed attempt too, logged as one line that says we stay.
    await vi.waitFor(
      () =>
        expect(t.logs).toContainEqual({
          level: 'warn',
          msg: 'cannot connect to preferred rippled; staying',
          fields: {
            server: a.url,
            reason: expect.stringContaining('503'),
            current_server: b.url,
            next_attempt_in_ms: expect.any(Number),
          },
        }),
      waitOptions,
    );
    expect(t.of('connect-failed').length).toBeGreaterThanOrEqual(2);
    const bSocket = [...b.sockets][0]!;
    const bClosed = new Promise<number>((resolve) => bSocket.once('close', (code) => resolve(code)));
    a.refuse = false;
    await vi.waitFor(
      () =>
        expect(t.of('subscribed')).toEqual([
          [b.url, 2000],
          [a.url, 1000],
        ]),
      waitOptions,
    );
    expect(await bClosed).toBe(INTENTIONAL_CLOSE_CODE);
    expect(t.events.filter((e) => e[0] === 'connection' || e[0] === 'reconnect')).toEqual([
      ['connection', b.url, true],
      ['connection', b.url, false],
      ['connection', a.url, true],
      ['reconnect', a.url],
    ]);
    expect(t.client.currentServer()).toBe(a.url);
  });

  test('a 1008 close backs that server off for at least overloadedBackoffMs', async () => {
    const t = started([a.url, b.url], { preferredRecheckMs: 20, overloadedBackoffMs: 400 });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    const attemptsBefore = a.attempts.length;
    const closedAt = performance.now();
    a.closeAll(1008, 'Policy error: client is too slow.');
    await vi.waitFor(() => expect(t.of('subscribed').at(-1)).toEqual([b.url, 2000]), waitOptions);
    await vi.waitFor(() => expect(t.of('subscribed').at(-1)).toEqual([a.url, 1000]), waitOptions);
    const nextAttempt = a.attempts[attemptsBefore]!;
    expect(nextAttempt - closedAt).toBeGreaterThanOrEqual(400);
    expect(t.logs).toContainEqual(
      expect.objectContaining({
        msg: 'rippled session ended',
        fields: expect.objectContaining({
          server: a.url,
          reason: 'closed with code 1008 (Policy error: client is too slow.)',
        }),
      }),
    );
  });

  test('a plain close of a lone server is retried after its normal short backoff', async () => {
    const t = started([a.url], { overloadedBackoffMs: 60_000 });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    a.closeAll(1001, 'going away');
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(2), waitOptions);
  });

  test('a load warning moves the session to another server when one is available', async () => {
    a.respond = (request, socket) => {
      if (request.command !== 'ping') return 'default';
      socket.send(JSON.stringify({ id: request.id, status: 'success', warning: 'load', result: {} }));
      return 'silent';
    };
    const t = started([a.url, b.url], {
      pingIntervalMs: 20,
      preferredRecheckMs: 20,
      overloadedBackoffMs: 60_000,
    });
    await vi.waitFor(() => expect(t.of('subscribed').at(-1)).toEqual([b.url, 2000]), waitOptions);
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: 'rippled warning', fields: { server: a.url, warning: 'load' } }),
    );
    const attempts = a.attempts.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a.attempts.length).toBe(attempts);
    expect(t.client.currentServer()).toBe(b.url);
  });

  test('a load warning from the only server keeps the session', async () => {
    a.respond = (request, socket) => {
      if (request.command !== 'ping') return 'default';
      socket.send(JSON.stringify({ id: request.id, status: 'success', warning: 'load', result: {} }));
      return 'silent';
    };
    const t = started([a.url], { pingIntervalMs: 20 });
    await vi.waitFor(
      () => expect(t.logs.filter((l) => l.msg === 'rippled warning').length).toBeGreaterThan(2),
      waitOptions,
    );
    expect(t.of('subscribed')).toHaveLength(1);
    expect(t.client.isUp()).toBe(true);
  });

  test('keeps retrying forever while every server refuses, then connects', async () => {
    a.refuse = true;
    b.refuse = true;
    const t = started([a.url, b.url]);
    await vi.waitFor(
      () => expect(a.attempts.length + b.attempts.length).toBeGreaterThanOrEqual(10),
      waitOptions,
    );
    expect(t.client.isUp()).toBe(false);
    // Nothing but failed attempts, against both servers.
    expect(new Set(t.events.map((e) => e[0]))).toEqual(new Set(['connect-failed']));
    expect(new Set(t.of('connect-failed').map(([server]) => server))).toEqual(new Set([a.url, b.url]));
    b.refuse = false;
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[b.url, 2000]]), waitOptions);
  });

  test('logs each failed attempt as one line naming the server, why, and the next server and when', async () => {
    a.refuse = true;
    b.refuse = true;
    const t = started([a.url, b.url], { backoff: { minMs: 20, maxMs: 80 } });
    await vi.waitFor(() => expect(t.of('connect-failed').length).toBeGreaterThanOrEqual(8), waitOptions);
    await t.client.stop();
    const lines = t.logs.filter((l) => l.level !== 'debug');
    // Only attempt lines: no separate "waiting" line that could name another server than the failure.
    expect(new Set(lines.map((l) => l.msg))).toEqual(new Set(['cannot connect to rippled']));
    expect(lines.length).toBe(t.of('connect-failed').length);
    for (const [i, line] of lines.entries()) {
      expect(line.level).toBe('warn');
      expect(line.fields).toEqual({
        server: expect.stringMatching(/^ws:/),
        reason: expect.stringContaining('Unexpected server response: 503'),
        next_server: expect.stringMatching(/^ws:/),
        next_attempt_in_ms: expect.any(Number),
      });
      // The next line is about the server this one said would be tried next.
      const following = lines[i + 1];
      if (following !== undefined) expect(following.fields.server).toBe(line.fields.next_server);
    }
    // The first failure of a moves on to b at once; later, both rest and the line says for how long.
    expect(lines[0]?.fields).toMatchObject({ server: a.url, next_server: b.url, next_attempt_in_ms: 0 });
    expect(lines.some((l) => (l.fields.next_attempt_in_ms as number) > 0)).toBe(true);
  });
});

/** A client whose judge refuses every network but 0, recording each judgement. */
function judgedClient(servers: readonly string[], overrides: Parameters<typeof testClient>[1] = {}) {
  const judged: Array<[string, number | null]> = [];
  const t = testClient(servers, {
    refuse: (server, networkId) => {
      judged.push([server, networkId]);
      return networkId === null || networkId === 0 ? null : `server reports network_id ${networkId}`;
    },
    ...overrides,
  });
  clients.push(t.client);
  t.client.start();
  return { ...t, judged };
}

describe('every connection is judged by the network its server states', () => {
  test('a side connection (backfill, repair, history) to another network is refused after server_info', async () => {
    b.networkId = 1;
    const t = judgedClient([a.url, b.url]);
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    const refused = await t.client.openSideConnection(b.url).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerRefusedError);
    expect((refused as ServerRefusedError).reason).toBe('server reports network_id 1');
    // Asked who it is, and closed: nothing else was ever requested from it.
    expect(b.requests.map((r) => r.message.command)).toEqual(['server_info']);
    await vi.waitFor(() => expect(b.connectionCount).toBe(0), waitOptions);
    // A side connection has no ledger stream to state the network later: no server_info answer, no use.
    b.respond = (request) => (request.command === 'server_info' ? { error: 'noPermission' } : 'default');
    await expect(t.client.openSideConnection(b.url)).rejects.toThrow(/noPermission/);
    expect(b.requests.map((r) => r.message.command)).toEqual(['server_info', 'server_info']);
    b.respond = () => 'default';
    // The same server on the right network is used.
    b.networkId = 0;
    const side = await t.client.openSideConnection(b.url);
    expect(await side.request({ command: 'ping' })).toEqual({});
    await side.close();
  });

  test('a server that does not answer server_info is judged by its subscribe answer, before anything is handed on', async () => {
    a.networkId = 1;
    a.respond = (request) => (request.command === 'server_info' ? { error: 'noPermission' } : 'default');
    const t = judgedClient([a.url, b.url]);
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[b.url, 2000]]), waitOptions);
    expect(t.judged).toContainEqual([a.url, null]);
    expect(t.judged).toContainEqual([a.url, 1]);
    expect(t.logs).toContainEqual(
      expect.objectContaining({
        msg: 'rippled session ended',
        fields: expect.objectContaining({ server: a.url, reason: 'refused: server reports network_id 1' }),
      }),
    );
  });

  test('a ledgerClosed stating another network ends the session, and that ledger is not handed on', async () => {
    const t = judgedClient([a.url, b.url]);
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[a.url, 1000]]), waitOptions);
    a.publishLedger();
    await vi.waitFor(() => expect(t.of('ledger')).toEqual([[a.url, 1001]]), waitOptions);
    a.networkId = 1;
    a.publishLedger();
    await vi.waitFor(() => expect(t.of('subscribed').at(-1)).toEqual([b.url, 2000]), waitOptions);
    expect(t.of('ledger')).toEqual([[a.url, 1001]]);
    expect(t.events).toContainEqual(['connection', a.url, false]);
  });

  test('a preferred server of another network is probed like a connection and not switched to until it passes, quietly', async () => {
    a.networkId = 1;
    const t = judgedClient([a.url, b.url], { preferredRecheckMs: 20 });
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[b.url, 2000]]), waitOptions);
    // Several probes of a: each asks server_info, none subscribes or switches.
    const probesBefore = a.commands('server_info').length;
    await vi.waitFor(
      () => expect(a.commands('server_info').length).toBeGreaterThanOrEqual(probesBefore + 4),
      waitOptions,
    );
    expect(a.commands('subscribe')).toEqual([]);
    expect(t.of('subscribed')).toEqual([[b.url, 2000]]);
    expect(t.client.currentServer()).toBe(b.url);
    // One warning for the first refused session; the probes after it add none.
    const loud = t.logs.filter(
      (l) => (l.level === 'warn' || l.level === 'error') && JSON.stringify(l.fields).includes(a.url),
    );
    expect(loud.map((l) => l.msg)).toEqual(['rippled session ended']);
    // The status page says why it rests.
    expect(t.client.servers()[0]?.lastFailure?.reason).toBe('refused: server reports network_id 1');
    a.networkId = 0;
    await vi.waitFor(
      () =>
        expect(t.of('subscribed')).toEqual([
          [b.url, 2000],
          [a.url, 1000],
        ]),
      waitOptions,
    );
  });
});
