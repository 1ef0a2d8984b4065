import type { AlertRule } from './alert-rules.js';

/** One series of a metric as sampled: its labels and value. */
export interface SeriesValue {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every series of each sampled metric, by metric name. A metric with no series is absent. */
export type Sample = ReadonlyMap<string, readonly SeriesValue[]>;

export interface ActiveAlert {
  readonly rule: AlertRule;
  /** The series' labels (empty for a metric without labels). */
  readonly labels: Readonly<Record<string, string>>;
  /** The compared value at the last evaluation, e.g. the increase over the window. */
  readonly value: number;
  /** When the condition began to hold, Unix seconds. */
  readonly activeSince: number;
  /** Held for the rule's `for`: Prometheus would be firing it. Otherwise it is pending. */
  readonly firing: boolean;
}

interface Active {
  readonly labels: Readonly<Record<string, string>>;
  readonly since: number;
  value: number;
}

interface Stored {
  readonly t: number;
  /** metric -> series key -> series, for the metrics a rule takes the increase of. */
  readonly counters: ReadonlyMap<string, ReadonlyMap<string, SeriesValue>>;
}

/**
 * Prometheus' alerting-rule evaluation in miniature, per series like Prometheus: at each evaluation a
 * series whose condition holds becomes active (pending) and stays active while it holds; it fires once it
 * has held for the rule's `for`; a series whose condition stops holding is dropped. `increase()` is the
 * sum of the counter's rises over the samples inside the window (a fall is a reset, a series that appears
 * after the window's first sample rose from 0); unlike Prometheus it does not extrapolate to the window's
 * edges. For the `> 0` thresholds that is exactly Prometheus' answer; for `> 3` and `> 5` it can differ
 * by the extrapolation (a few percent of the window).
 */
export class AlertEvaluator {
  private readonly history: Stored[] = [];
  private readonly active = new Map<AlertRule, Map<string, Active>>();
  private latest: { readonly t: number; readonly sample: Sample } | null = null;
  private readonly longestWindow: number;
  private readonly counterMetrics: ReadonlySet<string>;

  constructor(private readonly rules: readonly AlertRule[]) {
    const windows = rules.map((r) => (r.operand.fn === 'increase' ? r.operand.windowSeconds : 0));
    this.longestWindow = Math.max(0, ...windows);
    this.counterMetrics = new Set(
      rules.filter((r) => r.operand.fn === 'increase').map((r) => r.operand.metric),
    );
  }

  /** Evaluates every rule on a sample taken at `t` (Unix seconds; never earlier than the last one). */
  evaluate(sample: Sample, t: number): void {
    this.latest = { t, sample };
    this.remember(sample, t);
    for (const rule of this.rules) {
      const actives = this.active.get(rule) ?? new Map<string, Active>();
      const holding = new Set<string>();
      for (const { key, labels, value } of this.operandValues(rule, t)) {
        if (!compare(value, rule.op, rule.threshold)) continue;
        holding.add(key);
        const existing = actives.get(key);
        if (existing) existing.value = value;
        else actives.set(key, { labels, since: t, value });
      }
      for (const key of actives.keys()) if (!holding.has(key)) actives.delete(key);
      this.active.set(rule, actives);
    }
  }

  /** The alerts active at the last evaluation, pending or firing. */
  alerts(): ActiveAlert[] {
    const t = this.latest?.t ?? 0;
    const out: ActiveAlert[] = [];
    for (const [rule, actives] of this.active) {
      for (const a of actives.values()) {
        out.push({
          rule,
          labels: a.labels,
          value: a.value,
          activeSince: a.since,
          firing: t - a.since >= rule.forSeconds,
        });
      }
    }
    return out;
  }

  /** The series of a metric in the last sample (empty when it has none or was not sampled). */
  series(metric: string): readonly SeriesValue[] {
    return this.latest?.sample.get(metric) ?? [];
  }

  /** The metric's increase over the window ending at the last evaluation, summed over its series. */
  increase(metric: string, windowSeconds: number): number {
    if (this.latest === null) return 0;
    let sum = 0;
    for (const { value } of this.increases(metric, windowSeconds, this.latest.t)) sum += value;
    return sum;
  }

  private remember(sample: Sample, t: number): void {
    const counters = new Map<string, ReadonlyMap<string, SeriesValue>>();
    for (const metric of this.counterMetrics) {
      counters.set(metric, new Map((sample.get(metric) ?? []).map((s) => [seriesKey(s.labels), s])));
    }
    this.history.push({ t, counters });
    while (this.history.length > 0 && this.history[0]!.t < t - this.longestWindow) this.history.shift();
  }

  private operandValues(
    rule: AlertRule,
    t: number,
  ): { key: string; labels: Readonly<Record<string, string>>; value: number }[] {
    const o = rule.operand;
    if (o.fn === 'increase') return this.increases(o.metric, o.windowSeconds, t);
    return (this.latest?.sample.get(o.metric) ?? []).map((s) => ({
      key: seriesKey(s.labels),
      labels: s.labels,
      value: o.fn === 'age' ? t - s.value : s.value,
    }));
  }

  private increases(
    metric: string,
    windowSeconds: number,
    t: number,
  ): { key: string; labels: Readonly<Record<string, string>>; value: number }[] {
    const inWindow = this.history.filter((h) => h.t >= t - windowSeconds);
    const rises = new Map<string, { labels: Readonly<Record<string, string>>; value: number }>();
    const previous = new Map<string, number>();
    inWindow.forEach((h, index) => {
      for (const [key, { labels, value }] of h.counters.get(metric) ?? []) {
        // The window's first sample is the baseline; a series that appears later rose from 0.
        const before = previous.get(key) ?? (index === 0 ? value : 0);
        const rise = value >= before ? value - before : value;
        rises.set(key, { labels, value: (rises.get(key)?.value ?? 0) + rise });
        previous.set(key, value);
      }
    });
    return [...rises].map(([key, r]) => ({ key, labels: r.labels, value: r.value }));
  }
}

function compare(value: number, op: AlertRule['op'], threshold: number): boolean {
  return op === '>' ? value > threshold : value === threshold;
}

/** Labels in a canonical order, as one string. */
function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}
