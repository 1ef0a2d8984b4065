import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { createRng, testAccounts } from '../support/history.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';
import { MAIN, startWatcher, type Watcher } from '../support/watcher.js';

const [ALICE, BOB] = testAccounts(2, createRng(43)) as [string, string];
const xrpBalance = (name: string) => ({ name, currency: 'XRP', issuer: '' });

/** Issue 15 item 9: a balance nobody could read is not exposed as 0, and is read until it is known. */
describe('the built exporter with balances it cannot read at first', () => {
  let fake: FakeRippled;
  let watcher: Watcher | null = null;
  let offline: RunningProcess | null = null;

  afterEach(async () => {
    await watcher?.process.stop();
    watcher = null;
    await offline?.stop();
    offline = null;
    await fake?.close();
  });

  it('exposes no balance for an account whose account_info fails, retries it until it answers, and reads it again after a reload re-adds it', async () => {
    fake = await FakeRippled.start();
    fake.setAccountBalance(ALICE, 50_000_000n);
    fake.setAccountBalance(BOB, 7_000_000n);
    fake.ignoreRequestsAbout(BOB);
    const both = watcherYaml([fake.url], { alice: ALICE, bob: BOB }, ['request_timeout: 1s']);
    const config = configFile('balances', both);
    const w = await startWatcher(config);
    watcher = w;
    await w.until('xrpl_balance', 50, xrpBalance('alice'));
    await waitFor(
      "bob's failure logged",
      () =>
        /msg="starting balance unavailable" account=(\S+)/.exec(w.process.output())?.[1] === BOB
          ? true
          : undefined,
      15_000,
    );
    expect(sampleValue(await w.scrape(), 'xrpl_balance', xrpBalance('bob'))).toBeUndefined();
    expect(w.process.output()).toMatch(/msg="starting balances loaded" accounts=1 still_unknown=1/);
    expect(w.process.output()).not.toMatch(/msg="starting balances loaded" accounts=2/);

    fake.ignoreRequestsAbout(BOB, false);
    await w.until('xrpl_balance', 7, xrpBalance('bob'));

    // Removed by a reload, the balance goes; re-added, it is read again (it changed meanwhile).
    config.write(watcherYaml([fake.url], { alice: ALICE }, ['request_timeout: 1s']));
    expect((await fetch(`${w.base}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect(sampleValue(await w.scrape(), 'xrpl_balance', xrpBalance('bob'))).toBeUndefined();
    fake.setAccountBalance(BOB, 9_000_000n);
    config.write(both);
    expect((await fetch(`${w.base}/-/reload`, { method: 'POST' })).status).toBe(200);
    await w.until('xrpl_balance', 9, xrpBalance('bob'));
  });

  it('exposes no balance while offline at first start, and reads them once connected', async () => {
    fake = await FakeRippled.start();
    fake.setAccountBalance(ALICE, 50_000_000n);
    await fake.refuseConnections(true, 'unlisten');
    const config = configFile('balances-offline', watcherYaml([fake.url], { alice: ALICE, bob: BOB }));
    const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
    offline = started.process;
    const scrape = async () =>
      parseExposition(await (await fetch(`http://${started.address}/metrics`)).text());
    const before = await scrape();
    expect(before.filter((s) => s.name === 'xrpl_balance')).toEqual([]);
    // The received counters are there from start-up, at 0.
    expect(sampleValue(before, 'xrpl_received_amount_total', xrpBalance('alice'))).toBe(0);

    await fake.refuseConnections(false);
    const after = await waitFor(
      'balances read',
      async () => {
        const s = await scrape();
        return sampleValue(s, 'xrpl_balance', xrpBalance('alice')) === 50 ? s : undefined;
      },
      30_000,
    );
    // Bob does not exist on the ledger: he holds 0 XRP, and that is known.
    await waitFor(
      'bob known',
      async () => (sampleValue(await scrape(), 'xrpl_balance', xrpBalance('bob')) === 0 ? true : undefined),
      10_000,
    );
    expect(sampleValue(after, 'xrpl_balance', xrpBalance('alice'))).toBe(50);
  });
});
