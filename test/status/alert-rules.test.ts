import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../src/config/duration.js';
import { ALERT_RULES, NOT_ON_THE_PAGE, ruleExpr } from '../../src/status/alert-rules.js';

interface ShippedRule {
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { readonly severity?: string };
}

const ALERTS_FILE = resolve(import.meta.dirname, '../../prometheus/alerts.yml');
const groups = (
  parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: { name: string; rules: ShippedRule[] }[] }
).groups;
/** The exporter's own health alerts; the examples group is about payments, not health. */
const shipped = groups.find((g) => g.name === 'xrpl-payments-exporter')!.rules;

/** The expression as the page evaluates it: one exporter, so the job selector goes. */
function normalise(expr: string): string {
  return expr.replaceAll('{job="xrpl-payments"}', '').replace(/\s+/g, ' ').trim();
}

describe('the status page colours by the shipped Prometheus alerts', () => {
  test.each(ALERT_RULES.map((r) => [r.alert, r] as const))(
    '%s: same expression, for and severity',
    (_, rule) => {
      const alert = shipped.find((r) => r.alert === rule.alert);
      expect(alert, `${rule.alert} is not in prometheus/alerts.yml`).toBeDefined();
      expect(ruleExpr(rule)).toBe(normalise(alert!.expr));
      expect(rule.forSeconds * 1000).toBe(parseDuration(alert!.for ?? '0'));
      expect(rule.severity).toBe(alert!.labels?.severity);
    },
  );

  test('every alert of the exporter group is on the page or says why it is not', () => {
    const onPage = new Set(ALERT_RULES.map((r) => r.alert));
    const unexplained = shipped
      .map((r) => r.alert!)
      .filter((name) => !onPage.has(name) && NOT_ON_THE_PAGE[name] === undefined);
    // A new alert in prometheus/alerts.yml: add it to ALERT_RULES (src/status/alert-rules.ts) so the
    // status page shows it, or to NOT_ON_THE_PAGE with the reason it does not.
    expect(unexplained).toEqual([]);
    const stale = Object.keys(NOT_ON_THE_PAGE).filter((name) => !shipped.some((r) => r.alert === name));
    expect(stale).toEqual([]);
  });

  test('the comparison fails for a threshold that differs', () => {
    const stale = { ...ALERT_RULES.find((r) => r.alert === 'XRPLLedgerStale')!, threshold: 60 };
    const alert = shipped.find((r) => r.alert === 'XRPLLedgerStale')!;
    expect(ruleExpr(stale)).not.toBe(normalise(alert.expr));
  });
});
