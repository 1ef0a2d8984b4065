import { analyzeTransaction } from '../accounting/index.js';
import type { AccountEffect, TxAnalysis } from '../accounting/types.js';
import type { DedupeWindow } from './dedupe.js';

/** One watched account's counted receipts from one validated transaction. */
export interface Receipt {
  readonly analysis: TxAnalysis;
  readonly effect: AccountEffect;
  readonly hash: string;
  readonly ledgerIndex: number;
  readonly source: 'live' | 'backfill';
}

export interface ProcessorSinks {
  /** Absolute balances after the transaction (counted or not: a failed transaction still costs a fee). */
  onBalances(account: string, effect: AccountEffect, ledgerIndex: number): void;
  onReceipt(receipt: Receipt): void;
  onInvalid(reason: string): void;
  /** A backfilled transaction that had an effect on a watched account for the first time. */
  onBackfilled(): void;
}

/**
 * The one path every validated transaction takes, live or backfilled: classify it, drop what was
 * already counted (same hash and account), and hand balances and receipts to the sinks.
 */
export class TransactionProcessor {
  constructor(
    private watched: ReadonlySet<string>,
    private readonly dedupe: DedupeWindow,
    private readonly sinks: ProcessorSinks,
  ) {}

  /** Hot reload: the next transaction is classified against the new account set. */
  setWatched(watched: ReadonlySet<string>): void {
    this.watched = watched;
  }

  process(input: unknown, ledgerIndex: number, source: 'live' | 'backfill'): void {
    const analysis = analyzeTransaction(input, this.watched);
    if (!analysis.valid) {
      this.sinks.onInvalid(analysis.invalidReason ?? 'invalid transaction');
      return;
    }
    if (!analysis.validated) return; // only validated ledgers are final (never sent on `accounts`)
    const hash = analysis.hash;
    if (hash === null) {
      this.sinks.onInvalid('transaction without a hash');
      return;
    }
    if (analysis.ledgerIndex !== null && analysis.ledgerIndex !== ledgerIndex) {
      this.sinks.onInvalid(
        `transaction ${hash} claims ledger ${analysis.ledgerIndex}, delivered as ${ledgerIndex}`,
      );
      return;
    }
    let fresh = false;
    for (const effect of analysis.accounts) {
      if (!this.dedupe.claim(ledgerIndex, hash, effect.account)) continue;
      fresh = true;
      this.sinks.onBalances(effect.account, effect, ledgerIndex);
      if (effect.counted) this.sinks.onReceipt({ analysis, effect, hash, ledgerIndex, source });
    }
    if (fresh && source === 'backfill') this.sinks.onBackfilled();
  }
}
