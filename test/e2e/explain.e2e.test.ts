import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../support/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const V2_PAYMENT = join(
  FIXTURES_DIR,
  'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
);
// Runs where no config.yaml exists, so the default is --all-accounts.
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'xrpl-explain-'));

function explain(args: string[], input?: string) {
  const run = spawnSync('node', [MAIN, 'explain', ...args], { cwd: EMPTY_DIR, input, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('xrpl-payments-exporter explain', () => {
  it('prints the spec JSON for every account the transaction touches', () => {
    const run = explain([V2_PAYMENT]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      hash: '6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED',
      ledger_index: 1969852,
      transaction_type: 'Payment',
      result: 'tesSUCCESS',
      validated: true,
      accounts: [
        {
          account: 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8',
          balance_changes: [{ currency: 'XRP', issuer: '', value: '-20.000012' }],
          fee_paid: '0.000012',
          received: [],
          counted: false,
          reason: expect.stringMatching(/^not counted/),
        },
        {
          account: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
          balance_changes: [{ currency: 'XRP', issuer: '', value: '20' }],
          fee_paid: '0',
          received: [{ currency: 'XRP', issuer: '', value: '20' }],
          counted: true,
          reason: expect.stringMatching(/^counted/),
        },
      ],
    });
  });

  it('reports only the accounts given with --account, reading standard input for -', () => {
    const run = explain(['--account', 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN', '-'], readFixture());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).accounts.map((a: { account: string }) => a.account)).toEqual([
      'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
    ]);
  });

  it('fails clearly on input that is not JSON or not a transaction', () => {
    const notJson = explain(['-'], '{ nope');
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('is not JSON');
    const notTx = explain(['--all-accounts', '-'], '{"hello": "world"}');
    expect(notTx.code).toBe(1);
    expect(notTx.stderr).toContain('not a transaction the exporter can count');
    const badAccount = explain(['--account', 'rNOTANADDRESS', V2_PAYMENT]);
    expect(badAccount.code).toBe(1);
    expect(badAccount.stderr).toContain('invalid XRP Ledger address');
  });
});

function readFixture(): string {
  return spawnSync('cat', [V2_PAYMENT], { encoding: 'utf8' }).stdout;
}
