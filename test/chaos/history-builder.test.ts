import { describe, expect, it } from 'vitest';
import { buildHistory, type History } from '../support/history.js';

/** `hash` of every transaction that creates or deletes a watched account's AccountRoot. */
function rootLifecycle(history: History): string[] {
  const watched = new Set(history.accounts);
  return history.ledgers.flatMap((ledger) =>
    ledger.transactions
      .filter((tx) =>
        ((tx.meta.AffectedNodes ?? []) as Array<Record<string, Record<string, unknown>>>).some((w) => {
          const node = w.CreatedNode ?? w.DeletedNode;
          const fields = (w.CreatedNode ? node?.NewFields : node?.FinalFields) as { Account?: string };
          return node?.LedgerEntryType === 'AccountRoot' && watched.has(fields?.Account ?? '');
        }),
      )
      .map((tx) => tx.hash),
  );
}

describe('the chaos test’s history (keepAccountsAlive)', () => {
  const options = { ledgers: 500, transactions: 2000, accounts: 5 };

  it('never creates or deletes a watched account’s AccountRoot (they exist throughout)', () => {
    for (const seed of [1, 2, 3]) {
      // Without the option the replays do both (the test can fail).
      expect(rootLifecycle(buildHistory({ seed, ...options })).length).toBeGreaterThan(0);
      expect(rootLifecycle(buildHistory({ seed, ...options, keepAccountsAlive: true }))).toEqual([]);
    }
  });
});
