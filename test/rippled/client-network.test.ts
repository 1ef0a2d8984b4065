import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { RippledClient } from '../../src/rippled/rippled-client.js';
import { ServerRefusedError } from '../../src/rippled/server-check.js';
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

/** A client whose judge refuses every network but 0, recording each judgement. */
function started(servers: readonly string[], overrides: Parameters<typeof testClient>[1] = {}) {
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

const waitOptions = { timeout: 5_000, interval: 5 };

describe('every connection is judged by the network its server states', () => {
  test('a side connection (backfill, repair, history) to another network is refused after server_info', async () => {
    b.networkId = 1;
    const t = started([a.url, b.url]);
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    const refused = await t.client.openSideConnection(b.url).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerRefusedError);
    expect((refused as ServerRefusedError).reason).toBe('server reports network_id 1');
    // Asked who it is, and closed: nothing else was ever requested from it.
    expect(b.requests.map((r) => r.message.command)).toEqual(['server_info']);
    await vi.waitFor(() => expect(b.connectionCount).toBe(0), waitOptions);
    // The same server on the right network is used.
    b.networkId = 0;
    const side = await t.client.openSideConnection(b.url);
    expect(await side.request({ command: 'ping' })).toEqual({});
    await side.close();
  });

  test('a server that does not answer server_info is judged by its subscribe answer, before anything is handed on', async () => {
    a.networkId = 1;
    a.respond = (request) => (request.command === 'server_info' ? { error: 'noPermission' } : 'default');
    const t = started([a.url, b.url]);
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
    const t = started([a.url, b.url]);
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
    const t = started([a.url, b.url], { preferredRecheckMs: 20 });
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
