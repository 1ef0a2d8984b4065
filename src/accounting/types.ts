import type Big from 'big.js';

/** What was moved: XRP, a trust-line token (currency code as on the ledger + the token's issuer), or an MPT. */
export type Asset =
  | { readonly kind: 'xrp' }
  | { readonly kind: 'token'; readonly currency: string; readonly issuer: string }
  | { readonly kind: 'mpt'; readonly mptIssuanceId: string };

/**
 * An exact amount of one asset. XRP values are in XRP (not drops), tokens in token units, MPTs in
 * integer units. `value` is a big.js decimal, never a float.
 */
export interface AssetAmount {
  readonly asset: Asset;
  readonly value: Big;
}

/** One watched account's view of one transaction. */
export interface AccountEffect {
  readonly account: string;
  /**
   * Per asset, as xrpl.js getBalanceChanges reports them: XRP includes the fee; for trust lines the
   * `issuer` of the token asset is the counterparty of that line from this account's point of view.
   */
  readonly balanceChanges: readonly AssetAmount[];
  /** The fee this account paid, in drops (0n when someone else paid it, e.g. a Delegate). */
  readonly feePaidDrops: bigint;
  /**
   * Absolute balances after the transaction, for every asset whose ledger entry appears in the
   * metadata (AccountRoot Balance in XRP; RippleState Balance from this account's side, issuer = the
   * counterparty of the line; MPToken MPTAmount, absent = 0; a deleted entry gives 0).
   */
  readonly balancesAfter: readonly AssetAmount[];
  /**
   * What it received under the spec's rules, only when counted (empty when `counted` is false: not
   * validated, failed, nothing positive); the token `issuer` here is the token's issuer.
   */
  readonly received: readonly AssetAmount[];
  /** True when `received` is non-empty and the transaction is validated and tesSUCCESS. */
  readonly counted: boolean;
  /** Human-readable: why counted or not. */
  readonly reason: string;
}

/** The result of analysing one transaction in any envelope. Never thrown: invalid input is a value. */
export interface TxAnalysis {
  /** False when the input could not be understood; `invalidReason` says why and nothing is counted. */
  readonly valid: boolean;
  readonly invalidReason?: string;
  readonly hash: string | null;
  readonly ledgerIndex: number | null;
  readonly transactionType: string | null;
  readonly result: string | null;
  readonly validated: boolean;
  /** Ledger close time as Unix seconds, when the envelope carries it (tx.date or close_time_iso). */
  readonly closeTime: number | null;
  /** The transaction's Account (the sender). */
  readonly sender: string | null;
  readonly destinationTag: number | null;
  /** A Payment with tfPartialPayment set. */
  readonly partialPayment: boolean;
  /** MemoData of the transaction's memos, decoded from hex as UTF-8 (untrusted text). */
  readonly memos?: readonly string[];
  /** Watched accounts touched by the transaction's metadata, in order of first appearance. */
  readonly accounts: readonly AccountEffect[];
}

/** Which accounts to report on: a set of classic addresses, or every account the metadata touches. */
export type WatchSet = ReadonlySet<string> | 'all';
