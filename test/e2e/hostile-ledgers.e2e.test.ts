import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { ALICE, pay, startWatcher, type Watcher } from '../support/watcher.js';

/** Ledger 1000 of the fake closes at this time, and every later one 4 s after its parent. */
const START = new Date('2026-01-01T00:00:00Z');
const START_RIPPLE = START.getTime() / 1000 - RIPPLE_EPOCH_OFFSET;

function ledgerClosed(index: number, ledgerTime?: number): string {
  return JSON.stringify({
    type: 'ledgerClosed',
    ledger_index: index,
    ledger_hash: 'AB'.repeat(32),
    ...(ledgerTime === undefined ? {} : { ledger_time: ledgerTime }),
    fee_base: 10,
    reserve_base: 1_000_000,
    reserve_inc: 200_000,
    txn_count: 0,
  });
}

describe('the built exporter against hostile ledger announcements', () => {
  let fake: FakeRippled;
  let watcher: Watcher | null = null;
  let junk: NodeJS.Timeout | null = null;

  afterEach(async () => {
    if (junk) clearInterval(junk);
    junk = null;
    await watcher?.process.stop();
    watcher = null;
    await fake?.close();
  });

  async function start(config: Parameters<typeof startWatcher>[0]): Promise<Watcher> {
    watcher = await startWatcher(config);
    return watcher;
  }

  it('ignores a far-ahead ledgerClosed without a close time: counting and the checkpoint go on, also after a restart', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile('hostile-ahead', [
      ...watcherYaml([fake.url], { alice: ALICE }),
      'state:',
      '  path: ./state.json',
    ]);
    let w = await start(config);
    await pay(fake);
    await w.payments(1);

    fake.sendRaw(ledgerClosed(4_000_000_000));
    await w.until('xrpl_invalid_messages_total', 1);
    await pay(fake);
    const samples = await w.payments(2);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(fake.validatedLedgerIndex);
    expect(sampleValue(samples, 'xrpl_ledger_gaps_total')).toBe(0);

    await w.process.stop();
    expect(w.process.child.exitCode).toBe(0);
    const saved = JSON.parse(readFileSync(join(config.dir, 'state.json'), 'utf8')) as {
      state: { checkpoint: number };
    };
    expect(saved.state.checkpoint).toBeLessThanOrEqual(fake.validatedLedgerIndex);
    expect(saved.state.checkpoint).toBeGreaterThan(1000);

    w = await start(config);
    await pay(fake);
    const after = await w.payments(3);
    expect(sampleValue(after, 'xrpl_ledger_gaps_total')).toBe(0);
  });

  it('ignores a first ledgerClosed far ahead of the subscribed ledger, even with a plausible close time', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile('hostile-first', watcherYaml([fake.url], { alice: ALICE }));
    const w = await start(config);
    // 4 s after ledger 1000, the one the subscribe answer named: a real next ledger would be 1001.
    fake.sendRaw(ledgerClosed(3_000_000_000, START_RIPPLE + 4));
    await w.until('xrpl_invalid_messages_total', 1);
    await pay(fake);
    const samples = await w.payments(1);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(fake.validatedLedgerIndex);
    expect(sampleValue(samples, 'xrpl_ledger_gaps_total')).toBe(0);
  });

  it('keeps a backwards ledgerClosed from moving xrpl_validated_ledger_index', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile('hostile-back', watcherYaml([fake.url], { alice: ALICE }));
    const w = await start(config);
    fake.addLedger([]);
    fake.addLedger([]);
    await fake.publishAll();
    await w.until('xrpl_validated_ledger_index', 1002);
    fake.sendRaw(ledgerClosed(997, START_RIPPLE - 12));
    const samples = await w.until('xrpl_invalid_messages_total', 1);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(1002);
    expect(sampleValue(samples, 'xrpl_validated_ledger_close_timestamp_seconds')).toBe(
      START.getTime() / 1000 + 8,
    );
  });

  it('goes stale when the server only repeats an old ledger, and stays ready while new ones come', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile(
      'hostile-stale',
      watcherYaml([fake.url], { alice: ALICE }, ['stale_after: 3s']),
    );
    const { base, scrape } = await start(config);
    junk = setInterval(() => fake.sendRaw(ledgerClosed(1000, START_RIPPLE)), 500);
    const stale = await waitFor(
      'not ready',
      async () => {
        if ((await fetch(`${base}/-/ready`)).status !== 503) return undefined;
        return scrape();
      },
      20_000,
    );
    expect(sampleValue(stale, 'xrpl_up')).toBe(0);
    clearInterval(junk);
    junk = null;

    // Control: new validated ledgers keep it ready well past stale_after.
    fake.startAutoPublish(500);
    await waitFor(
      'ready again',
      async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined),
      20_000,
    );
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      expect((await fetch(`${base}/-/ready`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
