import { Counter, Gauge, type Registry } from 'prom-client';

/** Version metadata for xrpl_exporter_build_info. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  /** e.g. "v20.19.0"; passed in because only main.ts reads `process`. */
  readonly nodeVersion: string;
}

/** The exporter's own health metrics, declared once on the private registry (spec.md "Metrics"). */
export function declareOperationalMetrics(registry: Registry, build: BuildInfo) {
  const registers = [registry];
  const metrics = {
    up: new Gauge({
      name: 'xrpl_up',
      help: '1 when connected, subscribed and the validated ledger stream is fresh, else 0.',
      registers,
    }),
    streamConnected: new Gauge({
      name: 'xrpl_stream_connected',
      help: '1 for the server the exporter is currently connected and subscribed to, else 0.',
      labelNames: ['server'] as const,
      registers,
    }),
    validatedLedgerIndex: new Gauge({
      name: 'xrpl_validated_ledger_index',
      help: 'Index of the latest validated ledger seen on the ledger stream.',
      registers,
    }),
    validatedLedgerCloseTime: new Gauge({
      name: 'xrpl_validated_ledger_close_timestamp_seconds',
      help: 'Close time of the latest validated ledger seen, Unix seconds.',
      registers,
    }),
    reconnects: new Counter({
      name: 'xrpl_reconnects_total',
      help: 'Reconnections to a server after the connection was lost or went stale.',
      labelNames: ['server'] as const,
      registers,
    }),
    connectFailures: new Counter({
      name: 'xrpl_connection_attempts_failed_total',
      help: 'Attempts to open a connection to a server that failed (refused, timed out, TLS or HTTP error).',
      labelNames: ['server'] as const,
      registers,
    }),
    ledgerGaps: new Counter({
      name: 'xrpl_ledger_gaps_total',
      help: 'Ledger ranges that no server could backfill; their payments may be missing.',
      registers,
    }),
    backfilled: new Counter({
      name: 'xrpl_backfilled_transactions_total',
      help: 'Transactions replayed from account history to fill a gap in the stream.',
      registers,
    }),
    historyImported: new Counter({
      name: 'xrpl_history_imported_transactions_total',
      help: 'Transactions read by history imports (accounts[].since) that touched the importing account.',
      registers,
    }),
    historyRemaining: new Gauge({
      name: 'xrpl_history_import_ledgers_remaining',
      help: 'Ledgers a history import (accounts[].since) still has to read; present while the import is unfinished.',
      labelNames: ['account', 'name'] as const,
      registers,
    }),
    invalidMessages: new Counter({
      name: 'xrpl_invalid_messages_total',
      help: 'Messages from the server that could not be understood and were ignored.',
      registers,
    }),
    emailsSent: new Counter({
      name: 'xrpl_alert_emails_sent_total',
      help: 'Alert emails accepted by the SMTP server, per rule.',
      labelNames: ['rule'] as const,
      registers,
    }),
    emailFailures: new Counter({
      name: 'xrpl_alert_email_failures_total',
      help: 'Failed alert email send attempts (each is retried), per rule.',
      labelNames: ['rule'] as const,
      registers,
    }),
    emailsQueued: new Gauge({
      name: 'xrpl_alert_emails_queued',
      help: 'Alert emails waiting in the outbox to be sent or retried.',
      registers,
    }),
    emailRecipientsRefused: new Counter({
      name: 'xrpl_alert_email_recipients_refused_total',
      help: 'Alert email recipients the SMTP server refused for good (5xx), per rule; they are not retried.',
      labelNames: ['rule'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'xrpl_alert_dead_letters_total',
      help: 'Notifications given up after a permanent refusal (SMTP 5xx, Alertmanager 400), per sink and rule.',
      labelNames: ['sink', 'rule'] as const,
      registers,
    }),
    alertmanagerSent: new Counter({
      name: 'xrpl_alertmanager_alerts_sent_total',
      help: 'Alerts accepted by an Alertmanager (one per Alertmanager URL that accepted it), per rule.',
      labelNames: ['rule'] as const,
      registers,
    }),
    alertmanagerErrors: new Counter({
      name: 'xrpl_alertmanager_errors_total',
      help: 'Alerts whose delivery to this Alertmanager URL failed (each is retried), per URL.',
      labelNames: ['url'] as const,
      registers,
    }),
    alertmanagerQueued: new Gauge({
      name: 'xrpl_alertmanager_alerts_queued',
      help: 'Alerts waiting in the outbox to be delivered to an Alertmanager (one per URL).',
      registers,
    }),
    watchedAccounts: new Gauge({
      name: 'xrpl_watched_accounts',
      help: 'Number of configured watched accounts.',
      registers,
    }),
    buildInfo: new Gauge({
      name: 'xrpl_exporter_build_info',
      help: 'Always 1; the labels tell the exporter version, git revision and Node.js version.',
      labelNames: ['version', 'revision', 'nodeversion'] as const,
      registers,
    }),
    stateWriteFailures: new Counter({
      name: 'xrpl_state_write_failures_total',
      help: 'Failed attempts to write the state file (each is retried at the next save; the last good copy is kept).',
      registers,
    }),
    stateLastWriteSuccess: new Gauge({
      name: 'xrpl_state_last_write_success_timestamp_seconds',
      help: 'Time the state file was last written successfully, Unix seconds (0 before the first write).',
      registers,
    }),
    configReloadSuccessful: new Gauge({
      name: 'xrpl_exporter_config_last_reload_successful',
      help: '1 when the last configuration (re)load succeeded, else 0.',
      registers,
    }),
    configReloadSuccessTime: new Gauge({
      name: 'xrpl_exporter_config_last_reload_success_timestamp_seconds',
      help: 'Time of the last successful configuration (re)load, Unix seconds.',
      registers,
    }),
  };
  metrics.buildInfo.set(
    { version: build.version, revision: build.revision, nodeversion: build.nodeVersion },
    1,
  );
  return metrics;
}

export type OperationalMetrics = ReturnType<typeof declareOperationalMetrics>;

/**
 * Makes the per-label series of a metric match a configured set: new values appear at 0 (so
 * `increase()` sees the first event), removed ones disappear, existing ones keep their value.
 */
export function syncLabelValues<L extends string>(
  metric: Counter<L> | Gauge<L>,
  label: L,
  previous: readonly string[],
  next: readonly string[],
): void {
  const keep = new Set(next);
  for (const value of previous) {
    if (!keep.has(value)) metric.remove({ [label]: value } as Record<L, string>);
  }
  for (const value of next) {
    const labels = { [label]: value } as Record<L, string>;
    if (metric instanceof Counter) metric.inc(labels, 0);
    else if (!previous.includes(value)) metric.set(labels, 0);
  }
}
