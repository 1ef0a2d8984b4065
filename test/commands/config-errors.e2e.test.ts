/*
 * Config errors as the built binary prints them (spec: every error names its path, all at once): one line
 * per error on standard error and nothing else, the same for every command; and `report --account`, which
 * names its accounts itself, needs no `accounts` in the config.
 */

import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile } from '../support/config-file.js';
import { loadFixture } from '../support/fixtures.js';
import { runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const FAUCET = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

/** The arguments each command needs besides the config to reach the config. */
const EXTRA: Readonly<Record<string, readonly string[]>> = {
  explain: ['-'],
  report: ['--since=1000'],
};

describe('an invalid config', () => {
  const oneError = configFile('one-error', [
    'xrpl:',
    '  servers: [ws://127.0.0.1:1]',
    '  stale_afer: 30s',
    'accounts:',
    `  - address: ${FAUCET}`,
  ]);
  const twoErrors = configFile('two-errors', ['xrpl:', '  servers: [ws://127.0.0.1:1]', '  stale_afer: 30s']);

  it.each(COMMANDS)('%s: one error is one line on stderr, exit 1', async (command) => {
    const run = await runNode(
      [MAIN, command, `--config.file=${oneError.path}`, ...(EXTRA[command] ?? [])],
      oneError.dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('xrpl.stale_afer: unknown key (did you mean stale_after?)\n');
  });

  it('every error is reported, one line each', async () => {
    const run = await runNode([MAIN, 'check-config', `--config.file=${twoErrors.path}`], twoErrors.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      ['xrpl.stale_afer: unknown key (did you mean stale_after?)', 'accounts: required', ''].join('\n'),
    );
  });
});

describe('report --account with a config that has servers but no accounts', () => {
  let fake: FakeRippled;
  const file = configFile('report-no-accounts');

  beforeAll(async () => {
    fake = await FakeRippled.start({ startTime: new Date('2026-01-01T00:00:00Z') });
    // Ledger 1001: 0.004456 XRP to the faucet, a partial payment.
    fake.addLedger([loadFixture('xrpl.js/rippled/streams/partialPaymentTransaction.json')]);
    fake.addLedger([]);
    await fake.publishAll();
    file.write(['xrpl:', `  servers: ["${fake.url}"]`, '  request_timeout: 5s']);
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('reports the accounts given on the command line', async () => {
    const run = await runNode(
      [MAIN, 'report', `--config.file=${file.path}`, `--account=${FAUCET}`, '--since=1000', '--until=1002'],
      file.dir,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toBe(
      'ledger_index,close_time,hash,account,name,type,currency,issuer,value,sender,destination_tag,partial',
    );
    expect(rows.map((r) => r.split(',')).map((c) => [c[0], c[3], c[4], c[8], c[11]])).toEqual([
      ['1001', FAUCET, FAUCET, '0.004456', 'true'],
    ]);
  });

  it('without --account it still needs the accounts: one line, exit 1', async () => {
    const run = await runNode([MAIN, 'report', `--config.file=${file.path}`, '--since=1000'], file.dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('accounts: required\n');
  });
});
