import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

function explain(args: string[], input?: string, cwd = EMPTY_DIR) {
  const { XRPL_EXPORTER_CONFIG: _default, ...env } = process.env;
  const run = spawnSync('node', [MAIN, 'explain', ...args], { cwd, env, input, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A folder with a config.yaml watching `accounts` (name -> address), as the repository folder has. */
function folderWithConfig(accounts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xrpl-explain-config-'));
  const lines = ['xrpl:', '  servers: [wss://s.altnet.rippletest.net:51233]', 'accounts:'];
  for (const [name, address] of Object.entries(accounts))
    lines.push(`  - { address: ${address}, name: ${name} }`);
  writeFileSync(join(dir, 'config.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

describe('xrpl-payments-exporter explain', () => {
  it('prints the spec JSON for every account the transaction touches', () => {
    const run = explain([V2_PAYMENT]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
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

  it('where a config file applies, says on stderr that only its accounts are shown, and how to see all', () => {
    const faucet = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
    const untouched = explain([V2_PAYMENT], undefined, folderWithConfig({ faucet }));
    expect(untouched.code).toBe(0);
    expect(JSON.parse(untouched.stdout).accounts).toEqual([]);
    expect(untouched.stderr).toBe(
      `explain: showing only the accounts in ./config.yaml (1 account: faucet ${faucet}); ` +
        'the transaction touches none of them. --all-accounts shows every account it touches.\n',
    );

    const dir = folderWithConfig({ faucet, receiver: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN' });
    const touched = explain([V2_PAYMENT], undefined, dir);
    expect(JSON.parse(touched.stdout).accounts.map((a: { account: string }) => a.account)).toEqual([
      'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
    ]);
    expect(touched.stderr).toContain('(2 accounts: faucet ');
    expect(touched.stderr).toContain('the transaction touches 1 of them.');

    // Asked for on the command line: no note.
    const all = explain(['--all-accounts', V2_PAYMENT], undefined, dir);
    expect(JSON.parse(all.stdout).accounts).toHaveLength(2);
    expect(all.stderr).toBe('');
  });

  it('prints only the error, nothing on standard output, for a JSON object that is not a transaction', () => {
    for (const args of [['-'], ['--all-accounts', '-']]) {
      const run = explain(args, '{"hello": "world"}');
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^explain: not a transaction the exporter can count: .+\n$/);
    }
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
