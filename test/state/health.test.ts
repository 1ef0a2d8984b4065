import { expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { StateWriteHealth } from '../../src/state/health.js';

function health() {
  const lines: { msg: string }[] = [];
  const reports: boolean[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(JSON.parse(l)) });
  const h = new StateWriteHealth(
    '/data/state.json',
    (ok) => reports.push(ok),
    logger,
    () => 1_700_000_000_000,
  );
  return { h, lines, reports };
}

test('the warning counts every failed write since the last success, and names the latest reason', () => {
  const { h, lines, reports } = health();
  expect(h.warning()).toBeNull();
  h.failed(new Error('cannot write state file: EISDIR'));
  h.failed(new Error('cannot write state file: a directory'));
  h.failed(new Error('cannot write state file: a directory'));
  expect(h.warning()).toBe('State file not saved (3 failed writes): cannot write state file: a directory');
  expect(reports).toEqual([false, false, false]);
  // Logged when the failure starts and when its reason changes, not on every repeat.
  expect(lines.map((l) => l.msg)).toEqual([
    'state file not written; it is tried again at the next save',
    'state file not written; it is tried again at the next save',
  ]);

  h.written();
  expect(h.warning()).toBeNull();
  expect(lines.at(-1)).toMatchObject({ msg: 'state file written again', failed_writes: 3 });
  h.failed(new Error('cannot write state file: a directory'));
  expect(h.warning()).toBe('State file not saved (1 failed writes): cannot write state file: a directory');
});
