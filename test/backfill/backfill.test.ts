import { afterEach, describe, expect, it } from 'vitest';
import { backfill, chooseMode } from '../../src/backfill/index.js';
import { silentLogger } from '../../src/log.js';
import { RequestConnection } from '../../src/rippled/index.js';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { buildHistory, type History } from '../support/history.js';

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function server(history: History, options: { historyStart?: number } = {}) {
  const fake = await FakeRippled.start({ accountTxLimits: { min: 10, default: 10, max: 10 } });
  open.push(fake);
  fake.addLedgers(history.ledgers);
  await fake.publishAll();
  if (options.historyStart !== undefined) fake.setHistoryStart(options.historyStart);
  return fake;
}

async function connect(fake: FakeRippled) {
  const connection = await RequestConnection.connect(fake.url);
  open.push(connection);
  return connection;
}

/** The hashes a correct backfill of `accounts` over ledgers [from, to] must return, in ledger order. */
function expectedHashes(
  history: History,
  accounts: readonly string[],
  firstLedger: number,
  from: number,
  to: number,
) {
  const wanted = new Set(accounts);
  const hashes: string[] = [];
  history.ledgers.forEach((ledger, i) => {
    const index = firstLedger + i;
    if (index < from || index > to) return;
    for (const tx of ledger.transactions) {
      if (getAffectedAccounts(tx.meta).some((a: string) => wanted.has(a))) hashes.push(tx.hash);
    }
  });
  return hashes;
}

describe('backfill', () => {
  const history = buildHistory({ seed: 5, ledgers: 40, transactions: 160, accounts: 3 });

  it('pages account_tx until there is no marker and returns each transaction once, in ledger order', async () => {
    const fake = await server(history);
    const first = fake.validatedLedgerIndex - history.ledgers.length + 1;
    const range = { from: first + 5, to: first + 30 };
    const result = await backfill({
      range,
      accounts: history.accounts,
      apiVersion: 2,
      primary: await connect(fake),
      primaryUrl: fake.url,
      alternates: [],
      logger: silentLogger,
    });
    expect(result.uncovered).toBeNull();
    expect(result.transactions.map((t) => t.hash)).toEqual(
      expectedHashes(history, history.accounts, first, range.from, range.to),
    );
    const pages = fake.requests.filter((r) => r.command === 'account_tx');
    expect(pages.length).toBeGreaterThan(history.accounts.length);
    expect(pages.filter((r) => r.params.marker !== undefined).length).toBeGreaterThan(0);
  });

  it('reads from the next server what the live one no longer holds', async () => {
    const pruned = await server(history);
    const full = await server(history);
    const first = full.validatedLedgerIndex - history.ledgers.length + 1;
    pruned.setHistoryStart(first + 20);
    const range = { from: first + 2, to: first + 35 };
    const result = await backfill({
      range,
      accounts: history.accounts,
      apiVersion: 1,
      primary: await connect(pruned),
      primaryUrl: pruned.url,
      alternates: [{ url: full.url, open: () => connect(full) }],
      logger: silentLogger,
    });
    expect(result.uncovered).toBeNull();
    expect(result.transactions.map((t) => t.hash)).toEqual(
      expectedHashes(history, history.accounts, first, range.from, range.to),
    );
  });

  it('says which range no server holds', async () => {
    const pruned = await server(history);
    const alsoPruned = await server(history);
    const first = pruned.validatedLedgerIndex - history.ledgers.length + 1;
    pruned.setHistoryStart(first + 20);
    alsoPruned.setHistoryStart(first + 10);
    const result = await backfill({
      range: { from: first + 2, to: first + 35 },
      accounts: history.accounts,
      apiVersion: 1,
      primary: await connect(pruned),
      primaryUrl: pruned.url,
      alternates: [{ url: alsoPruned.url, open: () => connect(alsoPruned) }],
      logger: silentLogger,
    });
    expect(result.retry).toBeNull();
    expect(result.uncovered).toMatch(/server holds \d+-\d+, needed \d+-\d+/);
  });

  it('asks for a retry, not a gap, when a server that may hold the range does not answer', async () => {
    const pruned = await server(history);
    const first = pruned.validatedLedgerIndex - history.ledgers.length + 1;
    pruned.setHistoryStart(first + 20);
    const result = await backfill({
      range: { from: first + 2, to: first + 35 },
      accounts: history.accounts,
      apiVersion: 2,
      primary: await connect(pruned),
      primaryUrl: pruned.url,
      alternates: [{ url: 'ws://127.0.0.1:1', open: () => RequestConnection.connect('ws://127.0.0.1:1') }],
      logger: silentLogger,
    });
    expect(result.uncovered).toBeNull();
    expect(result.retry).toContain('ws://127.0.0.1:1');
  });

  it('reads whole ledgers when the gap is short and the accounts many', async () => {
    const fake = await server(history);
    const first = fake.validatedLedgerIndex - history.ledgers.length + 1;
    const range = { from: first + 10, to: first + 12 };
    const manyAccounts = [
      ...history.accounts,
      ...buildHistory({ seed: 9, ledgers: 1, transactions: 1, accounts: 40 }).accounts,
    ];
    expect(chooseMode(range, manyAccounts.length)).toBe('ledger');
    const result = await backfill({
      range,
      accounts: manyAccounts,
      apiVersion: 2,
      primary: await connect(fake),
      primaryUrl: fake.url,
      alternates: [],
      logger: silentLogger,
    });
    expect(result.uncovered).toBeNull();
    expect(fake.requests.filter((r) => r.command === 'ledger')).toHaveLength(3);
    // Ledger mode returns every transaction of those ledgers; the accounting filters by account later.
    const all = history.ledgers.slice(10, 13).flatMap((l) => l.transactions.map((t) => t.hash));
    expect(result.transactions.map((t) => t.hash).sort()).toEqual(all.sort());
  });
});
