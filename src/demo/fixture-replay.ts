import type { HistoryTx } from '../simulator/fake-rippled/tx-shapes.js';
import { remapText } from '../simulator/remap.js';
import type { Rng } from '../simulator/rng.js';
import type { ReplayableTx } from './fixture-pool.js';
import { type DemoLedgerSource, ledgerSize, STARTING_DROPS } from './source.js';

type Json = Record<string, unknown>;

/** Tries per transaction before giving up on a slot (a pick is refused when it would overdraw). */
const MAX_PICKS = 20;

/**
 * Real transactions replayed to the demo accounts: each replay maps one of the accounts that received
 * value in the original to a demo account, gets a fresh hash, and has that demo account's XRP balance
 * (AccountRoot Balance before and after) rebased onto its running balance, so `xrpl_balance` moves by
 * the transaction's real delta instead of jumping to the original account's balance. Payments are picked
 * twice as often as other types.
 */
export class FixtureReplay implements DemoLedgerSource {
  readonly kind = 'fixtures';
  readonly startingBalances: ReadonlyMap<string, bigint>;
  private readonly balances: Map<string, bigint>;
  private readonly weighted: readonly ReplayableTx[];

  constructor(
    pool: readonly ReplayableTx[],
    private readonly accounts: readonly string[],
    private readonly rng: Rng,
  ) {
    if (pool.length === 0) throw new Error('FixtureReplay needs at least one replayable transaction');
    this.weighted = pool.flatMap((t) => (t.transactionType === 'Payment' ? [t, t] : [t]));
    this.balances = new Map(accounts.map((a) => [a, STARTING_DROPS]));
    this.startingBalances = new Map(this.balances);
  }

  nextLedger(): HistoryTx[] {
    const txs: HistoryTx[] = [];
    const size = ledgerSize(this.rng);
    for (let i = 0; i < size; i++) {
      const tx = this.replayOne();
      if (tx) txs.push(tx);
    }
    return txs;
  }

  /** One replay, or null when MAX_PICKS picks would all overdraw (a demo account paid more than it has). */
  replayOne(): HistoryTx | null {
    for (let attempt = 0; attempt < MAX_PICKS; attempt++) {
      const source = this.rng.pick(this.weighted);
      const account = this.rng.pick(this.accounts);
      const mapping = new Map([[this.rng.pick(source.receivers), account]]);
      const tx = remapText(source.text, mapping, this.rng.hex(32));
      const balance = rebaseXrpBalance(tx.meta, account, this.balances.get(account) ?? STARTING_DROPS);
      if (balance === null) continue;
      this.balances.set(account, balance);
      return tx;
    }
    return null;
  }
}

/**
 * Rewrites `account`'s AccountRoot ModifiedNode (if any) so its balance goes from `running` to
 * `running + delta` with the original delta; returns the new running balance, or null when that would
 * be negative. Mutates `meta` (a private copy from remapText).
 */
export function rebaseXrpBalance(meta: Json, account: string, running: bigint): bigint | null {
  for (const wrapper of Array.isArray(meta.AffectedNodes) ? (meta.AffectedNodes as Json[]) : []) {
    const node = wrapper.ModifiedNode as Json | undefined;
    if (node?.LedgerEntryType !== 'AccountRoot') continue;
    const final = node.FinalFields as Json | undefined;
    if (final?.Account !== account || typeof final.Balance !== 'string') continue;
    const previous = node.PreviousFields as Json | undefined;
    const before = typeof previous?.Balance === 'string' ? BigInt(previous.Balance) : BigInt(final.Balance);
    const after = running + (BigInt(final.Balance) - before);
    if (after < 0n) return null;
    if (previous && typeof previous.Balance === 'string') previous.Balance = running.toString();
    final.Balance = after.toString();
    return after;
  }
  return running;
}
