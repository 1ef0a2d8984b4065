import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/server/status.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { decodeStateFile } from '../../src/state/document.js';
import { type ConfigFile, configFile, watcherYaml } from '../support/config-file.js';
import { sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { ALICE, pay, startWatcher, type Watcher } from '../support/watcher.js';

/** Faults of the state file during a run and between runs, on real files, through the built binary. */
describe('the built exporter when its state file is damaged', () => {
  let fake: FakeRippled;
  let watcher: Watcher | null = null;

  afterEach(async () => {
    await watcher?.process.stop();
    watcher = null;
    await fake?.close();
  });

  function stateConfig(prefix: string): { config: ConfigFile; file: string } {
    const config = configFile(prefix, [
      ...watcherYaml([fake.url], { alice: ALICE }),
      'state:',
      '  path: ./state.json',
    ]);
    return { config, file: join(config.dir, 'state.json') };
  }

  async function start(config: ConfigFile): Promise<Watcher> {
    watcher = await startWatcher(config);
    return watcher;
  }

  /** SIGTERM, and the exit code. */
  async function terminate(w: Watcher): Promise<number | null> {
    await w.process.stop();
    return w.process.child.exitCode;
  }

  /**
   * Puts a directory where the state file is. The exporter may write the file again between the removal
   * and the mkdir (a save it had already started or queued): then remove it again.
   */
  async function replaceWithDirectory(path: string): Promise<void> {
    for (;;) {
      await rm(path, { force: true });
      try {
        await mkdir(path);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  async function checkpointIn(path: string): Promise<number | null> {
    return decodeStateFile(await readFile(path, 'utf8')).checkpoint;
  }

  it('writes a deleted state file again and keeps the backup; a restart resumes the totals', async () => {
    fake = await FakeRippled.start();
    const { config, file } = stateConfig('state-deleted');
    let w = await start(config);
    await pay(fake);
    await w.payments(1);
    await pay(fake); // a second write rotates the first into the backup
    await w.payments(2);
    await waitFor('a backup', () => (existsSync(`${file}.bak`) ? true : undefined), 10_000);
    const backup = await readFile(`${file}.bak`, 'utf8');

    await rm(file);
    await pay(fake);
    await w.payments(3);
    // Up to the payment's ledger, completed by the empty ledger after it.
    const completed = fake.validatedLedgerIndex - 1;
    await waitFor(
      'the state file written again',
      async () => (existsSync(file) && (await checkpointIn(file))! >= completed ? true : undefined),
      10_000,
    );
    expect(await readFile(`${file}.bak`, 'utf8')).not.toBe('');
    expect(backup).not.toBe('');
    const samples = await w.scrape();
    expect(sampleValue(samples, 'xrpl_state_write_failures_total')).toBe(0);
    expect(sampleValue(samples, 'xrpl_state_last_write_success_timestamp_seconds')).toBeGreaterThan(0);
    expect(await terminate(w)).toBe(0);

    w = await start(config);
    await w.payments(3);
    await pay(fake);
    await w.payments(4);
  });

  it('with a directory in its place: counts failures, warns on the status page, exits non-zero, restarts from the backup', async () => {
    fake = await FakeRippled.start();
    const { config, file } = stateConfig('state-directory');
    let w = await start(config);
    await pay(fake);
    await w.payments(1);
    await replaceWithDirectory(file);

    await pay(fake);
    await w.payments(2);
    await w.until('xrpl_validated_ledger_index', fake.validatedLedgerIndex);
    // Every save from now on fails; how many the exporter attempted depends on timing.
    const samples = await w.until('xrpl_state_write_failures_total', (n) => n !== undefined && n >= 1);
    const failures = sampleValue(samples, 'xrpl_state_write_failures_total')!;
    expect(sampleValue(samples, 'xrpl_payments_received_total', { name: 'alice', type: 'Payment' })).toBe(2);
    const status = (await (await fetch(`${w.base}/api/status`)).json()) as { warnings: string[] };
    expect(status.warnings).toEqual([
      expect.stringMatching(
        /^State file not saved \(\d+ failed writes?\): cannot write state file .*a directory/,
      ),
    ]);
    // The warning counts the same failures as the metric (read later, so at least as many).
    expect(Number(/\((\d+) failed/.exec(status.warnings[0]!)![1])).toBeGreaterThanOrEqual(failures);
    const page = await (await fetch(`${w.base}/`)).text();
    expect(page).toContain('State file not saved');
    // The health summary evaluates XRPLStateWriteFailing on the exporter's own metrics: pending, so amber.
    const tile = await waitFor(
      'the state file tile turning amber',
      async () => {
        const body = (await (await fetch(`${w.base}/api/status`)).json()) as StatusSnapshot;
        const state = body.health.find((h) => h.area === 'state');
        return state?.level === 'warning' ? state : undefined;
      },
      20_000,
    );
    expect(tile.alerts).toMatchObject([{ alert: 'XRPLStateWriteFailing', state: 'pending' }]);
    expect(tile.details).toEqual([expect.stringMatching(/^\d+ failed writes? in the last 5m$/)]);

    expect(await terminate(w)).toBe(1);
    expect(w.process.output()).toMatch(/level=error msg="shutdown failed".*cannot write state file/);
    // The newest state went to the backup instead: nothing counted is lost.
    const saved = await checkpointIn(`${file}.bak`);
    expect(saved).toBeGreaterThanOrEqual(fake.validatedLedgerIndex - 1);

    w = await start(config);
    await w.payments(2);
    expect(w.process.output()).toMatch(/level=warn msg="state loaded" .*source=backup/);
  });

  it('with both files corrupt: says which ledgers may be missing, counts a gap, and warns', async () => {
    fake = await FakeRippled.start();
    const { config, file } = stateConfig('state-corrupt');
    let w = await start(config);
    await pay(fake);
    await w.payments(1);
    await pay(fake);
    await w.payments(2);
    expect(await terminate(w)).toBe(0);
    const checkpoint = (await checkpointIn(file))!;
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, 160)); // truncated: the checkpoint is still readable
    await writeFile(`${file}.bak`, 'garbage');

    // Payments while the exporter is down are in ledgers it can no longer prove it counted.
    await pay(fake);
    w = await start(config);
    const samples = await w.until('xrpl_ledger_gaps_total', 1);
    expect(sampleValue(samples, 'xrpl_payments_received_total', { name: 'alice', type: 'Payment' })).toBe(0);
    const output = w.process.output();
    expect(output).toMatch(/level=warn msg="state loaded" .*source=none/);
    expect(output).toContain(`ledgers=${checkpoint + 1}-${fake.validatedLedgerIndex}`);
    expect(output).toContain(`it had counted up to ledger ${checkpoint}`);
  });
});
