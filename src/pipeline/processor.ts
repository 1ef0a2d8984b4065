import { analyzeEnvelope } from '../accounting/index.js';
import type { AccountEffect, TxAnalysis } from '../accounting/types.js';
import type { DedupeWindow } from './dedupe.js';

/**
 * Where a transaction came from: the live stream, a backfilled gap, an account's history import
 * (ledgers before the exporter watched it: counted like any other, but rules send no alerts for it), or
 * a verification repair (a transaction the account's thread showed missing).
 */
export type TransactionSource = 'live' | 'backfill' | 'history' | 'repair';

/** One watched account's counted receipts from one validated transaction. */
export interface Receipt {
  readonly analysis: TxAnalysis;
  readonly effect: AccountEffect;
  readonly hash: string;
  readonly ledgerIndex: number;
  readonly source: TransactionSource;
}

/**
 * Which ledgers of an account belong to its history import rather than to the stream: the stream and
 * backfill leave them alone, the import counts them (see history/progress.ts).
 */
export interface HistoryBoundary {
  coveredByHistory(account: string, ledgerIndex: number): boolean;
}

export interface ProcessorSinks {
  /**
   * Absolute balances after the transaction (counted or not: a failed transaction still costs a fee),
   * at its place in the ledger: `transactionIndex` is meta.TransactionIndex (null when absent), since
   * transactions of one ledger may arrive in any order (a repair, an import).
   */
  onBalances(
    account: string,
    effect: AccountEffect,
    ledgerIndex: number,
    transactionIndex: number | null,
  ): void;
  onReceipt(receipt: Receipt): void;
  onInvalid(reason: string): void;
  /** A backfilled transaction that had an effect on a watched account for the first time. */
  onBackfilled(): void;
  /**
   * Every validated transaction with its metadata (counted or not, new or already seen), for the thread
   * check: it reads what the metadata already says, no request. `account`: the one account an import or
   * a repair processed it for.
   */
  onValidated?(
    hash: string,
    ledgerIndex: number,
    meta: Record<string, unknown>,
    source: TransactionSource,
    account?: string,
  ): void;
}

/**
 * The one path every validated transaction takes, live, backfilled or imported: classify it, drop what
 * was already counted (same hash and account), and hand balances and receipts to the sinks.
 */
export class TransactionProcessor {
  constructor(
    private watched: ReadonlySet<string>,
    private readonly dedupe: DedupeWindow,
    private readonly sinks: ProcessorSinks,
    private readonly history: HistoryBoundary = { coveredByHistory: () => false },
  ) {}

  /** Hot reload: the next transaction is classified against the new account set. */
  setWatched(watched: ReadonlySet<string>): void {
    this.watched = watched;
  }

  /**
   * `account`: with source `history`, the one account whose history this is; with source `repair`, the
   * one account whose thread showed it missing. Other watched accounts the transaction touches are
   * counted by their own stream, import or repair, so they are left out here.
   */
  process(input: unknown, ledgerIndex: number, source: TransactionSource, account?: string): void {
    const { analysis, envelope } = analyzeEnvelope(input, this.watched);
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
    // A valid analysis opened the envelope.
    const { meta, transactionIndex } = envelope!;
    if (this.sinks.onValidated) {
      const one = source === 'repair' || source === 'history' ? account : undefined;
      this.sinks.onValidated(hash, ledgerIndex, meta ?? {}, source, one);
    }
    // A repair in ledgers the account's import covers fills a hole the import's server left (the import
    // has read past it): it is history, counted without alerts (the verifier never repairs one twice).
    const historyRepair =
      source === 'repair' && account !== undefined && this.history.coveredByHistory(account, ledgerIndex);
    if (source === 'history' || historyRepair) {
      // The import's ledger ranges never overlap the stream's (HistoryBoundary) and are read once each,
      // so the dedupe window (bounded by the ledgers in flight) is not needed and not filled.
      const effect = analysis.accounts.find((e) => e.account === account);
      if (effect?.counted) this.sinks.onReceipt({ analysis, effect, hash, ledgerIndex, source: 'history' });
      return;
    }
    let fresh = false;
    for (const effect of analysis.accounts) {
      if (source === 'repair' && effect.account !== account) continue;
      if (this.history.coveredByHistory(effect.account, ledgerIndex)) {
        // Its import counts this ledger; the balances after it are still the newest known.
        this.sinks.onBalances(effect.account, effect, ledgerIndex, transactionIndex);
        continue;
      }
      if (!this.dedupe.claim(ledgerIndex, hash, effect.account)) continue;
      fresh = true;
      this.sinks.onBalances(effect.account, effect, ledgerIndex, transactionIndex);
      if (effect.counted) this.sinks.onReceipt({ analysis, effect, hash, ledgerIndex, source });
    }
    if (fresh && source === 'backfill') this.sinks.onBackfilled();
  }
}
