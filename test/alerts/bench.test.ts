import { expect, test } from 'vitest';
import { runAlertLatencyBench } from '../../bench/alert-latency.js';

test('the alert latency bench runs end to end and reports p50 and p99 (figures are not judged)', async () => {
  const report = await runAlertLatencyBench({ sequential: 3, burst: 5 });
  expect(report).toMatch(/one at a time \(3 emails\): p50 \d+\.\d ms, p99 \d+\.\d ms/);
  expect(report).toMatch(/burst of 5 .*: p50 \d+\.\d ms, p99 \d+\.\d ms/);
});
