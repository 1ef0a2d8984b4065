import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createHttpApp } from '../../src/server/app.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/listen.js';
import type { AccountStatus, PaymentStatus, StatusSnapshot } from '../../src/server/status.js';
import { launchChromium } from '../support/browser.js';
import { HOSTILE_IMG, HOSTILE_SCRIPT, LP_TOKEN, MPT_ID, sampleSnapshot } from './support.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT = join(REPO_ROOT, 'test-output');
// Generous bounds for a loaded CI machine; the assertions are about what appears, not how fast.
const PATIENCE = { timeout: 15_000, interval: 50 };
/** Every element the script refreshes. */
const LIVE = [
  'updated',
  'health',
  'warnings',
  'accounts-note',
  'accounts-body',
  'payments-body',
  'connection',
  'servers-body',
  'rules-body',
  'sinks-body',
  'dead-body',
] as const;
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** Every amount in the assets tables (the cells' leading text), with the number of lines it takes. */
const AMOUNT_LINES = `[...document.querySelectorAll('table.assets tbody td')]
  .map((td) => td.firstChild)
  .filter((node) => node && node.nodeType === Node.TEXT_NODE && /\\d/.test(node.textContent))
  .map((node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
    return { text: node.textContent.trim(), lines: tops.size };
  })`;

// The snapshot the page shows; tests replace it and the page must follow.
let current: StatusSnapshot = sampleSnapshot();
let failStatus = false;
let server: RunningHttpServer;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let base: string;

beforeAll(async () => {
  const app = createHttpApp({
    renderMetrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
    isReady: () => true,
    getStatus: () => {
      if (failStatus) throw new Error('pipeline unavailable');
      return current;
    },
    reload: async () => ({ ok: true }),
    version: '0.1.0',
    revision: 'test',
    logger: silentLogger,
    refreshIntervalMs: 200,
  });
  server = await startHttpServer({
    app,
    listenAddress: '127.0.0.1:0',
    webConfig: null,
    logger: silentLogger,
  });
  base = `http://127.0.0.1:${server.address.port}`;
  browser = await launchChromium();
  context = browser.context;
  mkdirSync(OUTPUT, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Each live element as a canonical tree (tags, sorted attributes, collapsed text), for comparing renders.
 * In-page code is a string: the project's TypeScript has no DOM library.
 */
const CANONICAL_LIVE = `(() => {
  const canon = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.replace(/\\s+/g, ' ').trim();
      return text === '' ? null : text;
    }
    const attributes = Array.from(node.attributes).map((a) => a.name + '=' + a.value).sort();
    return [node.tagName, attributes, Array.from(node.childNodes).map(canon).filter((c) => c !== null)];
  };
  return Object.fromEntries(${JSON.stringify(LIVE)}.map((id) => [id, canon(document.getElementById(id))]));
})()`;

const SIDEWAYS = '[document.documentElement.scrollWidth, document.documentElement.clientWidth]';

function canonicalLive(page: Page): Promise<unknown> {
  return page.evaluate(CANONICAL_LIVE);
}

/** Opens the page, failing the test on any dialog or page error. */
async function open(options: { script?: boolean } = {}): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Without the script the page is what a browser with JavaScript off shows.
  if (options.script === false) await page.route('**/static/status.js', (route) => route.abort());
  const response = await page.goto(`${base}/`);
  expect(response?.status()).toBe(200);
  return { page, problems };
}

/** Long unbroken text wherever the ledger or the config can put it, many assets and many payments. */
function crowdedSnapshot(): StatusSnapshot {
  const sample = sampleSnapshot();
  const treasury = sample.accounts[0]!;
  const manyAssets: AccountStatus = {
    ...treasury,
    name: `deposits-${'x'.repeat(80)}`,
    received: Array.from({ length: 20 }, (_, i) => ({
      currency: i % 2 === 0 ? LP_TOKEN : MPT_ID,
      issuer: i % 2 === 0 ? `rHb9CJAWyB4rj91VRWn96DkukG4bwdt${i}` : '',
      value: `123456789.123456789012345${i}`,
      count: 1000 + i,
    })),
  };
  const payments = Array.from({ length: 50 }, (_, i) => ({
    ...sample.recentPayments[i % 2]!,
    memo:
      i % 3 === 0 ? `${'M'.repeat(300)}\n\n\n${HOSTILE_IMG}` : (sample.recentPayments[i % 2]!.memo ?? null),
    amount: '99999999999.999999999999',
  }));
  return {
    ...sample,
    warnings: [...sample.warnings, `State file not saved: ${'/very/long/path'.repeat(20)}`],
    accounts: [manyAssets, ...sample.accounts],
    recentPayments: payments,
  };
}

describe('status page layout', () => {
  test.each(SIZES)(
    'fits a $width px wide $name without sideways scrolling; screenshot saved',
    async (size) => {
      // Crowded: long unbroken text everywhere, many assets and payments; with and without the script.
      current = crowdedSnapshot();
      for (const script of [true, false]) {
        const { page, problems } = await open({ script });
        await page.setViewportSize({ width: size.width, height: size.height });
        const [scrollWidth, clientWidth] = (await page.evaluate(SIDEWAYS)) as [number, number];
        expect(scrollWidth, `${size.name}, script ${script ? 'on' : 'off'}`).toBeLessThanOrEqual(clientWidth);
        expect(problems).toEqual([]);
        if (script) {
          // Once the script has run (copy buttons shown) and refreshed the page, it still fits.
          await expect
            .poll(() => page.evaluate("document.documentElement.classList.contains('js')"), PATIENCE)
            .toBe(true);
          await page.evaluate("window.firstRow = document.querySelector('#accounts-body > tr'); true");
          await expect.poll(() => page.evaluate('window.firstRow.isConnected'), PATIENCE).toBe(false);
          const [after, width] = (await page.evaluate(SIDEWAYS)) as [number, number];
          expect(after).toBeLessThanOrEqual(width);
        } else {
          expect(await page.locator('button.copy').first().isVisible()).toBe(false);
          expect(await page.locator('svg.spark').first().isVisible()).toBe(true);
        }
        await page.close();
      }
      // The everyday page, for the screenshot.
      current = sampleSnapshot();
      const { page } = await open();
      await page.setViewportSize({ width: size.width, height: size.height });
      await expect
        .poll(() => page.evaluate("document.documentElement.classList.contains('js')"), PATIENCE)
        .toBe(true);
      const [scrollWidth, clientWidth] = (await page.evaluate(SIDEWAYS)) as [number, number];
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      // Balances and received amounts are read as numbers: none of them broken over lines.
      const amounts = (await page.evaluate(AMOUNT_LINES)) as { text: string; lines: number }[];
      expect(amounts.length).toBeGreaterThan(0);
      expect(amounts.filter((a) => a.lines > 1)).toEqual([]);
      await page.screenshot({ path: join(OUTPUT, `status-page-${size.width}.png`), fullPage: true });
      await page.close();
    },
  );

  test('the layout check can fail: a page wider than the phone is caught', async () => {
    current = sampleSnapshot();
    const { page } = await open({ script: false });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(
      "document.querySelector('#accounts-note').append(Object.assign(document.createElement('span'), { textContent: 'W'.repeat(400) })); true",
    );
    const [scrollWidth, clientWidth] = (await page.evaluate(SIDEWAYS)) as [number, number];
    expect(scrollWidth).toBeGreaterThan(clientWidth);
    await page.close();
  });
});

function newPayment(now: number): PaymentStatus {
  return {
    time: now - 1,
    accountName: 'treasury',
    accountAddress: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
    amount: '42.5',
    currency: HOSTILE_SCRIPT,
    issuer: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
    sender: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
    type: 'Payment',
    hash: 'C'.repeat(64),
    link: `https://testnet.xrpl.org/transactions/${'C'.repeat(64)}`,
    partial: false,
    memo: '<img src=x onerror=alert(1)>',
  };
}

describe('status page behaviour', () => {
  test('refreshes itself from the server’s own markup, keeps open lines open, and runs no ledger text', async () => {
    current = sampleSnapshot();
    const { page, problems } = await open();
    const serverRendered = await canonicalLive(page);
    expect(await page.locator('#payments-body tr').count()).toBe(2);

    // A refresh of the same snapshot replaces the rows and must leave the page as the server rendered it.
    await page.evaluate("window.serverRow = document.querySelector('#payments-body tr'); true");
    await expect.poll(() => page.evaluate('window.serverRow.isConnected'), PATIENCE).toBe(false);
    expect(await page.locator('#updated').getAttribute('class')).toBe('muted');
    expect(await canonicalLive(page)).toEqual(serverRendered);

    // The reader opens an account's folded assets; refreshes keep it open.
    await page.locator('#accounts-body details summary').first().click();
    expect(await page.locator('#accounts-body details[open]').count()).toBe(1);

    // New data: a payment with script in its memo and currency, a newer ledger, a rule that fires, and
    // the ledger tile turning red.
    const now = current.now + 30;
    current = {
      ...current,
      now,
      ledger: { index: 12_345_699, closeTime: now - 2 },
      health: current.health.map((h) =>
        h.area === 'ledger'
          ? { ...h, level: 'critical' as const, summary: 'Ledger 12345699 closed 2s ago' }
          : h,
      ),
      recentPayments: [newPayment(now), ...current.recentPayments],
      rules: current.rules.map((r) => ({ ...r, state: 'firing' as const })),
    };
    await expect.poll(() => page.locator('#payments-body tr').count(), PATIENCE).toBe(3);
    await expect.poll(() => page.locator('#connection').textContent(), PATIENCE).toContain('12345699');
    expect(await page.locator('#health [data-area="ledger"]').getAttribute('class')).toBe(
      'tile level-critical',
    );
    expect(await page.locator('#rules-body .state-firing').count()).toBe(2);
    expect(await page.locator('#accounts-body details[open]').count()).toBe(1);
    const firstRow = page.locator('#payments-body tr').first();
    expect(await firstRow.locator('.memo').textContent()).toBe('<img src=x onerror=alert(1)>');
    expect(await firstRow.locator('.currency').textContent()).toBe(HOSTILE_SCRIPT);
    expect(await page.locator('#accounts-body > tr').nth(1).locator('.name').textContent()).toBe(HOSTILE_IMG);

    // Nothing the ledger said became markup or ran.
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate("Array.from(document.scripts).map((s) => s.getAttribute('src'))")).toEqual([
      'static/status.js',
    ]);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.locator('svg:not(.spark)').count()).toBe(0);
    expect(problems).toEqual([]);

    // A failed refresh says so and keeps the last data; the next good one clears it.
    failStatus = true;
    await expect.poll(() => page.locator('#updated').getAttribute('class'), PATIENCE).toBe('stale');
    expect(await page.locator('#payments-body tr').count()).toBe(3);
    failStatus = false;
    await expect.poll(() => page.locator('#updated').getAttribute('class'), PATIENCE).toBe('muted');
    await page.close();
  });

  test('long ids are shortened in the middle, whole in the title, and the copy button copies them whole', async () => {
    current = sampleSnapshot();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const { page, problems } = await open();
    const address = page.locator('#accounts-body > tr').first().locator('.id').first();
    expect(await address.locator('a').textContent()).toBe('rPT1Sj…bpAYe');
    expect(await address.locator('a').getAttribute('title')).toBe('rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe');
    const mpt = page.locator(`[title="${MPT_ID}"]`).first();
    expect(await mpt.textContent()).toBe('000000…EDAFC');

    const copy = page.locator(`button.copy[data-copy="${MPT_ID}"]`).first();
    await copy.click();
    await expect.poll(() => page.evaluate('navigator.clipboard.readText()'), PATIENCE).toBe(MPT_ID);

    // Plain http from another host has no Clipboard API: the script falls back to a selected text area.
    const insecure = await context.newPage();
    await insecure.addInitScript(
      "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });",
    );
    await insecure.goto(`${base}/`);
    await expect
      .poll(() => insecure.evaluate("document.documentElement.classList.contains('js')"), PATIENCE)
      .toBe(true);
    await insecure.locator('button.copy[data-copy="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"]').first().click();
    await expect
      .poll(() => page.evaluate('navigator.clipboard.readText()'), PATIENCE)
      .toBe('rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe');
    expect(problems).toEqual([]);
    await insecure.close();
    await page.close();
  });

  test('a sparkline per account: bars drawn from the receipts per minute, the total beside them', async () => {
    current = sampleSnapshot();
    const { page } = await open({ script: false });
    const spark = page.locator('#accounts-body > tr').first().locator('svg.spark');
    expect(await spark.getAttribute('aria-label')).toBe(
      '27 receipts in the last hour, at most 6 in a minute',
    );
    const bars = (await spark.locator('path:not(.base)').getAttribute('d')) ?? '';
    // One bar per minute with receipts (16 of 60); the busiest minute is full height.
    expect(bars.match(/M/g)).toHaveLength(16);
    expect(bars).toContain('M59 20v-20h0.8V20z');
    const box = await spark.boundingBox();
    expect(box?.width).toBeGreaterThan(50);
    expect(
      await page.locator('#accounts-body > tr').nth(1).locator('td[data-label="Last hour"]').textContent(),
    ).toBe('none');
    await page.close();
  });
});
