import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parser } from '@prometheus-io/lezer-promql';
import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { leMatcher, renderPrometheusRules } from '../../src/alerts/prometheus-rules.js';
import { loadConfigFile } from '../../src/config/index.js';
import type { Config, RuleConfig } from '../../src/config/types.js';
import { ALICE, BOB, CAROL, GATEHUB, rule } from './support/builders.js';

const run = promisify(execFile);
const testDir = fileURLToPath(new URL('../../prometheus/generated-rules-test/', import.meta.url));

interface RuleFile {
  groups: {
    name: string;
    rules: {
      alert: string;
      expr: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
  }[];
}

function setup(rules: RuleConfig[], extra: Partial<Config['metrics']> = {}) {
  return {
    rules,
    accounts: [
      { address: ALICE, name: 'faucet', group: 'ops', since: null },
      { address: BOB, name: 'treasury', group: 'finance', since: null },
    ],
    metrics: { paymentSizeBucketsXrp: [1, 10, 100, 1000], aggregateBy: 'account' as const, ...extra },
  };
}

function rulesOf(yamlText: string) {
  return (parse(yamlText) as RuleFile).groups[0]?.rules ?? [];
}

/** lezer marks syntax errors with error nodes (id 0); a valid expression has none. */
function promqlErrors(expr: string): number {
  let errors = 0;
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors += 1;
    },
  });
  return errors;
}

describe('the committed example (prometheus/generated-rules-test)', () => {
  test('rules.yml is what prometheus-rules prints for config.yaml', async () => {
    const loaded = await loadConfigFile(`${testDir}config.yaml`, {});
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    await expect(renderPrometheusRules(loaded.config)).toMatchFileSnapshot(`${testDir}rules.yml`);
  });

  test('the built binary prints the same (configured labels included)', async () => {
    const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
    const { stdout } = await run('node', [main, 'prometheus-rules', `--config.file=${testDir}config.yaml`]);
    expect(stdout).toBe(await readFile(`${testDir}rules.yml`, 'utf8'));
    const large = rulesOf(stdout).find((r) => r.alert === 'XRPLLargeXrpPayment');
    expect(large?.labels).toEqual({ severity: 'page', team: 'treasury', rule: 'large-xrp-payment' });
  });

  test('promtool check rules accepts it', async () => {
    const { stdout } = await run('promtool', ['check', 'rules', `${testDir}rules.yml`]);
    expect(stdout).toContain('SUCCESS: 6 rules found');
  });

  test('promtool test rules passes the unit tests (each alert fires and stays quiet as expected)', async () => {
    const { stdout } = await run('promtool', ['test', 'rules', `${testDir}rules_test.yml`]);
    expect(stdout).toContain('SUCCESS');
  });
});

describe('renderPrometheusRules', () => {
  test('every expression is valid PromQL; alert names are CamelCase and unique; labels and annotations set', () => {
    const rules = rulesOf(
      renderPrometheusRules(
        setup([
          rule({ name: 'big', kind: 'payment', threshold: new Big(1000), currency: 'XRP' }),
          rule({ name: 'big!', kind: 'payment', threshold: new Big(5), currency: 'USD', issuer: GATEHUB }),
          rule({
            name: 'in',
            kind: 'total',
            threshold: new Big('0.5'),
            windowMs: 3_600_000,
            currency: 'XRP',
          }),
          rule({ name: 'n', kind: 'count', threshold: new Big(3), windowMs: 600_000 }),
          rule({ name: 'q', kind: 'silence', windowMs: 5_400_000, accounts: [ALICE] }),
        ]),
      ),
    );
    expect(rules.map((r) => r.alert)).toEqual(['XRPLBig', 'XRPLBig2', 'XRPLIn', 'XRPLN', 'XRPLQ']);
    for (const r of rules) {
      expect(promqlErrors(r.expr), r.expr).toBe(0);
      expect(r.labels.severity).toBe('warning');
      expect(r.annotations.summary).not.toBe('');
      expect(r.annotations.description).toContain('Equivalent of the exporter rule');
    }
    expect(rules.map((r) => r.labels.rule)).toEqual(['big', 'big!', 'in', 'n', 'q']);
    expect(rules[2]?.expr).toBe(
      'sum by (account, name) (increase(xrpl_received_amount_total{currency="XRP"}[1h])) >= 0.5',
    );
    expect(rules[4]?.expr).toBe(`time() - xrpl_last_received_timestamp_seconds{account="${ALICE}"} >= 5400`);
  });

  test.each([
    ['1000', 'le=~"1000|1000\\\\.0"', 'fires for payments above the threshold, not equal to it'],
    ['5000', 'le=~"1000|1000\\\\.0"', 'fires for payments above 1000 XRP'],
    ['50', 'le=~"10|10\\\\.0"', 'fires for payments above 10 XRP'],
    ['1', 'le=~"1|1\\\\.0"', 'fires for payments above the threshold, not equal to it'],
    ['0.5', null, 'fires for every XRP payment'],
  ])('XRP payment threshold %s uses bucket %s', (threshold, le, note) => {
    const [r] = rulesOf(
      renderPrometheusRules(
        setup([rule({ name: 'p', kind: 'payment', threshold: new Big(threshold), currency: 'XRP' })]),
      ),
    );
    if (le === null) expect(r?.expr).not.toMatch(/le="[0-9]/);
    else expect(r?.expr).toContain(le);
    expect(r?.annotations.description).toContain(note);
  });

  test.each([
    [1000, 'le=~"1000|1000\\\\.0"'],
    [1_000_000, 'le=~"1000000|1e\\\\+06"'],
    [2_500_000, 'le=~"2500000|2\\\\.5e\\\\+06"'],
    [123_456, 'le=~"123456|123456\\\\.0"'],
    [0.5, 'le="0.5"'],
    [0.00001, 'le=~"0\\\\.00001|1e-05"'],
  ])('bucket bound %d matches as Prometheus 2 and 3 store it: %s', (bound, matcher) => {
    expect(leMatcher(bound)).toBe(matcher);
  });

  test('currency labels use the metrics form: a 40-hex code decoded to its name, MPT ids upper-case', () => {
    const mpt = '000003c31d321b7dda58324dc38cdf18934faffFcdf69d5f';
    const rules = rulesOf(
      renderPrometheusRules(
        setup([
          rule({
            name: 'a',
            kind: 'total',
            threshold: new Big(1),
            windowMs: 60_000,
            currency: '78436F696E000000000000000000000000000000',
          }),
          rule({ name: 'b', kind: 'total', threshold: new Big(1), windowMs: 60_000, currency: mpt }),
          rule({
            name: 'c',
            kind: 'total',
            threshold: new Big(1),
            windowMs: 60_000,
            currency: '0000000000000000000000005553440000000000',
          }),
        ]),
      ),
    );
    expect(rules[0]?.expr).toContain('currency="xCoin"');
    expect(rules[1]?.expr).toContain(`currency="${mpt.toUpperCase()}"`);
    expect(rules[2]?.expr).toContain('currency="USD"');
  });

  test('several accounts become a regex matcher; from and destination_tag are stated as not applied', () => {
    const [r] = rulesOf(
      renderPrometheusRules(
        setup([
          rule({
            name: 'n',
            kind: 'count',
            threshold: new Big(2),
            windowMs: 60_000,
            accounts: [ALICE, BOB],
            from: [CAROL],
            destinationTag: 'missing',
          }),
        ]),
      ),
    );
    expect(r?.expr).toContain(`account=~"${ALICE}|${BOB}"`);
    expect(r?.annotations.description).toContain('the `from` (sender) filter is not applied');
    expect(r?.annotations.description).toContain('the `destination_tag` filter is not applied');
  });

  test('with metrics aggregated by group, the rules select and sum by group', () => {
    const [r] = rulesOf(
      renderPrometheusRules(
        setup(
          [
            rule({
              name: 't',
              kind: 'total',
              threshold: new Big(1),
              windowMs: 60_000,
              currency: 'XRP',
              accounts: [BOB],
            }),
          ],
          {
            aggregateBy: 'group',
          },
        ),
      ),
    );
    expect(r?.expr).toBe(
      'sum by (group) (increase(xrpl_received_amount_total{group="finance", currency="XRP"}[1m])) >= 1',
    );
  });

  test("a rule's configured labels are on its alert, next to severity (default warning) and rule", () => {
    const rules = rulesOf(
      renderPrometheusRules(
        setup([
          rule({ name: 'a', kind: 'silence', windowMs: 60_000, labels: { team: 'ops' } }),
          rule({ name: 'b', kind: 'silence', windowMs: 60_000, labels: { severity: 'page', tier: '1' } }),
        ]),
      ),
    );
    expect(rules.map((r) => r.labels)).toEqual([
      { severity: 'warning', team: 'ops', rule: 'a' },
      { severity: 'page', tier: '1', rule: 'b' },
    ]);
  });

  test('hostile label values are escaped and still parse', () => {
    const [r] = rulesOf(
      renderPrometheusRules(
        setup([
          rule({ name: 'x"\\\n', kind: 'total', threshold: new Big(1), windowMs: 60_000, currency: 'a"\\' }),
        ]),
      ),
    );
    expect(r?.expr).toContain('currency="a\\"\\\\"');
    expect(promqlErrors(r?.expr ?? '')).toBe(0);
  });

  test('no rules: an empty, valid group', async () => {
    const text = renderPrometheusRules(setup([]));
    expect(rulesOf(text)).toEqual([]);
  });
});
