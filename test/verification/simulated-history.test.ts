import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEnvelope } from '../../src/accounting/envelope.js';
import type { Requester } from '../../src/backfill/index.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { entryTouches, transactionIndex, WatchIndex } from '../../src/verification/links.js';
import { readAccountState } from '../../src/verification/state-reader.js';
import { ThreadBook } from '../../src/verification/thread-book.js';
import { RawClient } from '../fake-rippled/raw-client.js';
import { buildHistory, type History } from '../support/history.js';

/**
 * The pure bookkeeping fed with a long replayed history (every fixture type, remapped onto 5 accounts),
 * checked against the fake's account_info / account_objects: no false break, and a skipped transaction
 * found with its exact ledger.
 */
let fake: FakeRippled;
let client: RawClient;
let history: History;
const ledgers: Array<Array<{ hash: string; meta: Record<string, unknown> }>> = [];

beforeAll(async () => {
  history = buildHistory({ seed: 1, ledgers: 200, transactions: 800, accounts: 5 });
  fake = await FakeRippled.start({ firstLedgerIndex: 1000 });
  fake.addLedgers(history.ledgers);
  await fake.publishAll();
  client = await RawClient.connect(fake.url);
  for (let l = 1001; l <= fake.validatedLedgerIndex; l++) {
    const r = await client.request({
      command: 'ledger',
      ledger_index: l,
      transactions: true,
      expand: true,
      api_version: 2,
    });
    ledgers.push(
      r.result.ledger.transactions.map((e: Record<string, unknown>) => ({
        hash: e.hash as string,
        meta: openEnvelope({ ...e, ledger_index: l, validated: true }).meta!,
      })),
    );
  }
});

afterAll(async () => {
  client?.close();
  await fake?.close();
});

const server: Requester = {
  request: async (cmd) => {
    const r = await client.request(cmd);
    if (r.error) throw r;
    return r.result;
  },
};

function feed(skip: string | null): { book: ThreadBook; breaks: string[] } {
  const watch = new WatchIndex(history.accounts);
  const book = new ThreadBook();
  for (const a of history.accounts) book.watch(a, 1000);
  const breaks: string[] = [];
  ledgers.forEach((txs, i) => {
    for (const { hash, meta } of txs) {
      if (hash === skip) continue;
      for (const t of entryTouches(meta, watch)) {
        const brk = book.observe(t, { hash, ledger: 1001 + i, index: transactionIndex(meta) });
        if (brk) breaks.push(`${brk.account} ${brk.after}-${brk.through} ${brk.missing?.tx}`);
      }
    }
  });
  return { book, breaks };
}

describe('thread bookkeeping over a simulated history', () => {
  it('finds no break in a complete history, on the live path or against the server state', async () => {
    const { book, breaks } = feed(null);
    expect(breaks).toEqual([]);
    for (const account of history.accounts) {
      const state = await readAccountState(server, account, fake.validatedLedgerIndex);
      expect(
        book.compare(account, fake.validatedLedgerIndex, state.entries, state.complete),
        account,
      ).toEqual([]);
      expect(book.verified(account, fake.validatedLedgerIndex)).toBe(true);
    }
  });

  it('reports a skipped transaction as a break ending at its ledger', () => {
    const account = history.accounts[0]!;
    const watch = new WatchIndex([account]);
    const index = ledgers.findIndex(
      (txs, i) => i < ledgers.length - 50 && txs.some((t) => entryTouches(t.meta, watch).length > 0),
    );
    const skipped = ledgers[index]!.find((t) => entryTouches(t.meta, watch).length > 0)!;
    const { breaks } = feed(skipped.hash);
    expect(breaks.some((b) => b.startsWith(account) && b.endsWith(`-${1001 + index} ${skipped.hash}`))).toBe(
      true,
    );
  });
});
