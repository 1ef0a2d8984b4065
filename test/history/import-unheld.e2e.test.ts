import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile } from '../support/config-file.js';
import { parseExposition } from '../support/exposition.js';
import { buildHistory } from '../support/history.js';
import { startExporter, waitFor } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');

describe('a history import no server can serve', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('says so in the log, the gauge and the status page, retries, and leaves live counting alone', async () => {
    const history = buildHistory({ seed: 71, ledgers: 60, transactions: 300, accounts: 2 });
    const [alice, bob] = history.accounts as [string, string];
    const fake = await FakeRippled.start();
    cleanups.push(() => fake.close());
    fake.addLedgers(history.ledgers.slice(0, 40));
    await fake.publishAll();
    // Like a server with online_delete: ledgers before 1030 are gone.
    fake.setHistoryStart(1030);
    const file = configFile('import-unheld', [
      'xrpl:',
      `  servers: ["${fake.url}"]`,
      'accounts:',
      `  - { address: ${alice}, name: alice, since: 1001 }`,
      `  - { address: ${bob}, name: bob }`,
    ]);
    const started = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    cleanups.push(() => started.process.stop());
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 20_000);
    const failing = await waitFor(
      'the status page to show the import failing',
      async () => {
        const status = (await (await fetch(`${base}/api/status`)).json()) as {
          accounts: Array<{ address: string; history?: { state: string; error: string | null } | null }>;
        };
        const history = status.accounts.find((a) => a.address === alice)?.history;
        return history?.state === 'failing' ? history : undefined;
      },
      20_000,
    );
    expect(failing.error).toMatch(/account_tx .*: .*(lgrIdxMalformed|holds 1030)/);
    // The log comes through a pipe, not necessarily before the status answer.
    await waitFor(
      'the failure logged',
      () =>
        /level=error msg="history import: no server holds the history, retrying"/.test(
          started.process.output(),
        )
          ? true
          : undefined,
      10_000,
    );
    expect(await (await fetch(`${base}/`)).text()).toContain('history import failing');
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(
      samples.find((s) => s.name === 'xrpl_history_import_ledgers_remaining' && s.labels.name === 'alice')
        ?.value,
    ).toBe(40);
    // It keeps trying (backoff), and the live stream still counts bob.
    await waitFor(
      'a second attempt',
      () =>
        (started.process.output().match(/no server holds the history, retrying/g) ?? []).length >= 2
          ? true
          : undefined,
      20_000,
    );
    for (const ledger of history.ledgers.slice(40)) {
      fake.addLedger(ledger.transactions);
      await fake.publishNext();
    }
    const bobReceived = await waitFor(
      'bob counted live',
      async () => {
        const status = (await (await fetch(`${base}/api/status`)).json()) as {
          accounts: Array<{ address: string; received: unknown[] }>;
        };
        const received = status.accounts.find((a) => a.address === bob)?.received ?? [];
        return received.length > 0 ? received : undefined;
      },
      20_000,
    );
    expect(bobReceived.length).toBeGreaterThan(0);
  }, 120_000);
});
