import { maskUrlSecrets, maskUrlsInText } from '../config/index.js';
import type { AccountConfig } from '../config/types.js';
import type { ImportStatus } from '../history/imports.js';
import type { ExporterMetrics } from '../metrics/index.js';
import type { ServerConnectionState } from '../rippled/index.js';
import type {
  AccountStatus,
  AccountVerification,
  RuleStatus,
  ServerStatus,
  SinksStatus,
  StatusQuery,
  StatusSnapshot,
} from '../server/index.js';
import {
  ACCOUNTS_SHOWN,
  type AccountCounts,
  type AlertEvaluator,
  chooseAccounts,
  type HealthFacts,
  healthItems,
  type RankedAccount,
} from '../status/index.js';
import type { RecentPayments } from './recent.js';

export interface StatusSources {
  /** Unix seconds. */
  readonly now: number;
  /** The server in use, its secrets masked; null between sessions. */
  readonly server: string | null;
  /** As the client reports them: URLs and reasons not yet masked. */
  readonly servers: readonly ServerConnectionState[];
  readonly up: boolean;
  readonly apiVersion: 1 | 2;
  readonly lastLedger: { readonly index: number; readonly closeTime: number | null } | null;
  readonly accounts: readonly AccountConfig[];
  readonly metrics: ExporterMetrics;
  readonly recent: RecentPayments;
  readonly rules: readonly RuleStatus[];
  readonly warnings: readonly string[];
  /** The account's history import, if it has one. */
  readonly history: (account: string) => ImportStatus | null;
  readonly verification: (account: string) => AccountVerification | null;
  readonly sinks: SinksStatus;
  /** The shipped alerts evaluated on the exporter's metrics. */
  readonly alerts: AlertEvaluator;
  /** What is configured, for the health summary. */
  readonly configured: { readonly stateFile: boolean };
  readonly query?: StatusQuery;
}

/** What the status page and /api/status show, taken from the running exporter's parts. */
export function buildStatus(s: StatusSources): StatusSnapshot {
  const connection = {
    state: s.server === null ? ('connecting' as const) : ('connected' as const),
    server: s.server,
    apiVersion: s.apiVersion,
    up: s.up,
    servers: s.servers.map((server) => serverStatus(server, s)),
  };
  const ledger =
    s.lastLedger && s.lastLedger.closeTime !== null
      ? { index: s.lastLedger.index, closeTime: s.lastLedger.closeTime }
      : null;
  const ranked = s.accounts.map((account) => rank(account, s));
  const search = s.query?.account?.trim() || null;
  const choice = chooseAccounts(ranked, search);
  const facts: HealthFacts = {
    now: s.now,
    connection,
    ledger,
    accounts: countAccounts(ranked),
    stateFile: s.configured.stateFile,
    sinks: s.sinks,
  };
  return {
    now: s.now,
    connection,
    ledger,
    health: healthItems(facts, s.alerts),
    accounts: choice.shown.map((account) => accountStatus(account, s)),
    accountList: { total: ranked.length, matching: choice.matching, search, limit: ACCOUNTS_SHOWN },
    recentPayments: s.recent.list(),
    rules: s.rules,
    warnings: s.warnings,
    sinks: s.sinks,
  };
}

interface Ranked extends RankedAccount<AccountConfig> {
  readonly verification: AccountVerification | null;
  readonly history: ImportStatus | null;
}

/** Cheap facts only: this runs for every watched account on every request. */
function rank(account: AccountConfig, s: StatusSources): Ranked {
  const history = s.history(account.address);
  const verification = s.verification(account.address);
  const unverified = (verification?.unverifiedRanges.length ?? 0) > 0;
  const importing = history !== null && history.state !== 'done';
  return {
    account,
    name: account.name,
    address: account.address,
    attention: unverified || history?.state === 'failing' ? 2 : importing ? 1 : 0,
    lastReceivedAt: s.metrics.totals.get(account.address)?.lastReceivedAt ?? null,
    verification,
    history,
  };
}

function countAccounts(ranked: readonly Ranked[]): AccountCounts {
  const counts = { total: ranked.length, verified: 0, unverified: 0, importing: 0, importsFailing: 0 };
  for (const r of ranked) {
    if (r.verification !== null) {
      if (r.verification.unverifiedRanges.length > 0) counts.unverified++;
      else counts.verified++;
    }
    if (r.history?.state === 'failing') counts.importsFailing++;
    else if (r.history !== null && r.history.state !== 'done') counts.importing++;
  }
  return counts;
}

function serverStatus(state: ServerConnectionState, s: StatusSources): ServerStatus {
  const failure = state.lastFailure;
  return {
    url: maskUrlSecrets(state.server),
    connected: state.connected,
    // Error texts may quote a URL (and its secrets) of any configured server.
    lastError:
      failure === null
        ? null
        : maskUrlsInText(
            failure.reason,
            s.servers.map((x) => x.server),
          ),
    lastErrorAt: failure === null ? null : s.now - failure.agoMs / 1000,
    nextAttemptAt: state.connected || state.restMs === 0 ? null : s.now + state.restMs / 1000,
  };
}

function accountStatus(account: AccountConfig, s: StatusSources): AccountStatus {
  const totals = s.metrics.accountStatus(account.address);
  const last = s.recent.lastFor(account.address);
  return {
    name: account.name,
    address: account.address,
    balances: totals.balances,
    received: totals.received,
    history: s.history(account.address),
    trend: s.recent.trend(account.address, s.now),
    lastPayment: last
      ? {
          hash: last.hash,
          explorerLink: last.link,
          amount: last.amount,
          currency: last.currency,
          issuer: last.issuer,
          time: last.time,
        }
      : null,
    verification: s.verification(account.address),
  };
}
