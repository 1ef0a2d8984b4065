import type { HistoryTx } from '../simulator/fake-rippled/tx-shapes.js';

/** Where the demo's ledgers come from: replayed real transactions, or synthesised ones. */
export interface DemoLedgerSource {
  readonly kind: 'fixtures' | 'synthetic';
  /** XRP balance (drops) of each demo account before the first ledger, for account_info. */
  readonly startingBalances: ReadonlyMap<string, bigint>;
  /** The transactions of the next ledger, in ledger order (may be empty), each with a fresh hash. */
  nextLedger(): HistoryTx[];
}

/** How many transactions the next ledger holds: now and then none, usually one to three. */
export function ledgerSize(rng: { chance(p: number): boolean; int(n: number): number }): number {
  return rng.chance(0.15) ? 0 : 1 + rng.int(3);
}

/** Every demo account starts with this much XRP (drops). */
export const STARTING_DROPS = 25_000_000_000n;
