import { spawnSync } from 'node:child_process';
import { analyzeTransaction } from '../../src/accounting/index.js';
import type { ExporterMetrics, MetricsOptions } from '../../src/metrics/index.js';
import { loadFixture } from '../support/fixtures.js';

export const BUILD = { version: '0.1.0', revision: 'abc1234', nodeVersion: 'v20.19.0' } as const;
export const BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000] as const;

/** Options with no process metrics, so the exposition is deterministic. */
export function options(overrides: Partial<MetricsOptions> = {}): MetricsOptions {
  return {
    accounts: [],
    rules: [],
    servers: ['wss://one.example:51233'],
    paymentSizeBucketsXrp: BUCKETS,
    build: BUILD,
    processMetrics: false,
    ...overrides,
  };
}

/** Feeds one real fixture through the accounting module into the metrics, as the pipeline does. */
export function feedFixture(metrics: ExporterMetrics, file: string, watched: ReadonlySet<string>): void {
  const analysis = analyzeTransaction(loadFixture(file), watched);
  if (!analysis.valid) throw new Error(`${file}: ${analysis.invalidReason}`);
  for (const effect of analysis.accounts) {
    metrics.applyBalancesAfter(effect.account, effect.balancesAfter);
    if (!effect.counted) continue;
    metrics.recordReceipts({
      account: effect.account,
      txType: analysis.transactionType ?? 'unknown',
      partial: analysis.partialPayment,
      closeTime: analysis.closeTime,
      received: effect.received,
    });
  }
}

/** `promtool check metrics` on an exposition: its exit code and what it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is required (Debian package "prometheus"): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Sample lines of one metric family (by exact metric name, including _bucket etc.). */
export function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

/** The value of the one sample whose line starts with `series` (name + full label set). */
export function sampleValue(text: string, series: string): string | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line?.slice(series.length + 1);
}
