import type Big from 'big.js';
import type { HistoryPoint } from '../history/since.js';

/** The validated, typed, frozen configuration. YAML keys are snake_case; these fields are camelCase. */
export interface Config {
  readonly xrpl: XrplConfig;
  readonly accounts: readonly AccountConfig[];
  readonly state: StateConfig;
  readonly verification: VerificationConfig;
  readonly metrics: MetricsConfig;
  readonly email: EmailConfig | null;
  readonly alertmanager: AlertmanagerConfig | null;
  readonly rules: readonly RuleConfig[];
}

export interface XrplConfig {
  /** ws:// or wss:// URLs, tried in order with failover. */
  readonly servers: readonly string[];
  /** @default 2 */
  readonly apiVersion: 1 | 2;
  /** No validated ledger for this long -> reconnect. @default 30s */
  readonly staleAfterMs: number;
  /** @default 20s */
  readonly requestTimeoutMs: number;
  /** Template with `{hash}`, e.g. https://testnet.xrpl.org/transactions/{hash}. */
  readonly explorerUrl: string | null;
  /** Above this many accounts, subscribe to the transactions stream and filter locally. @default 10000 */
  readonly fullStreamThreshold: number;
  /** A server reporting another network is never used; null: the first network seen is recorded. */
  readonly networkId: number | null;
}

export interface AccountConfig {
  readonly address: string;
  /** Unique; defaults to the address. */
  readonly name: string;
  /** Optional group for metrics.aggregate_by: group. */
  readonly group: string | null;
  /**
   * Where counting starts when the exporter first watches the account (no state for it yet): history
   * from here up to the watch start is imported and counted (no alerts). Null: from the watch start.
   */
  readonly since: HistoryPoint | null;
}

export interface VerificationConfig {
  /** How often every watched account's thread is checked with account_info / account_objects; 0: never. */
  readonly intervalMs: number;
}

export interface StateConfig {
  readonly path: string | null;
  /** @default 100000 */
  readonly maxBackfillLedgers: number;
}

export interface MetricsConfig {
  /** @default [1, 10, 100, 1000, 10000, 100000, 1000000] */
  readonly paymentSizeBucketsXrp: readonly number[];
  /** @default 'account' */
  readonly aggregateBy: 'account' | 'group';
}

export interface EmailConfig {
  readonly smtp: SmtpConfig;
  readonly from: string;
  readonly to: readonly string[];
}

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** true = implicit TLS; false = STARTTLS when offered. */
  readonly secure: boolean;
  readonly user: string | null;
  /** A secret: never printed or logged. */
  readonly password: string | null;
}

export interface AlertmanagerConfig {
  /** Base URLs; every alert is posted to `<url>/api/v2/alerts` on each of them. */
  readonly urls: readonly string[];
  /** Firing total/count/silence alerts are re-sent this often. @default 1m */
  readonly resendIntervalMs: number;
  /** @default 10s */
  readonly timeoutMs: number;
  /** The password is a secret: never printed or logged. */
  readonly basicAuth: { readonly username: string; readonly password: string } | null;
}

/** Where a rule's notifications go. */
export type SinkName = 'email' | 'alertmanager';

export type RuleKind = 'payment' | 'total' | 'count' | 'silence';

export interface RuleConfig {
  readonly name: string;
  readonly kind: RuleKind;
  /** payment/total: an amount; count: a number of payments. Absent for silence. */
  readonly threshold: Big | null;
  /** total, count, silence. */
  readonly windowMs: number | null;
  /** "XRP", a 3-letter code, 40-hex, or an MPT issuance id (48 hex). */
  readonly currency: string | null;
  readonly issuer: string | null;
  /** Resolved to addresses (names in the YAML are mapped to their address). Null = all accounts. */
  readonly accounts: readonly string[] | null;
  readonly from: readonly string[] | null;
  readonly destinationTag: number | 'missing' | null;
  readonly cooldownMs: number;
  /** Recipients override; null = email.to. */
  readonly to: readonly string[] | null;
  /** The sinks this rule notifies; defaults to every configured sink. */
  readonly notify: readonly SinkName[];
  /** Extra labels on the rule's Alertmanager alerts. */
  readonly labels: Readonly<Record<string, string>>;
}
