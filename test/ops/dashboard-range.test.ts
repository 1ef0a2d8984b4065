import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { overRange } from './dashboard/xrpl-payments.js';
import { substituteGrafanaVariables } from './promql.js';
import { runTool } from './tools.js';

/**
 * The dashboard's "over the selected range" expression, evaluated by promtool's PromQL engine: it must
 * give the exact amount, where increase() would extrapolate.
 */
describe('the exact "over the selected range" expression', () => {
  it('is exact for steady series, counts series born in the range, and survives a reset', async () => {
    const expr = substituteGrafanaVariables(`sum by (case) (${overRange('xrpl_received_amount_total')})`, {
      __range: '10m',
    });
    const dir = await mkdtemp(join(tmpdir(), 'xrpl-range-'));
    try {
      await writeFile(join(dir, 'rules.yml'), 'groups: []\n');
      const tests = {
        rule_files: ['rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [
              // 5 before the range; 100 received at minute 8 (the range is minutes 5 to 15).
              { series: 'xrpl_received_amount_total{case="steady"}', values: '5x7 105x10' },
              // The series appears with the first payment, 7, at minute 8.
              { series: 'xrpl_received_amount_total{case="born"}', values: '_x7 7x10' },
              // Restarted without state at minute 6, then 3 received.
              { series: 'xrpl_received_amount_total{case="reset"}', values: '50x5 0 3x10' },
            ],
            promql_expr_test: [
              {
                expr,
                eval_time: '15m',
                exp_samples: [
                  { labels: '{case="steady"}', value: 100 },
                  { labels: '{case="born"}', value: 7 },
                  { labels: '{case="reset"}', value: 3 },
                ],
              },
              {
                // What the expression avoids: increase() misses the first value of a new series.
                expr: 'sum by (case) (increase(xrpl_received_amount_total{case="born"}[10m]))',
                eval_time: '15m',
                exp_samples: [{ labels: '{case="born"}', value: 0 }],
              },
            ],
          },
        ],
      };
      await writeFile(join(dir, 'tests.yml'), stringify(tests));
      const result = await runTool('promtool', ['test', 'rules', 'tests.yml'], dir);
      expect(result.code, result.output).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
