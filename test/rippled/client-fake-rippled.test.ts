import { afterEach, describe, expect, test, vi } from 'vitest';
import type { RippledClient } from '../../src/rippled/rippled-client.js';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { buildHistory } from '../support/history.js';
import { testClient } from './client-support.js';

// The client against the team's fake rippled (real protocol shapes, real faults), as the exporter uses it.

const fakes: FakeRippled[] = [];
const clients: RippledClient[] = [];
const waitOptions = { timeout: 10_000, interval: 5 };

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function fake(): Promise<FakeRippled> {
  const server = await FakeRippled.start();
  fakes.push(server);
  return server;
}

function started(...args: Parameters<typeof testClient>): ReturnType<typeof testClient> {
  const t = testClient(...args);
  clients.push(t.client);
  t.client.start();
  return t;
}

describe('against the fake rippled', () => {
  test.each([1, 2] as const)(
    'api_version %i: every ledger and every transaction touching the accounts arrives, in ledger order',
    async (apiVersion) => {
      const server = await fake();
      const history = buildHistory({ seed: 7, ledgers: 30, transactions: 120, accounts: 3 });
      server.addLedgers(history.ledgers);
      const hashesFor: string[] = [];
      const t = started([server.url], {
        apiVersion,
        subscription: () => ({ accounts: history.accounts, streams: ['ledger'] }),
        handlers: {
          onSubscribed: () => {},
          onLedgerClosed: (message) => hashesFor.push(`ledger:${message.ledger_index}`) > 0,
          onTransaction: (message) => {
            const tx = (apiVersion === 2 ? message.tx_json : message.transaction) as Record<string, unknown>;
            hashesFor.push(String(apiVersion === 2 ? message.hash : tx.hash));
          },
          onInvalidMessage: (reason) => hashesFor.push(`invalid:${reason}`),
          onConnectionChange: () => {},
          onReconnect: () => {},
          onConnectFailed: () => {},
        },
      });
      await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
      const first = server.validatedLedgerIndex;
      await server.publishAll();
      await server.drain();
      const watched = new Set(history.accounts);
      const expected = history.ledgers.flatMap((ledger, i) => [
        `ledger:${first + 1 + i}`,
        ...ledger.transactions
          .filter((tx) => getAffectedAccounts(tx.meta).some((a) => watched.has(a)))
          .map((tx) => tx.hash),
      ]);
      await vi.waitFor(() => expect(hashesFor).toHaveLength(expected.length), waitOptions);
      // Within one ledger the fake orders by TransactionIndex; compare per ledger as sets, ledgers in order.
      const perLedger = (list: string[]) =>
        list.reduce<string[][]>((acc, item) => {
          if (item.startsWith('ledger:')) acc.push([item]);
          else acc.at(-1)?.push(item);
          return acc;
        }, []);
      const actual = perLedger(hashesFor).map(([head, ...rest]) => [head, ...rest.sort()]);
      expect(actual).toEqual(perLedger(expected).map(([head, ...rest]) => [head, ...rest.sort()]));
      const versions = server.requests
        .filter((r) => r.command === 'subscribe')
        .map((r) => r.params.api_version);
      expect(new Set(versions)).toEqual(new Set([apiVersion]));
    },
  );

  test('a 1008 close ("client is too slow") reconnects and re-subscribes with the same api_version', async () => {
    const server = await fake();
    const t = started([server.url], { overloadedBackoffMs: 50 });
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(1), waitOptions);
    server.closeAll(1008, 'Policy error: client is too slow.');
    await vi.waitFor(() => expect(t.of('subscribed')).toHaveLength(2), waitOptions);
    expect(t.of('reconnect')).toEqual([[server.url]]);
    const versions = server.requests
      .filter((r) => r.command === 'subscribe')
      .map((r) => r.params.api_version);
    expect(versions).toEqual([2, 2]);
  });

  test('fails over when the first server stops listening and comes back when it listens again', async () => {
    const [first, second] = [await fake(), await fake()];
    await first.refuseConnections(true, 'unlisten');
    const t = started([first.url, second.url], { preferredRecheckMs: 30 });
    await vi.waitFor(() => expect(t.client.currentServer()).toBe(second.url), waitOptions);
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    await first.refuseConnections(false);
    await vi.waitFor(() => expect(t.of('subscribed').at(-1)?.[0]).toBe(first.url), waitOptions);
    expect(t.client.currentServer()).toBe(first.url);
  });

  test('a load warning moves to the other server', async () => {
    const [first, second] = [await fake(), await fake()];
    first.loadWarning(true);
    const t = started([first.url, second.url], { pingIntervalMs: 20, overloadedBackoffMs: 60_000 });
    await vi.waitFor(() => expect(t.client.currentServer()).toBe(second.url), waitOptions);
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
  });

  test('request() reaches the server with the session api_version', async () => {
    const server = await fake();
    const t = started([server.url], { apiVersion: 1 });
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    const result = await t.client.request({ command: 'server_info' });
    expect(result).toHaveProperty('info');
    expect(server.requests.find((r) => r.command === 'server_info')?.params.api_version).toBe(1);
  });

  test('garbage and answers to unknown ids from the server are reported, and the session stays up', async () => {
    const server = await fake();
    const t = started([server.url]);
    await vi.waitFor(() => expect(t.client.isUp()).toBe(true), waitOptions);
    server.sendRaw('{oops');
    server.respondToUnknownId(424242);
    await vi.waitFor(() => expect(t.of('invalid')).toHaveLength(2), waitOptions);
    expect(t.of('invalid')).toEqual([
      [server.url, 'malformed JSON: {oops'],
      [server.url, 'response to unknown or expired request id 424242'],
    ]);
    expect(t.client.isUp()).toBe(true);
  });
});
