import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { ALICE, pay, paymentLedger, startWatcher, type Watcher } from '../support/watcher.js';

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

  it('ignores a far-ahead ledgerClosed whose far-future close time keeps pace with the index, also after a restart', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile('hostile-future', [
      ...watcherYaml([fake.url], { alice: ALICE }),
      'state:',
      '  path: ./state.json',
    ]);
    const checkpoint = () =>
      (JSON.parse(readFileSync(join(config.dir, 'state.json'), 'utf8')) as { state: { checkpoint: number } })
        .state.checkpoint;
    let w = await start(config);
    await pay(fake);
    await w.payments(1);

    // The review's case: 4e9 ledgers ahead, closing 4e9 s after now (beyond a UInt32 close time).
    const nowRipple = Math.floor(Date.now() / 1000) - RIPPLE_EPOCH_OFFSET;
    fake.sendRaw(ledgerClosed(4_000_000_000, nowRipple + 4_000_000_000));
    // A close time a UInt32 holds (year 2133), with as many ledgers ahead as seconds after ledger 1000.
    const farClose = 4_200_000_000;
    fake.sendRaw(ledgerClosed(1000 + (farClose - START_RIPPLE), farClose));
    await w.until('xrpl_invalid_messages_total', 2);
    await pay(fake);
    const samples = await w.payments(2);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(fake.validatedLedgerIndex);
    expect(sampleValue(samples, 'xrpl_ledger_gaps_total')).toBe(0);
    await waitFor(
      'the checkpoint saved',
      async () => (checkpoint() >= fake.validatedLedgerIndex - 1 ? true : undefined),
      10_000,
    );
    expect(checkpoint()).toBeLessThanOrEqual(fake.validatedLedgerIndex);

    await w.process.stop();
    expect(w.process.child.exitCode).toBe(0);
    expect(checkpoint()).toBeLessThanOrEqual(fake.validatedLedgerIndex);
    w = await start(config);
    await pay(fake);
    const after = await w.payments(3);
    expect(sampleValue(after, 'xrpl_ledger_gaps_total')).toBe(0);
    expect(checkpoint()).toBeLessThanOrEqual(fake.validatedLedgerIndex);
  });

  it('refuses a ledger closing minutes after the host clock (a clock behind), then counts its payment from history', async () => {
    fake = await FakeRippled.start({ startTime: START });
    const config = configFile('hostile-clock', watcherYaml([fake.url], { alice: ALICE }));
    const w = await start(config);
    fake.addLedger([]);
    await fake.publishAll();
    await w.until('xrpl_validated_ledger_index', 1001);
    // As the exporter sees a host clock 5 minutes behind the network: the ledger closes "in the future".
    fake.addLedger(paymentLedger(), { closeTime: new Date(Date.now() + 300_000) });
    await fake.publishAll();
    // Its ledgerClosed and its transaction are both refused.
    const refused = await w.until('xrpl_invalid_messages_total', 2);
    expect(sampleValue(refused, 'xrpl_validated_ledger_index')).toBe(1001);
    expect(sampleValue(refused, 'xrpl_payments_received_total', { name: 'alice' }) ?? 0).toBe(0);
    expect(w.process.output()).toMatch(
      /reason="ledgerClosed 1002 closes \d+ s after the local clock \(is the host clock behind\?\)"/,
    );

    // The clock is right again: the next ledger is trusted, and the refused one is read from history.
    fake.addLedger([], { closeTime: new Date() });
    await fake.publishAll();
    const samples = await w.payments(1);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(1003);
    expect(sampleValue(samples, 'xrpl_ledger_gaps_total')).toBe(0);
    expect(sampleValue(samples, 'xrpl_invalid_messages_total')).toBe(2);
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
