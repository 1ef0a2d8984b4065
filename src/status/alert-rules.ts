import { formatDuration } from '../config/duration.js';

/**
 * The shipped Prometheus alerts (prometheus/alerts.yml) that colour the status page's health summary,
 * as data the exporter evaluates on its own metrics. The page is green, amber or red for exactly the
 * conditions Prometheus alerts on: test/status/alert-rules.test.ts renders each rule back to PromQL and
 * requires it to equal the expression, `for` and severity in alerts.yml, and requires every alert there
 * to be either here or in NOT_ON_THE_PAGE with its reason.
 */

export type Severity = 'critical' | 'warning';

/** The tiles of the health summary. */
export type HealthArea = 'connection' | 'ledger' | 'accounts' | 'notifications' | 'state' | 'reload';

/** What a rule compares: one series' value, its age (`time() - value`), or a counter's increase. */
export type Operand =
  | { readonly fn: 'value'; readonly metric: string }
  | { readonly fn: 'age'; readonly metric: string }
  | { readonly fn: 'increase'; readonly metric: string; readonly windowSeconds: number };

export interface AlertRule {
  /** The alert's name in prometheus/alerts.yml. */
  readonly alert: string;
  readonly area: HealthArea;
  readonly severity: Severity;
  /** How long the condition must hold before the alert fires (`for:`); 0 fires at once. */
  readonly forSeconds: number;
  readonly operand: Operand;
  readonly op: '>' | '==';
  readonly threshold: number;
}

export const ALERT_RULES: readonly AlertRule[] = [
  {
    alert: 'XRPLStreamDown',
    area: 'connection',
    severity: 'critical',
    forSeconds: 120,
    operand: { fn: 'value', metric: 'xrpl_up' },
    op: '==',
    threshold: 0,
  },
  {
    alert: 'XRPLReconnectingOften',
    area: 'connection',
    severity: 'warning',
    forSeconds: 0,
    operand: { fn: 'increase', metric: 'xrpl_reconnects_total', windowSeconds: 1800 },
    op: '>',
    threshold: 5,
  },
  {
    alert: 'XRPLServerUnreachable',
    area: 'connection',
    severity: 'warning',
    forSeconds: 600,
    operand: { fn: 'increase', metric: 'xrpl_connection_attempts_failed_total', windowSeconds: 900 },
    op: '>',
    threshold: 3,
  },
  {
    alert: 'XRPLLedgerStale',
    area: 'ledger',
    severity: 'warning',
    forSeconds: 60,
    operand: { fn: 'age', metric: 'xrpl_validated_ledger_close_timestamp_seconds' },
    op: '>',
    threshold: 120,
  },
  {
    alert: 'XRPLLedgerGap',
    area: 'ledger',
    severity: 'critical',
    forSeconds: 0,
    operand: { fn: 'increase', metric: 'xrpl_ledger_gaps_total', windowSeconds: 3600 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLStateWriteFailing',
    area: 'state',
    severity: 'warning',
    forSeconds: 300,
    operand: { fn: 'increase', metric: 'xrpl_state_write_failures_total', windowSeconds: 300 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLAccountUnverified',
    area: 'accounts',
    severity: 'critical',
    forSeconds: 600,
    operand: { fn: 'value', metric: 'xrpl_account_unverified' },
    op: '==',
    threshold: 1,
  },
  {
    alert: 'XRPLAlertEmailFailing',
    area: 'notifications',
    severity: 'warning',
    forSeconds: 0,
    operand: { fn: 'increase', metric: 'xrpl_alert_email_failures_total', windowSeconds: 900 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLAlertEmailQueueStuck',
    area: 'notifications',
    severity: 'warning',
    forSeconds: 3600,
    operand: { fn: 'value', metric: 'xrpl_alert_emails_queued' },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLAlertmanagerFailing',
    area: 'notifications',
    severity: 'warning',
    forSeconds: 600,
    operand: { fn: 'increase', metric: 'xrpl_alertmanager_errors_total', windowSeconds: 300 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLAlertNotificationsRefused',
    area: 'notifications',
    severity: 'warning',
    forSeconds: 0,
    operand: { fn: 'increase', metric: 'xrpl_alert_dead_letters_total', windowSeconds: 3600 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLAlertEmailRecipientRefused',
    area: 'notifications',
    severity: 'warning',
    forSeconds: 0,
    operand: { fn: 'increase', metric: 'xrpl_alert_email_recipients_refused_total', windowSeconds: 3600 },
    op: '>',
    threshold: 0,
  },
  {
    alert: 'XRPLConfigReloadFailed',
    area: 'reload',
    severity: 'warning',
    forSeconds: 300,
    operand: { fn: 'value', metric: 'xrpl_exporter_config_last_reload_successful' },
    op: '==',
    threshold: 0,
  },
];

/** Alerts of prometheus/alerts.yml that do not colour the page, and why. */
export const NOT_ON_THE_PAGE: Readonly<Record<string, string>> = {
  XRPLExporterDown: 'Prometheus cannot scrape the exporter: a page that is served shows it runs',
  XRPLExporterTargetMissing: 'a Prometheus configuration problem the exporter cannot see',
  XRPLStreamDisconnected: 'no server connected: xrpl_up is 0 then, and XRPLStreamDown fires sooner',
  XRPLInvalidMessages: 'severity info: counted and logged, nothing to act on',
  XRPLAlertEmailQueueGrowing: 'a queue that is not empty is already pending for XRPLAlertEmailQueueStuck',
};

/** The metrics the rules read, for sampling. */
export function ruleMetrics(rules: readonly AlertRule[]): string[] {
  return [...new Set(rules.map((r) => r.operand.metric))];
}

/** The rule as PromQL without the job selector, as in alerts.yml: `increase(x[15m]) > 0`. */
export function ruleExpr(rule: AlertRule): string {
  const o = rule.operand;
  const left =
    o.fn === 'value'
      ? o.metric
      : o.fn === 'age'
        ? `time() - ${o.metric}`
        : `increase(${o.metric}[${formatDuration(o.windowSeconds * 1000)}])`;
  return `${left} ${rule.op} ${rule.threshold}`;
}
