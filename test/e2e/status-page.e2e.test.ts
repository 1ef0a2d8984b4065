import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { launchChromium } from '../support/browser.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { createRng, fixtureTx, testAccounts } from '../support/history.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const SCREENSHOT = join(ROOT, 'test-output/status-page-e2e.png');
const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();
/** 20 printable bytes: a 40-hex currency code the exporter shows by its ASCII name. */
const HOSTILE_CURRENCY = '<svg/onload=alert()>';
const HOSTILE_MEMO = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

describe('status page in a real browser, fed by the fake rippled through the exporter', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('shows payments as they arrive and executes nothing that came from the ledger', async () => {
    const rng = createRng(31);
    const [alice] = testAccounts(1, rng) as [string];
    const fake = await FakeRippled.start();
    cleanups.push(() => fake.close());
    const config = configFile(
      'status',
      watcherYaml([fake.url], { alice }, ['explorer_url: https://testnet.xrpl.org/transactions/{hash}']),
    );
    const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
    const exporter: RunningProcess = started.process;
    cleanups.push(() => exporter.stop());
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);

    const publish = async (tx: ReturnType<typeof fixtureTx>) => {
      fake.addLedger([tx], { closeTime: new Date() });
      fake.addLedger([], { closeTime: new Date() });
      await fake.publishAll();
    };
    await publish(
      fixtureTx('explorer/Payment/PaymentWithDestinationTag.json', {
        map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: alice },
        hash: rng.hex(32),
      }),
    );

    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const { context } = browser;
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(base);
    await expect.poll(() => page.locator('body').textContent(), { timeout: 15_000 }).toContain('1531.267');
    const scriptsBefore = await page.locator('script').count();

    // A token payment whose currency code and memo are markup.
    const token = fixtureTx('xrpl.js/utils/paymentToken.json', {
      map: { rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K: alice },
      hash: rng.hex(32),
    });
    const hostile = JSON.parse(
      JSON.stringify(token)
        .split('"USD"')
        .join(`"${hex(HOSTILE_CURRENCY)}"`),
    );
    hostile.tx.Memos = [{ Memo: { MemoData: hex(HOSTILE_MEMO) } }];
    await publish(hostile);

    // The page refreshes itself: the new row appears, showing the markup as text.
    await expect
      .poll(() => page.locator('body').textContent(), { timeout: 20_000 })
      .toContain(HOSTILE_CURRENCY);
    await expect
      .poll(() => page.locator('body').textContent(), { timeout: 20_000 })
      .toContain('window.__pwned=1');
    expect(await page.locator('script').count()).toBe(scriptsBefore);
    // The only pictures are the sparklines the page draws; none came from the ledger.
    expect(await page.locator('svg:not(.spark)').count()).toBe(0);
    expect(await page.locator('svg[onload]').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    // alice's receipts of the last hour, drawn from the exporter's own recent data.
    await expect
      .poll(() => page.locator('#accounts-body svg.spark').getAttribute('aria-label'), { timeout: 20_000 })
      .toMatch(/^2 receipts in the last hour/);
    expect(await page.locator('#health [data-area="connection"]').getAttribute('class')).toBe(
      'tile level-ok',
    );
    // The server-rendered page (no JavaScript) escapes it too.
    const html = await (await fetch(base)).text();
    expect(html).not.toContain(HOSTILE_CURRENCY);
    expect(html).toContain('&lt;svg/onload=alert()&gt;');

    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});
