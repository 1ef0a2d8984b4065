import { describe, expect, test } from 'vitest';
import { AlertEvaluator, type Sample, type SeriesValue } from '../../src/status/alert-evaluator.js';
import { ALERT_RULES, type AlertRule } from '../../src/status/alert-rules.js';

const rule = (name: string): AlertRule => ALERT_RULES.find((r) => r.alert === name)!;
const one = (value: number): SeriesValue[] => [{ labels: {}, value }];
const sample = (metrics: Record<string, SeriesValue[]>): Sample => new Map(Object.entries(metrics));

/** Feeds one sample per step (seconds apart) and returns the evaluator. */
function run(rules: AlertRule[], steps: [t: number, metrics: Record<string, SeriesValue[]>][]) {
  const evaluator = new AlertEvaluator(rules);
  for (const [t, metrics] of steps) evaluator.evaluate(sample(metrics), t);
  return evaluator;
}

const states = (e: AlertEvaluator) =>
  e.alerts().map((a) => ({ alert: a.rule.alert, labels: a.labels, firing: a.firing, since: a.activeSince }));

describe('AlertEvaluator: for', () => {
  const down = rule('XRPLStreamDown');

  test('a condition is pending until it has held for the rule’s for, then fires', () => {
    const e = new AlertEvaluator([down]);
    e.evaluate(sample({ xrpl_up: one(1) }), 1000);
    expect(states(e)).toEqual([]);
    e.evaluate(sample({ xrpl_up: one(0) }), 1005);
    expect(states(e)).toEqual([{ alert: 'XRPLStreamDown', labels: {}, firing: false, since: 1005 }]);
    e.evaluate(sample({ xrpl_up: one(0) }), 1124);
    expect(states(e)[0]!.firing).toBe(false);
    e.evaluate(sample({ xrpl_up: one(0) }), 1125);
    expect(states(e)[0]!.firing).toBe(true);
  });

  test('a condition that stops holding is dropped, and starts over when it holds again', () => {
    const e = run(
      [down],
      [
        [0, { xrpl_up: one(0) }],
        [200, { xrpl_up: one(1) }],
        [205, { xrpl_up: one(0) }],
      ],
    );
    expect(states(e)).toEqual([{ alert: 'XRPLStreamDown', labels: {}, firing: false, since: 205 }]);
  });

  test('a metric without series makes no alert (as in Prometheus)', () => {
    expect(states(run([down], [[0, {}]]))).toEqual([]);
  });

  test('age: time() minus the value', () => {
    const stale = rule('XRPLLedgerStale');
    const closed = 10_000;
    const metric = { xrpl_validated_ledger_close_timestamp_seconds: one(closed) };
    const e = run(
      [stale],
      [
        [closed + 120, metric],
        [closed + 121, metric],
      ],
    );
    expect(states(e)).toEqual([{ alert: 'XRPLLedgerStale', labels: {}, firing: false, since: closed + 121 }]);
    e.evaluate(sample(metric), closed + 181);
    expect(e.alerts()[0]!.firing).toBe(true);
    expect(e.alerts()[0]!.value).toBe(181);
  });
});

describe('AlertEvaluator: increase over a window', () => {
  const failing = rule('XRPLAlertEmailFailing');
  const failures = (n: number, rule = 'big') => ({
    xrpl_alert_email_failures_total: [{ labels: { rule }, value: n }],
  });

  test('one failure fires at once (for 0) and the alert lasts as long as the window holds it', () => {
    const e = run(
      [failing],
      [
        [0, failures(0)],
        [15, failures(1)],
      ],
    );
    expect(states(e)).toEqual([
      { alert: 'XRPLAlertEmailFailing', labels: { rule: 'big' }, firing: true, since: 15 },
    ]);
    // The rise lies between the samples at 0 and 15: it is in the window while the one at 0 is.
    e.evaluate(sample(failures(1)), 900);
    expect(states(e)).toHaveLength(1);
    e.evaluate(sample(failures(1)), 901);
    expect(states(e)).toEqual([]);
  });

  test('per series: only the rule whose emails fail', () => {
    const both = (a: number, b: number) => ({
      xrpl_alert_email_failures_total: [
        { labels: { rule: 'a' }, value: a },
        { labels: { rule: 'b' }, value: b },
      ],
    });
    const e = run(
      [failing],
      [
        [0, both(4, 0)],
        [15, both(4, 2)],
      ],
    );
    expect(e.alerts().map((a) => [a.labels, a.value])).toEqual([[{ rule: 'b' }, 2]]);
    expect(e.increase('xrpl_alert_email_failures_total', 900)).toBe(2);
  });

  test('a counter that falls was reset: its new value is the rise', () => {
    const e = run(
      [failing],
      [
        [0, failures(7)],
        [15, failures(2)],
      ],
    );
    expect(e.alerts()[0]!.value).toBe(2);
  });

  test('a series appearing after the window’s first sample rose from 0; one there from the start is the baseline', () => {
    const appears = run(
      [failing],
      [
        [0, {}],
        [15, failures(1)],
      ],
    );
    expect(appears.alerts()[0]!.value).toBe(1);
    const baseline = run([failing], [[0, failures(5)]]);
    expect(states(baseline)).toEqual([]);
  });

  test('a threshold above 0: more than 5 reconnects in 30 minutes', () => {
    const often = rule('XRPLReconnectingOften');
    const reconnects = (n: number) => ({
      xrpl_reconnects_total: [{ labels: { server: 'ws://a' }, value: n }],
    });
    const steps: [number, Record<string, SeriesValue[]>][] = [0, 1, 2, 3, 4, 5].map((n) => [
      n * 60,
      reconnects(n),
    ]);
    expect(states(run([often], steps))).toEqual([]);
    const e = run([often], [...steps, [360, reconnects(6)]]);
    expect(states(e)).toEqual([
      { alert: 'XRPLReconnectingOften', labels: { server: 'ws://a' }, firing: true, since: 360 },
    ]);
    // The first reconnects leave the window: 6 - 1 = 5 is not more than 5.
    e.evaluate(sample(reconnects(6)), 60 + 1801);
    expect(states(e)).toEqual([]);
  });

  test('increase and for together: state writes failing for 5 minutes', () => {
    const writes = rule('XRPLStateWriteFailing');
    const steps: [number, Record<string, SeriesValue[]>][] = [];
    for (let minute = 0; minute <= 5; minute++) {
      steps.push([minute * 60, { xrpl_state_write_failures_total: one(minute) }]);
    }
    const e = run([writes], steps.slice(0, 5));
    expect(states(e)).toEqual([{ alert: 'XRPLStateWriteFailing', labels: {}, firing: false, since: 60 }]);
    e.evaluate(sample(steps[5]![1]), 300);
    expect(e.alerts()[0]!.firing).toBe(false);
    e.evaluate(sample(steps[5]![1]), 360);
    expect(e.alerts()[0]!.firing).toBe(true);
    // Written again: the last failure leaves the 5 minute window, and the alert resolves.
    e.evaluate(sample(steps[5]![1]), 300 + 301);
    expect(states(e)).toEqual([]);
  });
});
