import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import {
  type RunningAlertmanager,
  startAlertmanager,
  startWebhook,
  type Webhook,
  webhookConfig,
} from '../support/alertmanager.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { loadFixture } from '../support/fixtures.js';
import { type RunningProcess, startExporter, startPrometheus, waitFor } from '../support/processes.js';
import { targetsOf } from './dashboard/lint.js';
import { parsePromql, substituteGrafanaVariables } from './promql.js';
import { REPO_ROOT } from './tools.js';

/**
 * A real Debian Prometheus scrapes the built exporter, which watches a fake rippled that publishes
 * real fixture transactions (an XRP payment, a token payment, a large XRP payment, a partial
 * payment). Every dashboard query must return data, and every alerting rule must load, evaluate
 * without error and select series that exist.
 */

const MAIN = join(REPO_ROOT, 'dist', 'main.js');
const JOB = 'xrpl-payments';
// Prometheus needs about 6 s to discover a new target (discovery updates are throttled to 5 s).
const DEADLINE_MS = 60_000;

const SCENARIO = [
  'xrpl.js/utils/paymentXrpCreateAccount.json', // 100 XRP to rLDYruj…
  'xrpl.js/utils/paymentToken.json', // 0.01 USD to rLDYruj…
  'explorer/Payment/Payment.json', // 2421.8268 XRP to rHoPwMC…
  'explorer/Payment/PaymentWithPartial.json', // partial payment of xCoin to rMQ4oGC…
];
const WATCHED = [
  { address: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K', name: 'alice' },
  { address: 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh', name: 'bob' },
  { address: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j', name: 'carol' },
];

/** Grafana's macros for a 1 s scrape interval; the variables take their "All" value. */
const E2E_SUBSTITUTIONS = {
  __rate_interval: '15s',
  __interval: '1s',
  __range: '10m',
  job: '.+',
  instance: '.+',
  account: '.+',
  currency: '.+',
};

interface QueryResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

let workDir = '';
let fake: FakeRippled | undefined;
let smtp: FakeSmtp | undefined;
let webhook: Webhook | undefined;
let alertmanager: RunningAlertmanager | undefined;
let exporter: RunningProcess | undefined;
let prometheus: RunningProcess | undefined;
let prometheusUrl = '';
let exporterAddress = '';

async function query(expr: string): Promise<QueryResult> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`;
  return (await (await fetch(url)).json()) as QueryResult;
}

async function nonEmpty(expr: string): Promise<QueryResult | undefined> {
  const result = await query(expr);
  if (result.status !== 'success') throw new Error(`${expr}: ${result.error}`);
  return (result.data?.result.length ?? 0) > 0 ? result : undefined;
}

function diagnostics(): string {
  return `\n--- exporter ---\n${exporter?.output().slice(-4000)}\n--- prometheus ---\n${prometheus?.output().slice(-2000)}`;
}

beforeAll(async () => {
  try {
    await startStack();
  } catch (error) {
    throw new Error(`${(error as Error).message}${diagnostics()}`);
  }
}, 4 * DEADLINE_MS);

async function startStack(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  workDir = await mkdtemp(join(tmpdir(), 'xrpl-prometheus-e2e-'));

  fake = await FakeRippled.start({ ledgerIntervalSeconds: 1 });
  for (const account of WATCHED) fake.setAccountBalance(account.address, 25_000_000_000n);
  fake.startAutoPublish(1000);

  smtp = await startFakeSmtp();
  // Both sinks, so the dashboard's alerting row and the sink alerts have series to query.
  webhook = await startWebhook();
  alertmanager = await startAlertmanager({ config: webhookConfig(webhook.url) });
  const configPath = join(workDir, 'config.yaml');
  await writeFile(
    configPath,
    [
      'xrpl:',
      `  servers: [${fake.url}]`,
      '  stale_after: 30s',
      'accounts:',
      ...WATCHED.map((a) => `  - {address: ${a.address}, name: ${a.name}}`),
      'email:',
      `  smtp: {host: 127.0.0.1, port: ${smtp.port}, secure: false}`,
      '  from: exporter@example.test',
      '  to: [ops@example.test]',
      `alertmanager: {urls: [${alertmanager.url}]}`,
      'rules:',
      '  - {name: any-xrp, kind: payment, threshold: 1, currency: XRP}',
      '',
    ].join('\n'),
  );
  const started = await startExporter(MAIN, [`--config.file=${configPath}`], workDir, DEADLINE_MS);
  exporter = started.process;
  exporterAddress = started.address;
  // Payments go into ledgers after the exporter has subscribed: a first start has no checkpoint to
  // backfill from, so earlier ledgers would not be its business.
  await waitFor(
    'the exporter to be ready',
    async () => ((await fetch(`http://${exporterAddress}/-/ready`)).status === 200 ? true : undefined),
    DEADLINE_MS,
  );
  for (const file of SCENARIO) fake.addLedger([loadFixture(file)]);

  const rules = join(REPO_ROOT, 'prometheus', 'alerts.yml');
  const scraping = await startPrometheus(
    workDir,
    [
      'global: {scrape_interval: 1s, evaluation_interval: 1s}',
      `rule_files: [${JSON.stringify(rules)}]`,
      'scrape_configs:',
      `  - job_name: ${JOB}`,
      `    static_configs: [{targets: ['${exporterAddress}']}]`,
      '',
    ].join('\n'),
    DEADLINE_MS,
  );
  prometheus = scraping.process;
  const prometheusAddress = scraping.address;
  prometheusUrl = `http://${prometheusAddress}`;
  await waitFor(
    'Prometheus to scrape the exporter',
    async () => {
      const body = (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string }> };
      };
      return body.data.activeTargets.some((t) => t.health === 'up') ? true : undefined;
    },
    DEADLINE_MS,
  );
  // The scenario is in the data once the last fixture's partial payment has been counted.
  await waitFor(
    "the scenario's payments to reach Prometheus",
    () => nonEmpty(`xrpl_partial_payments_received_total{job="${JOB}"} > 0`),
    DEADLINE_MS,
  );
}

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  fake?.stopAutoPublish();
  await fake?.close();
  await smtp?.close();
  await alertmanager?.stop();
  await webhook?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the dashboard against a real Prometheus', () => {
  it('has data for every panel query', async () => {
    const dashboard = JSON.parse(
      await readFile(join(REPO_ROOT, 'grafana', 'dashboards', 'xrpl-payments.json'), 'utf8'),
    ) as Record<string, unknown>;
    const empty: string[] = [];
    for (const target of targetsOf(dashboard)) {
      const expr = substituteGrafanaVariables(target.expr, E2E_SUBSTITUTIONS);
      try {
        await waitFor(`${target.panel}: ${expr}`, () => nonEmpty(expr), 10_000, 500);
      } catch (error) {
        empty.push((error as Error).message);
      }
    }
    expect(empty, diagnostics()).toEqual([]);
  }, 180_000);

  it('values the payments exactly', async () => {
    const result = await nonEmpty(`xrpl_received_amount_total{job="${JOB}", name="bob", currency="XRP"}`);
    const sample = result?.data?.result[0] as { value: [number, string] } | undefined;
    expect(sample?.value[1]).toBe('2421.8268');
  });
});

describe('prometheus/alerts.yml against a real Prometheus', () => {
  it('loads every rule, and every rule evaluates without error', async () => {
    const file = parse(await readFile(join(REPO_ROOT, 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string }> }>;
    };
    const names = file.groups.flatMap((g) => g.rules.map((r) => r.alert));
    const evaluated = await waitFor(
      'every rule to be evaluated',
      async () => {
        const body = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
          data: { groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }> };
        };
        const rules = body.data.groups.flatMap((g) => g.rules);
        return rules.length === names.length && rules.every((r) => r.health !== 'unknown')
          ? rules
          : undefined;
      },
      DEADLINE_MS,
    );
    expect(evaluated.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(evaluated.filter((r) => r.health !== 'ok')).toEqual([]);
  });

  it('selects series that exist for every rule expression', async () => {
    const file = parse(await readFile(join(REPO_ROOT, 'prometheus', 'alerts.yml'), 'utf8')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const missing: string[] = [];
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      const result = await query(rule.expr);
      if (result.status !== 'success') missing.push(`${rule.alert}: ${result.error}`);
      for (const selector of parsePromql(rule.expr).selectors) {
        // The bare selector: its offset and range are the rule's business, not whether it exists.
        const bare = selector.text.replace(/\[[^\]]*\]$/, '');
        try {
          await waitFor(`${rule.alert}: ${bare}`, () => nonEmpty(bare), 10_000, 500);
        } catch (error) {
          missing.push((error as Error).message);
        }
      }
    }
    expect(missing, diagnostics()).toEqual([]);
  }, 180_000);
});

describe('the gzip-compressed /metrics against a real Prometheus', () => {
  it('is read whole: Prometheus (which always asks for gzip) holds every xrpl_ sample the text has', async () => {
    const target = new URL(`http://${exporterAddress}/metrics`);
    const response = await fetch(target, { headers: { 'Accept-Encoding': 'gzip' } });
    // fetch decompresses; the header says what was sent.
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const ours = (await response.text()).split('\n').filter((line) => line.startsWith('xrpl_')).length;
    // The last family of the payment metrics and the operational ones come from the last segments.
    await waitFor(
      `Prometheus to hold all ${ours} xrpl_ series`,
      async () => {
        const result = await query(`count({job="${JOB}", __name__=~"xrpl_.+"})`);
        const value = (result.data?.result[0] as { value?: [number, string] } | undefined)?.value?.[1];
        return Number(value) === ours ? true : undefined;
      },
      30_000,
      500,
    );
  });
});
