import { createMetrics } from '../../src/metrics/index.js';
import { seriesNamesOf } from './promql.js';

/** spec.md "Metrics": the families the exporter must expose, with their types. */
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

/** The metric families (name and type) in the exporter's real registry, read from its exposition. */
export async function exporterFamilies(): Promise<Array<{ name: string; type: string }>> {
  const metrics = createMetrics({
    accounts: [{ address: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K', name: 'alice', group: null }],
    rules: ['large-xrp'],
    servers: ['wss://example.test'],
    paymentSizeBucketsXrp: [1, 10, 100],
    build: { version: '0.0.0', revision: 'test', nodeVersion: 'v20.0.0' },
  });
  const { body } = await metrics.render();
  return [...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
}

/** Every series name a dashboard query or alerting rule may select. */
export async function exposedSeriesNames(): Promise<Set<string>> {
  return new Set([...(await exporterFamilies()).flatMap(seriesNamesOf), ...SCRAPE_SERIES]);
}
