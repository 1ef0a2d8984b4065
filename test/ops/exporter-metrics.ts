import { collectDefaultMetrics, Registry } from 'prom-client';
import { seriesNamesOf } from './promql.js';

/** spec.md "Metrics": the families the exporter exposes, with their types. */
export const SPEC_METRICS: ReadonlyArray<{ name: string; type: string }> = [
  { name: 'xrpl_payments_received_total', type: 'counter' },
  { name: 'xrpl_received_amount_total', type: 'counter' },
  { name: 'xrpl_partial_payments_received_total', type: 'counter' },
  { name: 'xrpl_last_received_amount', type: 'gauge' },
  { name: 'xrpl_last_received_timestamp_seconds', type: 'gauge' },
  { name: 'xrpl_balance', type: 'gauge' },
  { name: 'xrpl_received_payment_size_xrp', type: 'histogram' },
  { name: 'xrpl_up', type: 'gauge' },
  { name: 'xrpl_stream_connected', type: 'gauge' },
  { name: 'xrpl_validated_ledger_index', type: 'gauge' },
  { name: 'xrpl_validated_ledger_close_timestamp_seconds', type: 'gauge' },
  { name: 'xrpl_reconnects_total', type: 'counter' },
  { name: 'xrpl_ledger_gaps_total', type: 'counter' },
  { name: 'xrpl_backfilled_transactions_total', type: 'counter' },
  { name: 'xrpl_invalid_messages_total', type: 'counter' },
  { name: 'xrpl_alert_emails_sent_total', type: 'counter' },
  { name: 'xrpl_alert_email_failures_total', type: 'counter' },
  { name: 'xrpl_alert_emails_queued', type: 'gauge' },
  { name: 'xrpl_watched_accounts', type: 'gauge' },
  { name: 'xrpl_exporter_build_info', type: 'gauge' },
  { name: 'xrpl_exporter_config_last_reload_successful', type: 'gauge' },
];

/** Series Prometheus itself attaches to every scrape target. */
const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/** prom-client's default process/runtime metrics, read from a real registry. */
async function defaultMetricSeries(): Promise<string[]> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const families = await registry.getMetricsAsJSON();
  return families.flatMap((f) => seriesNamesOf({ name: f.name, type: String(f.type) }));
}

/** Every series name a dashboard query or alerting rule may select. */
export async function exposedSeriesNames(): Promise<Set<string>> {
  return new Set([
    ...SPEC_METRICS.flatMap(seriesNamesOf),
    ...SCRAPE_SERIES,
    ...(await defaultMetricSeries()),
  ]);
}
