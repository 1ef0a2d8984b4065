import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryServer, Requester } from '../../src/backfill/index.js';
import { readHistory } from '../../src/history/reader.js';
import { firstLedgerClosingAtOrAfter, heldLedgers, resolvePoint } from '../../src/history/resolve.js';
import { silentLogger } from '../../src/log.js';
import { RequestConnection } from '../../src/rippled/request-connection.js';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { buildHistory, type History } from '../support/history.js';

const START = new Date('2026-01-01T00:00:00Z');

/** A server whose connection fails (like a drop) after `budget` account_tx pages. */
function flaky(url: string, budget: number): HistoryServer & { pages: number } {
  const server = {
    url,
    pages: 0,
    async connect(): Promise<Requester & { close(): void }> {
      const connection = await RequestConnection.connect(url, { apiVersion: 2 });
      return {
        request: (cmd) => {
          if (cmd.command === 'account_tx' && server.pages++ >= budget) {
            return Promise.reject(new Error('connection dropped'));
          }
          return connection.request(cmd);
        },
        close: () => void connection.close(),
      };
    },
  };
  return server;
}

function plain(url: string): HistoryServer {
  return {
    url,
    connect: async () => {
      const connection = await RequestConnection.connect(url, { apiVersion: 2 });
      return { request: (cmd) => connection.request(cmd), close: () => void connection.close() };
    },
  };
}

describe('the history reader', () => {
  let history: History;
  let first: FakeRippled;
  let second: FakeRippled;

  beforeAll(async () => {
    history = buildHistory({ seed: 7, ledgers: 300, transactions: 1500, accounts: 3 });
    // Small pages, so one ledger's transactions often straddle two pages.
    first = await FakeRippled.start({ startTime: START, accountTxPageCap: 7 });
    second = await FakeRippled.start({ startTime: START, accountTxPageCap: 11 });
    for (const fake of [first, second]) {
      fake.addLedgers(history.ledgers);
      await fake.publishAll();
    }
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('hands over whole ledgers once each, oldest first, across a failover in the middle', async () => {
    const account = history.accounts[0]!;
    const range = { from: 1001, to: 1300 };
    const expected = history.ledgers
      .flatMap((ledger, i) => ledger.transactions.map((tx) => ({ hash: tx.hash, ledger: 1001 + i, tx })))
      .filter(({ tx }) => getAffectedAccounts(tx.meta).includes(account))
      .map(({ hash, ledger }) => `${ledger}:${hash}`);
    const seen: string[] = [];
    const throughs: number[] = [];
    const broken = flaky(first.url, 20);
    const outcome = await readHistory({
      servers: [broken, plain(second.url)],
      account,
      range,
      apiVersion: 2,
      logger: silentLogger,
      onSlice: (slice, through) => {
        for (const tx of slice) {
          expect(tx.ledgerIndex).toBeLessThanOrEqual(through);
          expect(tx.ledgerIndex).toBeGreaterThan(throughs.at(-1) ?? range.from - 1);
          seen.push(`${tx.ledgerIndex}:${tx.hash}`);
        }
        throughs.push(through);
        return undefined;
      },
    });
    expect(outcome).toEqual({ complete: true });
    expect(broken.pages).toBeGreaterThan(20);
    expect(seen).toEqual(expected);
    expect(throughs.at(-1)).toBe(range.to);
    expect(throughs).toEqual([...throughs].sort((a, b) => a - b));
  });

  it('ends stopped, never complete, when the caller refuses a slice, the last one included', async () => {
    const account = history.accounts[0]!;
    const read = (refuse: (through: number) => boolean) =>
      readHistory({
        servers: [plain(second.url)],
        account,
        range: { from: 1001, to: 1300 },
        apiVersion: 2,
        logger: silentLogger,
        onSlice: (_, through) => (refuse(through) ? 'stop' : undefined),
      });
    expect(await read(() => true)).toEqual({ complete: false, stopped: true });
    expect(await read((through) => through === 1300)).toEqual({ complete: false, stopped: true });
  });

  it('says which part no server holds, and whether a retry may help', async () => {
    const recent = await FakeRippled.start({ startTime: START });
    recent.addLedgers(history.ledgers);
    await recent.publishAll();
    recent.setHistoryStart(1200);
    try {
      const outcome = await readHistory({
        servers: [plain(recent.url)],
        account: history.accounts[1]!,
        range: { from: 1001, to: 1300 },
        apiVersion: 2,
        logger: silentLogger,
        onSlice: () => undefined,
      });
      expect(outcome).toMatchObject({ complete: false, transient: false, through: 1000 });
      const down = await readHistory({
        servers: [flaky(recent.url, 0)],
        account: history.accounts[1]!,
        range: { from: 1250, to: 1300 },
        apiVersion: 2,
        logger: silentLogger,
        onSlice: () => undefined,
      });
      expect(down).toMatchObject({
        complete: false,
        transient: true,
        reason: expect.stringMatching(/dropped/),
      });
    } finally {
      await recent.close();
    }
  });
});

describe('date -> ledger resolution', () => {
  let fake: FakeRippled;
  beforeAll(async () => {
    fake = await FakeRippled.start({ startTime: START, ledgerIntervalSeconds: 3 });
    for (let i = 0; i < 200; i++) fake.addLedger([]);
    await fake.publishAll();
  });
  afterAll(async () => fake?.close());

  it('finds the first ledger closing at or after every second of the held range', async () => {
    const connection = await RequestConnection.connect(fake.url, { apiVersion: 2 });
    try {
      const held = await heldLedgers(connection);
      expect(held).toEqual({ min: 1000, max: 1200 });
      const startSeconds = START.getTime() / 1000;
      for (let t = startSeconds; t <= startSeconds + 600; t += 7) {
        // Ledger 1000 + n closes at START + 3n s.
        expect(await firstLedgerClosingAtOrAfter(connection, t, held)).toBe(
          1000 + Math.ceil((t - startSeconds) / 3),
        );
      }
      expect(await firstLedgerClosingAtOrAfter(connection, startSeconds + 601, held)).toBe(1201);
    } finally {
      await connection.close();
    }
  });

  it('resolves start and end bounds on the first server that can, and refuses what none can', async () => {
    const at = (seconds: number) => ({
      kind: 'time' as const,
      unixSeconds: START.getTime() / 1000 + seconds,
      text: `+${seconds}s`,
    });
    await expect(resolvePoint([plain(fake.url)], at(30), 'start')).resolves.toEqual({
      ledger: 1010,
      newestValidated: 1200,
      reached: true,
    });
    await expect(resolvePoint([plain(fake.url)], at(30), 'end')).resolves.toMatchObject({ ledger: 1009 });
    await expect(resolvePoint([plain(fake.url)], at(10_000), 'end')).resolves.toMatchObject({
      reached: false,
    });
    await expect(resolvePoint([plain(fake.url)], at(-10), 'start')).rejects.toThrow(
      /history starts at ledger 1000, closed 2026-01-01T00:00:00Z, after 2025-12-31T23:59:50Z/,
    );
    const unreachable = { url: 'ws://127.0.0.1:1', connect: () => Promise.reject(new Error('ECONNREFUSED')) };
    await expect(resolvePoint([unreachable, plain(fake.url)], at(30), 'start')).resolves.toMatchObject({
      ledger: 1010,
    });
  });
});
