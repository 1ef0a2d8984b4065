/**
 * What the status page (`GET /`) and its JSON twin (`GET /api/status`) show. The integrator fills it from
 * the pipeline on every request; the server only renders it.
 *
 * Times are Unix seconds. Amounts are exact decimal strings (never floats). Every string that comes from
 * the ledger or the config (currency codes, memos, names, issuers, transaction types) is untrusted text:
 * the renderers escape it and never build markup from it.
 */
export interface StatusSnapshot {
  /** When the snapshot was taken; every age on the page is relative to it. */
  readonly now: number;
  readonly connection: ConnectionStatus;
  /** The last validated ledger seen, or null before the first one. */
  readonly ledger: LedgerStatus | null;
  /** What an operator reads first: one item per area, coloured by the shipped Prometheus alerts. */
  readonly health: readonly HealthItem[];
  /** The accounts shown: all of them, or those accountList says (a search, or the first ACCOUNTS_SHOWN). */
  readonly accounts: readonly AccountStatus[];
  readonly accountList: AccountListStatus;
  /** Newest first, at most 50. */
  readonly recentPayments: readonly PaymentStatus[];
  readonly rules: readonly RuleStatus[];
  /** Problems an operator must see first (e.g. the state file cannot be written); empty when none. */
  readonly warnings: readonly string[];
  /** Where notifications go, and those given up. */
  readonly sinks: SinksStatus;
}

/** What the page was asked for: `?account=` searches the accounts by name or address. */
export interface StatusQuery {
  readonly account?: string | null;
}

/**
 * ok: no shipped alert of the area is active; warning: one is pending (its condition holds, not yet for
 * its `for`) or a warning is firing; critical: a critical alert is firing; off: not configured.
 */
export type HealthLevel = 'ok' | 'warning' | 'critical' | 'off';

export interface HealthItem {
  /** A stable key: connection, ledger, accounts, notifications, state, reload. */
  readonly area: string;
  readonly title: string;
  readonly level: HealthLevel;
  /** The line an operator reads first. */
  readonly summary: string;
  /** More lines, e.g. queues per sink. */
  readonly details: readonly string[];
  /** The area's shipped alerts (prometheus/alerts.yml) that are pending or firing. */
  readonly alerts: readonly HealthAlert[];
}

export interface HealthAlert {
  /** The alert's name in prometheus/alerts.yml. */
  readonly alert: string;
  readonly severity: 'critical' | 'warning';
  readonly state: 'pending' | 'firing';
  /** When its condition began to hold, Unix seconds. */
  readonly since: number;
  /** How long it must hold before it fires. */
  readonly forSeconds: number;
  /** The series' labels, e.g. the server or rule it is about. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface AccountListStatus {
  /** Accounts watched. */
  readonly total: number;
  /** Accounts matching the search (total without one). */
  readonly matching: number;
  /** The search given (`?account=`), or null. */
  readonly search: string | null;
  /** The most the page shows. */
  readonly limit: number;
}

export type ConnectionState = 'connected' | 'connecting' | 'disconnected';

export interface ConnectionStatus {
  readonly state: ConnectionState;
  /** The URL of the server in use (or being tried), null when none. */
  readonly server: string | null;
  readonly apiVersion: 1 | 2;
  /** The value of `xrpl_up`: connected, subscribed and the ledger stream fresh. */
  readonly up: boolean;
  /** Every configured server, in the configured order. */
  readonly servers: readonly ServerStatus[];
}

export interface ServerStatus {
  /** The configured URL, its password and query values masked. */
  readonly url: string;
  readonly connected: boolean;
  /** Why the server last failed (it could not be connected to, or why its session ended), passwords
   * masked; null when it never failed. */
  readonly lastError: string | null;
  /** When it last failed, Unix seconds. */
  readonly lastErrorAt: number | null;
  /** When the server is next tried after a failure, Unix seconds; null when it is not resting. */
  readonly nextAttemptAt: number | null;
}

export interface LedgerStatus {
  readonly index: number;
  /** Ledger close time, Unix seconds. */
  readonly closeTime: number;
}

/** One asset: `currency` as the metrics label shows it ("XRP", a code, or an MPT issuance id). */
export interface AssetValue {
  readonly currency: string;
  /** The token's issuer; empty for XRP and MPTs. */
  readonly issuer: string;
  /** Exact decimal string. */
  readonly value: string;
}

export interface ReceivedTotal extends AssetValue {
  /** Number of transfers that made up the total. */
  readonly count: number;
}

export interface AccountStatus {
  readonly name: string;
  readonly address: string;
  /** A page about the account on an explorer, when one is configured. */
  readonly explorerUrl?: string | null;
  readonly balances: readonly AssetValue[];
  readonly received: readonly ReceivedTotal[];
  readonly lastPayment: LastPayment | null;
  /** The account's history import (accounts[].since), if it has one. */
  readonly history?: HistoryImportStatus | null;
  /** The proof of the account's transaction thread; null before it starts. */
  readonly verification?: AccountVerification | null;
  /** Receipts per minute over the last hour, oldest first; null when none. */
  readonly trend?: readonly number[] | null;
}

export interface AccountVerification {
  /** Last ledger up to which the thread is proved complete. */
  readonly verifiedLedger: number;
  /** Unrepaired breaks as ledger ranges ("from-to"): payments there may be missing. */
  readonly unverifiedRanges: readonly string[];
}

export interface HistoryImportStatus {
  readonly state: 'waiting' | 'importing' | 'done' | 'failing';
  /** Ledgers left to read, when known. */
  readonly ledgersLeft: number | null;
  /** Whole percent read, when known. */
  readonly percent: number | null;
  /** Why the last attempt failed, while it is failing. */
  readonly error: string | null;
}

export interface LastPayment {
  readonly hash: string;
  readonly explorerLink: string | null;
  readonly amount: string;
  readonly currency: string;
  readonly issuer: string;
  /** Ledger close time of the transaction, Unix seconds. */
  readonly time: number;
}

export interface PaymentStatus {
  /** Ledger close time of the transaction, Unix seconds. */
  readonly time: number;
  readonly accountName: string;
  readonly accountAddress: string;
  readonly amount: string;
  readonly currency: string;
  readonly issuer: string;
  /** The transaction's sender (its `Account` field). */
  readonly sender: string;
  /** The transaction type, e.g. "Payment" or "CheckCash". */
  readonly type: string;
  readonly hash: string;
  /** Explorer link for the transaction, when an explorer is configured. */
  readonly link: string | null;
  /** A Payment with tfPartialPayment set. */
  readonly partial: boolean;
  /** The decoded memo text, if the transaction carried one. */
  readonly memo?: string | null;
}

export type RuleState = 'ok' | 'firing';

export interface RuleStatus {
  readonly name: string;
  readonly kind: string;
  readonly state: RuleState;
  /** When the last alert email for this rule went out, Unix seconds. */
  readonly lastEmailAt: number | null;
  /** The earliest time the cooldown lets the next email go, Unix seconds; null when nothing holds it back. */
  readonly nextEmailAllowedAt: number | null;
}

export interface SinksStatus {
  /** One per sink target: the SMTP server, each Alertmanager URL (its secrets masked). */
  readonly targets: readonly SinkTargetStatus[];
  /** Notifications (or email recipients) refused for good, newest first. */
  readonly deadLetters: readonly DeadLetterStatus[];
}

export interface SinkTargetStatus {
  /** `email` or `alertmanager`. */
  readonly sink: string;
  readonly target: string;
  readonly queued: number;
  /** Unix seconds of the last accepted delivery. */
  readonly lastSuccessAt: number | null;
  /** The last failure, or null when the last attempt succeeded. */
  readonly lastError: { readonly at: number; readonly message: string } | null;
}

export interface DeadLetterStatus {
  /** Unix seconds. */
  readonly at: number;
  readonly sink: string;
  readonly rule: string;
  readonly target: string;
  /** The recipient refused, when only that recipient was lost. */
  readonly recipient: string | null;
  readonly what: string;
  readonly error: string;
}

/** The status page shows this many recent payments; the integrator keeps no more than that. */
export const RECENT_PAYMENTS_LIMIT = 50;
