import { formatDuration as promDuration } from '../config/duration.js';
import { formatDuration } from '../server/format.js';
import type {
  ConnectionStatus,
  HealthAlert,
  HealthItem,
  HealthLevel,
  LedgerStatus,
  SinksStatus,
} from '../server/status.js';
import type { ActiveAlert, AlertEvaluator } from './alert-evaluator.js';
import { ALERT_RULES, type HealthArea } from './alert-rules.js';

/** Metrics the summary reads besides those the alert rules read. */
export const SUMMARY_METRICS: readonly string[] = [
  'xrpl_state_last_write_success_timestamp_seconds',
  'xrpl_exporter_config_last_reload_success_timestamp_seconds',
];

/** What the summary says beyond the alerts: the live state of the parts, and what is configured. */
export interface HealthFacts {
  /** Unix seconds. */
  readonly now: number;
  readonly connection: ConnectionStatus;
  readonly ledger: LedgerStatus | null;
  readonly accounts: AccountCounts;
  /** state.path is set. */
  readonly stateFile: boolean;
  /** The notification sinks' targets (none when neither email nor alertmanager is configured). */
  readonly sinks: SinksStatus;
}

export interface AccountCounts {
  readonly total: number;
  /** Accounts whose thread is proved complete up to a ledger, with no unrepaired break. */
  readonly verified: number;
  /** Accounts with an unrepaired break (xrpl_account_unverified 1). */
  readonly unverified: number;
  readonly importing: number;
  readonly importsFailing: number;
}

/**
 * The health summary: one item per area, its level from the shipped alerts the evaluator holds active
 * (alert-rules.ts), its words from the facts and from the same metric samples the alerts read.
 */
export function healthItems(facts: HealthFacts, evaluator: AlertEvaluator): HealthItem[] {
  const active = evaluator.alerts();
  const item = (
    area: HealthArea,
    title: string,
    summary: string,
    details: readonly string[] = [],
    off = false,
  ): HealthItem => {
    const alerts = active.filter((a) => a.rule.area === area);
    return {
      area,
      title,
      level: off ? 'off' : level(alerts),
      summary,
      details,
      alerts: alerts.map(healthAlert),
    };
  };
  const gauge = (metric: string): number | null => evaluator.series(metric)[0]?.value ?? null;
  const ago = (time: number) => `${formatDuration(facts.now - time)} ago`;
  /** "3 failed writes in the last 5m": the increase an alert compares, over that alert's window. */
  const recent = (alert: string, one: string, many: string, note = ''): string[] => {
    const { metric, windowSeconds } = increaseOperand(alert);
    const window = `in the last ${promDuration(windowSeconds * 1000)}`;
    return count(
      evaluator.increase(metric, windowSeconds),
      one,
      many,
      [window, note].filter((t) => t !== ''),
    );
  };
  return [
    item('connection', 'Connection', connectionSummary(facts, active), connectionDetails(facts.connection)),
    item(
      'ledger',
      'Validated ledger',
      facts.ledger
        ? `Ledger ${facts.ledger.index} closed ${ago(facts.ledger.closeTime)}`
        : 'No validated ledger yet',
      recent(
        'XRPLLedgerGap',
        'ledger range not backfilled',
        'ledger ranges not backfilled',
        '(the log names them)',
      ),
    ),
    item('accounts', 'Accounts', accountsSummary(facts.accounts), [
      ...count(facts.accounts.importing, 'account', 'accounts', ['importing history']),
      ...count(facts.accounts.importsFailing, 'history import', 'history imports', ['failing']),
    ]),
    facts.sinks.targets.length > 0
      ? item('notifications', 'Notifications', queuedSummary(facts.sinks), [
          ...recent('XRPLAlertEmailFailing', 'failed email attempt', 'failed email attempts'),
          ...recent(
            'XRPLAlertmanagerFailing',
            'failed Alertmanager delivery',
            'failed Alertmanager deliveries',
          ),
          ...recent(
            'XRPLAlertNotificationsRefused',
            'notification refused for good',
            'notifications refused for good',
            '(see Notification sinks)',
          ),
          ...recent('XRPLAlertEmailRecipientRefused', 'email recipient refused', 'email recipients refused'),
        ])
      : item('notifications', 'Notifications', 'No email or Alertmanager configured', [], true),
    facts.stateFile
      ? item(
          'state',
          'State file',
          stateSummary(gauge('xrpl_state_last_write_success_timestamp_seconds'), ago),
          recent('XRPLStateWriteFailing', 'failed write', 'failed writes'),
        )
      : item('state', 'State file', 'None configured: totals start from 0 after a restart', [], true),
    item(
      'reload',
      'Configuration',
      reloadSummary(
        gauge('xrpl_exporter_config_last_reload_successful'),
        gauge('xrpl_exporter_config_last_reload_success_timestamp_seconds'),
        ago,
      ),
    ),
  ];
}

/** The counter and window of an alert that compares an increase. */
function increaseOperand(alert: string): { metric: string; windowSeconds: number } {
  const operand = ALERT_RULES.find((r) => r.alert === alert)?.operand;
  if (operand?.fn !== 'increase') throw new Error(`${alert} is not an increase() rule`);
  return operand;
}

function level(alerts: readonly ActiveAlert[]): HealthLevel {
  if (alerts.some((a) => a.firing && a.rule.severity === 'critical')) return 'critical';
  return alerts.length > 0 ? 'warning' : 'ok';
}

function healthAlert(a: ActiveAlert): HealthAlert {
  return {
    alert: a.rule.alert,
    severity: a.rule.severity,
    state: a.firing ? 'firing' : 'pending',
    since: a.activeSince,
    forSeconds: a.rule.forSeconds,
    labels: a.labels,
  };
}

function connectionSummary(facts: HealthFacts, active: readonly ActiveAlert[]): string {
  const { connection } = facts;
  if (connection.up) return `Connected to ${connection.server}`;
  const down = active.find((a) => a.rule.alert === 'XRPLStreamDown');
  const since = down ? ` (down for ${formatDuration(facts.now - down.activeSince)})` : '';
  if (connection.server !== null)
    return `Connected to ${connection.server}, no fresh validated ledger${since}`;
  return `Not connected${since}`;
}

function connectionDetails(connection: ConnectionStatus): string[] {
  const failing = connection.servers.filter((s) => !s.connected && s.lastError !== null).length;
  return count(failing, 'other server', 'other servers', ['failing (see Servers)']);
}

function accountsSummary(a: AccountCounts): string {
  const watched = `${plural(a.total, 'account')} watched`;
  if (a.verified === 0 && a.unverified === 0) return watched;
  return `${watched}: ${a.verified} verified, ${a.unverified} unverified`;
}

/** "Queued: email 0, alertmanager 3" (summed per sink over its targets). */
function queuedSummary(sinks: SinksStatus): string {
  const perSink = new Map<string, number>();
  for (const t of sinks.targets) perSink.set(t.sink, (perSink.get(t.sink) ?? 0) + t.queued);
  return `Queued: ${[...perSink].map(([sink, n]) => `${sink} ${n}`).join(', ')}`;
}

function stateSummary(lastWrite: number | null, ago: (time: number) => string): string {
  return lastWrite !== null && lastWrite > 0 ? `Saved ${ago(lastWrite)}` : 'Not written yet';
}

function reloadSummary(
  successful: number | null,
  lastSuccess: number | null,
  ago: (time: number) => string,
): string {
  const loaded = lastSuccess !== null && lastSuccess > 0 ? `loaded ${ago(lastSuccess)}` : 'loaded';
  return successful === 0 ? `Last reload failed; running the one ${loaded}` : `Configuration ${loaded}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `["3 failed writes in the last 5m"]`, or nothing for 0. */
function count(n: number, one: string, many: string, rest: readonly string[]): string[] {
  return n > 0 ? [`${plural(n, one, many)} ${rest.join(' ')}`] : [];
}
