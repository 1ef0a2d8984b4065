import { createHook } from 'node:async_hooks';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { NotConnectedError } from '../../src/rippled/errors.js';
import { INTENTIONAL_CLOSE_CODE } from '../../src/rippled/request-connection.js';
import type { RippledClient } from '../../src/rippled/rippled-client.js';
import { generatedAddresses } from './addresses.js';
import { testClient } from './client-support.js';
import { LocalRippled } from './local-rippled.js';

let server: LocalRippled;
const clients: RippledClient[] = [];

beforeEach(async () => {
  server = await LocalRippled.start();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await server.close();
});

function started(...args: Parameters<typeof testClient>): ReturnType<typeof testClient> {
  const t = testClient(...args);
  clients.push(t.client);
  t.client.start();
  return t;
}

const accounts = generatedAddresses(3);
const waitOptions = { timeout: 10_000, interval: 5 };

describe('subscribing', () => {
  test('subscribes the accounts, then the ledger stream, all with api_version, and reports the ledger', async () => {
    const t = started([server.url], { subscription: () => ({ accounts, streams: ['ledger'] }) });
    await vi.waitFor(() => expect(t.of('subscribed')).toEqual([[server.url, 1000]]), waitOptions);
    // server_info first: what the server says about its ledger is checked against the subscribe answer.
    expect(server.requests.map((r) => r.message)).toEqual([
      { command: 'server_info', api_version: 2, id: 1 },
      { command: 'subscribe', accounts, api_version: 2, id: 2 },
      { command: 'subscribe', streams: ['ledger'], api_version: 2, id: 3 },
    ]);
    expect(t.events).toEqual([
      ['connection', server.url, true],
      ['subscribed', server.url, 1000],
    ]);
    expect(t.client.isUp()).toBe(true);
    expect(t.client.currentServer()).toBe(server.url);
  });

  test('stream messages reach the handlers in arrival order; unknown types and bad ledgers are invalid', async () => {
    const t = started([server.url]);
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    server.publishLedger();
    server.sendToAll({ type: 'transaction', hash: 'H1' });
    server.sendToAll({ type: 'validationReceived' });
    server.sendToAll({ type: 'transaction', hash: 'H2' });
    server.sendToAll({ type: 'ledgerClosed', ledger_index: '1002' });
    server.sendToAll('not json');
    server.publishLedger();
    await vi.waitFor(() => expect(t.events).toHaveLength(9), waitOptions);
    expect(t.events.slice(2)).toEqual([
      ['ledger', server.url, 1001],
      ['tx', server.url, 'H1'],
      ['invalid', server.url, 'unexpected message type "validationReceived"'],
      ['tx', server.url, 'H2'],
      ['invalid', server.url, 'ledgerClosed without a valid ledger_index'],
      ['invalid', server.url, 'malformed JSON: not json'],
      ['ledger', server.url, 1002],
    ]);
  });

  test('50,000 accounts go out in pipelined chunks, each under the request limit, all with api_version', async () => {
    const many = generatedAddresses(50_000);
    const held: Array<() => void> = [];
    server.respond = (request, socket) => {
      if (request.command !== 'subscribe' || !Array.isArray(request.accounts)) return 'default';
      held.push(() => socket.send(JSON.stringify({ id: request.id, status: 'success', result: {} })));
      return 'silent';
    };
    const t = started([server.url], {
      apiVersion: 1,
      subscription: () => ({ accounts: many, streams: ['ledger'] }),
    });
    // Pipelined: every chunk is sent before any is answered.
    await vi.waitFor(() => expect(held.length).toBe(3), waitOptions);
    expect(t.client.isUp()).toBe(false);
    for (const answer of held) answer();
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    const subscribes = server.commands('subscribe');
    const chunks = subscribes.filter((r) => Array.isArray(r.message.accounts));
    for (const { raw, message } of subscribes) {
      expect(Buffer.byteLength(raw)).toBeLessThan(900_000);
      expect(message.api_version).toBe(1);
    }
    expect(chunks.flatMap((r) => r.message.accounts as string[])).toEqual(many);
  });

  test('a subscribe error ends the session and the next one subscribes again', async () => {
    let failures = 1;
    server.respond = (request) =>
      request.command === 'subscribe' && failures-- > 0
        ? { error: 'actMalformed', error_message: 'Account malformed.' }
        : 'default';
    const t = started([server.url], { subscription: () => ({ accounts, streams: ['ledger'] }) });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    expect(t.logs).toContainEqual(expect.objectContaining({ level: 'error', msg: 'subscribe failed' }));
    expect(t.logs.find((l) => l.msg === 'subscribe failed')?.fields.server).toBe(server.url);
    expect(t.of('reconnect')).toEqual([[server.url]]);
  });
});

describe('requests on the session', () => {
  test('request() uses the live socket with api_version and rejects when not connected', async () => {
    const t = testClient([server.url]);
    clients.push(t.client);
    await expect(t.client.request({ command: 'ping' })).rejects.toBeInstanceOf(NotConnectedError);
    t.client.start();
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    server.respond = (r) => (r.command === 'server_info' ? { info: { build_version: '2.4.0' } } : 'default');
    expect(await t.client.request({ command: 'server_info' })).toEqual({ info: { build_version: '2.4.0' } });
    expect(server.commands('server_info')[0]?.message.api_version).toBe(2);
  });

  test('subscribeAccounts and unsubscribeAccounts change the live subscription in chunks', async () => {
    const t = started([server.url], { maxSubscribeRequestBytes: 200 });
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    const more = generatedAddresses(10, 'more');
    await t.client.subscribeAccounts(more);
    await t.client.unsubscribeAccounts(more.slice(0, 4));
    const sent = (command: string) =>
      server.commands(command).filter((r) => Array.isArray(r.message.accounts));
    expect(sent('subscribe').length).toBeGreaterThan(1);
    expect(sent('subscribe').flatMap((r) => r.message.accounts as string[])).toEqual(more);
    expect(sent('unsubscribe').flatMap((r) => r.message.accounts as string[])).toEqual(more.slice(0, 4));
    for (const r of [...sent('subscribe'), ...sent('unsubscribe')]) {
      expect(Buffer.byteLength(r.raw)).toBeLessThanOrEqual(200);
      expect(r.message.api_version).toBe(2);
    }
  });

  test('a side connection answers requests with the same api_version; stop() closes it', async () => {
    const t = started([server.url]);
    const side = await t.client.openSideConnection(server.url);
    expect(await side.request({ command: 'ping' })).toEqual({});
    expect(server.commands('ping')[0]?.message.api_version).toBe(2);
    await t.client.stop();
    expect(side.isOpen).toBe(false);
  });

  test('a handler that throws is logged and the client carries on', async () => {
    const t = testClient([server.url]);
    clients.push(t.client);
    const throwing = testClient([server.url], {
      handlers: {
        onSubscribed: () => {
          throw new Error('bug in onSubscribed');
        },
        onLedgerClosed: () => {
          throw new Error('bug in onLedgerClosed');
        },
        onTransaction: () => {},
        onInvalidMessage: () => {},
        onConnectionChange: () => {},
        onReconnect: () => {},
        onConnectFailed: () => {},
      },
    });
    clients.push(throwing.client);
    throwing.client.start();
    await vi.waitFor(() => expect(throwing.client.isUp()).toBe(true), waitOptions);
    server.publishLedger();
    await vi.waitFor(
      () => expect(throwing.logs.filter((l) => l.msg === 'rippled client handler threw')).toHaveLength(2),
      waitOptions,
    );
    expect(await throwing.client.request({ command: 'ping' })).toEqual({});
  });
});

describe('stop()', () => {
  test('closes with the intentional code, leaves no timer behind and never reconnects', async () => {
    const live = new Map<number, string>();
    const hook = createHook({
      init: (id, type) => {
        if (type === 'Timeout') live.set(id, new Error().stack ?? '');
      },
      destroy: (id) => live.delete(id),
    });
    hook.enable();
    try {
      // Long stale and reset timers are armed too: stop() must clear them, not wait for them.
      const t = testClient([server.url], { pingIntervalMs: 20, staleAfterMs: 10_000 });
      t.client.start();
      await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
      await vi.waitFor(() => expect(server.commands('ping').length).toBeGreaterThan(1), waitOptions);
      const socket = [...server.sockets][0]!;
      const closed = once(socket, 'close');
      await t.client.stop();
      const [code] = await closed;
      expect(code).toBe(INTENTIONAL_CLOSE_CODE);
      expect(t.client.isUp()).toBe(false);
      expect(t.client.currentServer()).toBeNull();
      expect(t.events.at(-1)).toEqual(['connection', server.url, false]);
      const attempts = server.attempts.length;
      const requests = server.requests.length;
      const events = t.events.length;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(server.attempts.length).toBe(attempts);
      expect(server.requests.length).toBe(requests);
      expect(t.events.length).toBe(events);
      await new Promise((resolve) => setImmediate(resolve));
      expect([...live.values()]).toEqual([]);
    } finally {
      hook.disable();
    }
  });

  test('stops promptly while waiting to retry a refusing server', async () => {
    server.refuse = true;
    const t = testClient([server.url], { backoff: { minMs: 60_000, maxMs: 60_000 } });
    t.client.start();
    await vi.waitFor(() => expect(server.attempts.length).toBe(1), waitOptions);
    await vi.waitFor(
      () =>
        expect(t.logs).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            msg: 'cannot connect to rippled',
            fields: expect.objectContaining({
              server: server.url,
              next_server: server.url,
              next_attempt_in_ms: 60_000,
            }),
          }),
        ),
      waitOptions,
    );
    await t.client.stop();
    expect(server.attempts.length).toBe(1);
  });
});
