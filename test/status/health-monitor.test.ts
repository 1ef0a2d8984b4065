import { describe, expect, test } from 'vitest';
import type { Sample } from '../../src/status/alert-evaluator.js';
import { HEALTH_METRICS, HealthMonitor } from '../../src/status/health-monitor.js';
import { recordingLogger } from '../server/support.js';

describe('HealthMonitor', () => {
  test('samples the metrics the rules and the summary read, and evaluates at the time it sampled', async () => {
    let asked: readonly string[] = [];
    const monitor = new HealthMonitor({
      sample: async () => {
        asked = HEALTH_METRICS;
        return new Map([['xrpl_up', [{ labels: {}, value: 0 }]]]) as Sample;
      },
      now: () => 1_790_000_000_000,
      logger: recordingLogger(),
    });
    await monitor.evaluate();
    expect(asked).toContain('xrpl_account_unverified');
    expect(asked).toContain('xrpl_state_last_write_success_timestamp_seconds');
    expect(monitor.evaluator.alerts()).toMatchObject([
      { rule: { alert: 'XRPLStreamDown' }, activeSince: 1_790_000_000, firing: false },
    ]);
  });

  test('a failed sample is logged and leaves the last evaluation as it was', async () => {
    const logger = recordingLogger();
    let fail = false;
    const monitor = new HealthMonitor({
      sample: async () => {
        if (fail) throw new Error('registry gone');
        return new Map([['xrpl_up', [{ labels: {}, value: 0 }]]]) as Sample;
      },
      now: () => 1_790_000_000_000,
      logger,
    });
    await monitor.evaluate();
    fail = true;
    await monitor.evaluate();
    expect(monitor.evaluator.alerts()).toHaveLength(1);
    expect(logger.lines.some((l) => l.includes('health evaluation failed'))).toBe(true);
  });

  test('a call while one runs waits for that one instead of sampling twice', async () => {
    let samples = 0;
    let release = () => {};
    const monitor = new HealthMonitor({
      sample: () => {
        samples++;
        return new Promise<Sample>((resolve) => {
          release = () => resolve(new Map());
        });
      },
      now: () => 0,
      logger: recordingLogger(),
    });
    const first = monitor.evaluate();
    const second = monitor.evaluate();
    release();
    await Promise.all([first, second]);
    expect(samples).toBe(1);
  });
});
