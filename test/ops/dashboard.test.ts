import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintDashboard, panelsOf, targetsOf, variablesOf } from './dashboard/lint.js';
import { buildDashboard, DASHBOARD_PATH, DASHBOARD_UID } from './dashboard/xrpl-payments.js';
import { exporterFamilies, exposedSeriesNames, SPEC_METRICS } from './exporter-metrics.js';
import { parsePromql, substituteGrafanaVariables } from './promql.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function committedDashboard(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(REPO_ROOT, DASHBOARD_PATH), 'utf8')) as Record<string, unknown>;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('grafana/dashboards/xrpl-payments.json', () => {
  it('is what test/ops/dashboard/xrpl-payments.ts generates', async () => {
    const generated = buildDashboard();
    // Regenerate with UPDATE_DASHBOARD=1, then `npx biome format --write grafana/dashboards`.
    if (process.env.UPDATE_DASHBOARD === '1') {
      await writeFile(join(REPO_ROOT, DASHBOARD_PATH), `${JSON.stringify(generated, null, 2)}\n`);
    }
    expect(await committedDashboard()).toEqual(generated);
  });

  it('passes the ported dashboard-linter rules', async () => {
    expect(lintDashboard(await committedDashboard())).toEqual([]);
  });

  it('is provisionable: stable uid, schema 42, no __inputs or hard-coded datasource', async () => {
    const dashboard = await committedDashboard();
    const text = JSON.stringify(dashboard);
    expect(dashboard.uid).toBe(DASHBOARD_UID);
    expect(dashboard.schemaVersion).toBe(42);
    expect(dashboard).not.toHaveProperty('__inputs');
    expect(text).not.toContain('DS_PROMETHEUS');
    const ids = panelsOf(dashboard).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the account, currency, job and instance variables from label_values', async () => {
    const vars = variablesOf(await committedDashboard());
    for (const name of ['job', 'instance', 'account', 'currency']) {
      const v = vars.find((x) => x.name === name);
      expect(v?.definition, name).toMatch(/^label_values\(/);
    }
  });

  it('knows the exporter registry has every metric of the spec, with its type', async () => {
    expect(await exporterFamilies()).toEqual(expect.arrayContaining([...SPEC_METRICS]));
  });

  it('queries only series the exporter exposes', async () => {
    const exposed = await exposedSeriesNames();
    const dashboard = await committedDashboard();
    const queries = [
      ...targetsOf(dashboard).map((t) => t.expr),
      ...variablesOf(dashboard)
        .filter((v) => v.type === 'query')
        .map((v) => /^label_values\((.*),\s*\w+\)$/.exec(String(v.definition))?.[1] ?? ''),
    ];
    const unknown = queries.flatMap((q) =>
      parsePromql(substituteGrafanaVariables(q))
        .selectors.map((s) => s.metric)
        .filter((m) => !exposed.has(m)),
    );
    expect(unknown).toEqual([]);
  });

  it('covers the rows and panels the issue asks for', async () => {
    const exprs = targetsOf(await committedDashboard()).map((t) => t.expr);
    const used = (metric: string) => exprs.some((e) => e.includes(metric));
    for (const metric of [
      'xrpl_received_amount_total',
      'xrpl_payments_received_total',
      'xrpl_last_received_amount',
      'xrpl_last_received_timestamp_seconds',
      'xrpl_balance',
      'xrpl_received_payment_size_xrp_bucket',
      'xrpl_partial_payments_received_total',
      'xrpl_up',
      'xrpl_stream_connected',
      'xrpl_validated_ledger_index',
      'xrpl_validated_ledger_close_timestamp_seconds',
      'xrpl_reconnects_total',
      'xrpl_connection_attempts_failed_total',
      'xrpl_ledger_gaps_total',
      'xrpl_backfilled_transactions_total',
      'xrpl_invalid_messages_total',
      'xrpl_alert_emails_sent_total',
      'xrpl_alert_email_failures_total',
      'xrpl_alert_emails_queued',
    ]) {
      expect(used(metric), metric).toBe(true);
    }
    const heatmap = panelsOf(await committedDashboard()).find((p) => p.type === 'heatmap');
    expect(JSON.stringify(heatmap?.targets)).toContain('xrpl_received_payment_size_xrp_bucket');
  });
});

describe('the dashboard lint rules', () => {
  const base = buildDashboard();
  const firstPanel = (d: Record<string, unknown>) => panelsOf(d)[0]!;
  const firstTarget = (d: Record<string, unknown>) =>
    (firstPanel(d).targets as Array<Record<string, unknown>>)[0]!;

  // biome-ignore format: a table
  const cases: Array<[string, (d: Record<string, unknown>) => void, string]> = [
    ['a panel without unit', (d) => ((firstPanel(d).fieldConfig as { defaults: object }).defaults = {}), 'panel-units-rule'],
    ['an unknown unit', (d) => ((firstPanel(d).fieldConfig as { defaults: object }).defaults = { unit: 'xrp' }), 'panel-units-rule'],
    ['a panel without description', (d) => delete firstPanel(d).description, 'panel-title-description-rule'],
    ['a hard-coded datasource', (d) => (firstPanel(d).datasource = { type: 'prometheus', uid: 'abc' }), 'panel-datasource-rule'],
    ['a target without job matcher', (d) => (firstTarget(d).expr = 'xrpl_up{instance=~"$instance"}'), 'target-job-rule'],
    ['a target without instance matcher', (d) => (firstTarget(d).expr = 'xrpl_up{job=~"$job"}'), 'target-instance-rule'],
    [
      'rate over a fixed window',
      (d) => (firstTarget(d).expr = 'rate(xrpl_reconnects_total{job=~"$job", instance=~"$instance"}[5m])'),
      'target-rate-interval-rule',
    ],
    [
      'a raw counter',
      (d) => (firstTarget(d).expr = 'sum(xrpl_reconnects_total{job=~"$job", instance=~"$instance"})'),
      'target-counter-agg-rule',
    ],
    ['a syntax error', (d) => (firstTarget(d).expr = 'sum(xrpl_up{job=~"$job"'), 'target-promql-rule'],
    [
      'a datasource variable with another label',
      (d) => (variablesOf(d).find((v) => v.name === 'datasource')!.label = 'DS'),
      'template-datasource-rule',
    ],
    ['a job variable without .+', (d) => (variablesOf(d).find((v) => v.name === 'job')!.allValue = ''), 'template-job-rule'],
    ['no instance variable', (d) => ((d.templating as { list: unknown[] }).list = variablesOf(d).filter((v) => v.name !== 'instance')), 'template-instance-rule'],
  ];

  it.each(cases)('flags %s', (_name, mutate, rule) => {
    const dashboard = clone(base);
    mutate(dashboard);
    expect(lintDashboard(dashboard).map((p) => p.rule)).toContain(rule);
  });
});
