import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { encodeAccountID } from 'ripple-address-codec';
import { expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ACCOUNTS = 100_000;
/**
 * What one account may keep on the heap once its file is read: its AccountConfig (an object, the
 * address, a name) costs about 190 bytes here. Keeping the parser's records and row info alive too
 * would add about 200 more per row; the YAML document of the same accounts, thousands.
 */
const MAX_BYTES_PER_ACCOUNT = 300;

/**
 * Loads the config in a fresh Node process (the built code, `npm test` builds it first) with
 * --expose-gc, and reports the heap in use after a full collection, before and after the load.
 */
const CHILD = `
const { loadConfigFile } = await import(process.argv[1]);
globalThis.gc(); globalThis.gc();
const before = process.memoryUsage().heapUsed;
const result = await loadConfigFile(process.argv[2], {});
globalThis.gc(); globalThis.gc();
const after = process.memoryUsage().heapUsed;
console.log(JSON.stringify({ ok: result.ok, accounts: result.ok ? result.config.accounts.length : result.errors, retained: after - before }));
`;

test('reading 100,000 accounts from a CSV file keeps only the accounts on the heap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'accounts-memory-'));
  const rows = ['address,name,group'];
  for (let i = 0; i < ACCOUNTS; i++) {
    const id = createHash('sha256').update(`account ${i}`).digest().subarray(0, 20);
    rows.push(`${encodeAccountID(id)},account-${i},group-${i % 1000}`);
  }
  writeFileSync(join(dir, 'accounts.csv'), `${rows.join('\n')}\n`);
  writeFileSync(
    join(dir, 'config.yaml'),
    'xrpl:\n  servers: [ws://127.0.0.1:6006]\naccounts_files: [accounts.csv]\n',
  );

  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '--input-type=module',
      '-e',
      CHILD,
      join(ROOT, 'dist/config/index.js'),
      join(dir, 'config.yaml'),
    ],
    { timeout: 120_000 },
  );
  const report = JSON.parse(stdout) as { ok: boolean; accounts: unknown; retained: number };
  expect(report.accounts).toBe(ACCOUNTS);
  expect(report.retained / ACCOUNTS).toBeLessThan(MAX_BYTES_PER_ACCOUNT);
}, 180_000);
