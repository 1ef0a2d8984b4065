import type Big from 'big.js';
import type { Asset } from '../accounting/types.js';
import type { RuleKind } from '../config/types.js';

/** One received asset, for one watched account, in one validated transaction: what rules look at. */
export interface PaymentEvent {
  readonly account: string;
  readonly accountName: string;
  readonly asset: Asset;
  readonly value: Big;
  /** The transaction's Account. */
  readonly sender: string | null;
  readonly destinationTag: number | null;
  readonly txType: string;
  readonly hash: string;
  readonly ledgerIndex: number;
  /** Ledger close time, Unix seconds. */
  readonly closeTime: number;
  readonly partial: boolean;
  /** Memo texts as they appear on the ledger (already decoded from hex by the caller, if at all). */
  readonly memos?: readonly string[];
}

export type AlertInput =
  | { readonly kind: 'payment'; readonly payment: PaymentEvent }
  | { readonly kind: 'tick' };

/** A payment as kept in rule state and notifications: plain JSON, the value an exact decimal string. */
export interface PaymentFacts {
  readonly hash: string;
  readonly asset: Asset;
  readonly value: string;
  readonly sender: string | null;
  readonly destinationTag: number | null;
  readonly txType: string;
  readonly ledgerIndex: number;
  /** Unix seconds. */
  readonly closeTime: number;
  readonly partial: boolean;
  readonly memos: readonly string[];
}

/** The rule as the email shows it (plain JSON, so a queued notification survives a restart). */
export interface RuleFacts {
  readonly name: string;
  readonly kind: RuleKind;
  readonly threshold: string | null;
  readonly windowMs: number | null;
  readonly currency: string | null;
  readonly issuer: string | null;
  readonly cooldownMs: number;
}

/** What a window (total/count) rule saw in its window when the notification was made. */
export interface WindowSummary {
  /** Exact sum of the values in the window (meaningful when the rule filters one currency). */
  readonly total: string;
  readonly count: number;
  /** The largest payments in the window, largest first (at most 5). */
  readonly largest: readonly PaymentFacts[];
  /** Window bounds, Unix seconds: (from, to]. */
  readonly from: number;
  readonly to: number;
}

export interface SilenceSummary {
  /** Close time of the last matching payment (Unix seconds), or null when none was seen. */
  readonly lastPaymentAt: number | null;
  /** Start of the silence: the last matching payment, or when watching began (Unix seconds). */
  readonly silentSince: number;
  /** The evaluation time (Unix seconds). */
  readonly at: number;
}

/**
 * One email to send. `key` is the idempotency key: (rule, account, tx hash) for payment rules,
 * (rule, account, episode, sequence) for window and silence rules. Plain JSON.
 */
export interface Notification {
  readonly key: string;
  readonly kind: 'payment' | 'firing' | 'resolved';
  readonly rule: RuleFacts;
  /** Recipients override from the rule; null = the email section's `to`. */
  readonly to: readonly string[] | null;
  readonly account: string;
  readonly accountName: string;
  /** The qualifying payment (payment rules) or the payment that started or ended the episode. */
  readonly payment: PaymentFacts | null;
  readonly window: WindowSummary | null;
  readonly silence: SilenceSummary | null;
  /** Window and silence rules: the episode id (stable across restarts). */
  readonly episode: string | null;
  /** 0 for the first firing email of an episode, n for the n-th "still firing" reminder. */
  readonly reminder: number;
  /** Evaluation time, Unix seconds. */
  readonly at: number;
}
