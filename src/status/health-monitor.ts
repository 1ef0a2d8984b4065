import type { Logger } from '../log.js';
import { AlertEvaluator, type Sample } from './alert-evaluator.js';
import { ALERT_RULES, ruleMetrics } from './alert-rules.js';
import { SUMMARY_METRICS } from './health.js';

/** Every metric the health summary samples. */
export const HEALTH_METRICS: readonly string[] = [
  ...new Set([...ruleMetrics(ALERT_RULES), ...SUMMARY_METRICS]),
];

export interface HealthMonitorOptions {
  /** The current series of HEALTH_METRICS, as a scrape would see them. */
  readonly sample: () => Promise<Sample>;
  /** Unix ms. */
  readonly now: () => number;
  /** How often the alerts are evaluated. @default 5000 */
  readonly intervalMs?: number;
  readonly logger: Logger;
}

/**
 * Evaluates the shipped alerts on the exporter's own metrics at a steady pace (as Prometheus would on
 * its scrapes), so the status page knows what is pending or firing and since when.
 */
export class HealthMonitor {
  readonly evaluator = new AlertEvaluator(ALERT_RULES);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: HealthMonitorOptions) {}

  start(): void {
    void this.evaluate();
    this.timer = setInterval(() => void this.evaluate(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One evaluation now; a call while one runs waits for that one instead. */
  evaluate(): Promise<void> {
    this.running ??= this.sampleAndEvaluate().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sampleAndEvaluate(): Promise<void> {
    const t = this.options.now() / 1000;
    try {
      this.evaluator.evaluate(await this.options.sample(), t);
    } catch (err) {
      this.options.logger.warn('health evaluation failed', { err });
    }
  }
}
