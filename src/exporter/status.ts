import { maskServerUrls, maskUrlPassword } from '../config/index.js';
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
  StatusSnapshot,
} from '../server/index.js';
import type { RecentPayments } from './recent.js';

export interface StatusSources {
  /** Unix seconds. */
  readonly now: number;
  /** The server in use, password masked; null between sessions. */
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
}

/** What the status page and /api/status show, taken from the running exporter's parts. */
export function buildStatus(s: StatusSources): StatusSnapshot {
  return {
    now: s.now,
    connection: {
      state: s.server === null ? 'connecting' : 'connected',
      server: s.server,
      apiVersion: s.apiVersion,
      up: s.up,
      servers: s.servers.map((server) => serverStatus(server, s)),
    },
    ledger:
      s.lastLedger && s.lastLedger.closeTime !== null
        ? { index: s.lastLedger.index, closeTime: s.lastLedger.closeTime }
        : null,
    accounts: s.accounts.map((account) => accountStatus(account, s)),
    recentPayments: s.recent.list(),
    rules: s.rules,
    warnings: s.warnings,
    sinks: s.sinks,
  };
}

function serverStatus(state: ServerConnectionState, s: StatusSources): ServerStatus {
  const failure = state.lastFailure;
  return {
    url: maskUrlPassword(state.server),
    connected: state.connected,
    // Error texts may quote a URL (and its password) of any configured server.
    lastError:
      failure === null
        ? null
        : maskServerUrls(
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
