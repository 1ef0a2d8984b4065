import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exposedSeriesNames } from './exporter-metrics.js';
import { parsePromql } from './promql.js';
import { REPO_ROOT, runTool } from './tools.js';

interface AlertRule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

async function readYaml<T>(path: string): Promise<T> {
  return parse(await readFile(join(REPO_ROOT, path), 'utf8')) as T;
}

async function alertRules(): Promise<AlertRule[]> {
  const file = await readYaml<{ groups: Array<{ rules: AlertRule[] }> }>('prometheus/alerts.yml');
  return file.groups.flatMap((g) => g.rules);
}

describe('prometheus/alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const result = await runTool('promtool', ['check', 'rules', 'prometheus/alerts.yml']);
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
  });

  it('passes its promtool unit tests (prometheus/alerts_test.yml)', async () => {
    const result = await runTool('promtool', ['test', 'rules', 'prometheus/alerts_test.yml']);
    expect(result.code, result.output).toBe(0);
  });

  it('gives every alert a CamelCase XRPL name, a severity, a summary and a description', async () => {
    for (const rule of await alertRules()) {
      expect(rule.alert).toMatch(/^XRPL[A-Z][A-Za-z]+$/);
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
  });

  it('selects only series the exporter exposes, with job="xrpl-payments", in valid PromQL', async () => {
    const exposed = await exposedSeriesNames();
    for (const rule of await alertRules()) {
      const parsed = parsePromql(rule.expr);
      expect(parsed.errors, rule.alert).toEqual([]);
      expect(parsed.selectors.length, rule.alert).toBeGreaterThan(0);
      for (const s of parsed.selectors) {
        expect(exposed.has(s.metric), `${rule.alert}: ${s.metric}`).toBe(true);
        expect(s.matchers, `${rule.alert}: ${s.text}`).toContainEqual({
          label: 'job',
          op: '=',
          value: 'xrpl-payments',
        });
      }
    }
  });

  it('has a unit test in which each alert fires and one in which it does not', async () => {
    const tests = await readYaml<{ tests: RuleTest[] }>('prometheus/alerts_test.yml');
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of await alertRules()) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} fires`,
      ).toBe(true);
      expect(
        mine.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} stays quiet`,
      ).toBe(true);
    }
  });
});

describe('prometheus/prometheus.yml', () => {
  it('passes promtool check config, which also checks the rule files it names', async () => {
    const result = await runTool('promtool', ['check', 'config', 'prometheus/prometheus.yml']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS: 1 rule files found');
  });

  it('scrapes the exporter as job xrpl-payments and sends alerts to Alertmanager', async () => {
    const config = await readYaml<{
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      rule_files: string[];
    }>('prometheus/prometheus.yml');
    const job = config.scrape_configs.find((j) => j.job_name === 'xrpl-payments');
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual(['exporter:29770']);
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
  });
});

describe('alertmanager/alertmanager.yml', () => {
  it('passes amtool check-config and sends email through Mailpit', async () => {
    const result = await runTool('amtool', ['check-config', 'alertmanager/alertmanager.yml']);
    expect(result.code, result.output).toBe(0);
    const config = await readYaml<{ global: { smtp_smarthost: string } }>('alertmanager/alertmanager.yml');
    expect(config.global.smtp_smarthost).toBe('mailpit:1025');
  });

  it('its commented webhook and Slack receivers are valid once uncommented', async () => {
    const text = await readFile(join(REPO_ROOT, 'alertmanager/alertmanager.yml'), 'utf8');
    // `  # - name: ...` and its indented lines are YAML; other comment lines are prose.
    const uncommented = text.replace(/^ {2}# (?=- | {2})/gm, '  ');
    expect(uncommented).toMatch(/^ {2}- name: payments-webhook$/m);
    expect(uncommented).toMatch(/^ {2}- name: payments-slack$/m);
    const dir = await mkdtemp(join(tmpdir(), 'xrpl-am-receivers-'));
    try {
      await writeFile(join(dir, 'alertmanager.yml'), uncommented);
      const result = await runTool('amtool', ['check-config', join(dir, 'alertmanager.yml')]);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(/- 3 receivers/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
