import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createHttpApp } from '../../src/server/app.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/listen.js';
import type { PaymentStatus, StatusSnapshot } from '../../src/server/status.js';
import { launchChromium } from '../support/browser.js';
import { HOSTILE_IMG, HOSTILE_SCRIPT, sampleSnapshot } from './support.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT = join(REPO_ROOT, 'test-output/status-page.png');
// Generous bounds for a loaded CI machine; the assertions are about what appears, not how fast.
const PATIENCE = { timeout: 15_000, interval: 50 };
const SECTIONS = [
  'connection',
  'accounts-body',
  'payments-body',
  'rules-body',
  'sinks-body',
  'dead-body',
] as const;

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
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Each live section as a canonical tree (tags, sorted attributes, collapsed text), for comparing renders.
 * In-page code is a string: the project's TypeScript has no DOM library.
 */
const CANONICAL_SECTIONS = `(() => {
  const canon = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.replace(/\\s+/g, ' ').trim();
      return text === '' ? null : text;
    }
    const attributes = Array.from(node.attributes).map((a) => a.name + '=' + a.value).sort();
    return [node.tagName, attributes, Array.from(node.childNodes).map(canon).filter((c) => c !== null)];
  };
  return Object.fromEntries(${JSON.stringify(SECTIONS)}.map((id) => [id, canon(document.getElementById(id))]));
})()`;

function canonicalSections(page: Page): Promise<unknown> {
  return page.evaluate(CANONICAL_SECTIONS);
}

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

test('the status page refreshes from /api/status, renders like the server, and runs no ledger text', async () => {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  const response = await page.goto(`${base}/`);
  expect(response?.status()).toBe(200);
  const serverRendered = await canonicalSections(page);
  expect(await page.locator('#payments-body tr').count()).toBe(2);

  // A refresh of the same snapshot replaces the rows and must leave the page as the server rendered it.
  await page.evaluate("window.serverRow = document.querySelector('#payments-body tr'); true");
  await expect.poll(() => page.evaluate('window.serverRow.isConnected'), PATIENCE).toBe(false);
  expect(await page.locator('#updated').getAttribute('class')).toBe('muted');
  expect(await canonicalSections(page)).toEqual(serverRendered);

  // New data: a payment with script in its memo and currency, a newer ledger, a rule that fires.
  const now = current.now + 30;
  current = {
    ...current,
    now,
    ledger: { index: 12_345_699, closeTime: now - 2 },
    recentPayments: [newPayment(now), ...current.recentPayments],
    rules: current.rules.map((r) => ({ ...r, state: 'firing' as const })),
  };
  await expect.poll(() => page.locator('#payments-body tr').count(), PATIENCE).toBe(3);
  await expect.poll(() => page.locator('#connection').textContent(), PATIENCE).toContain('12345699');
  expect(await page.locator('#rules-body .state-firing').count()).toBe(2);
  const firstRow = page.locator('#payments-body tr').first();
  expect(await firstRow.locator('td.memo').textContent()).toBe('<img src=x onerror=alert(1)>');
  expect(await firstRow.locator('.currency').textContent()).toBe(HOSTILE_SCRIPT);
  expect(await page.locator('#accounts-body tr').nth(1).locator('td').first().textContent()).toBe(
    HOSTILE_IMG,
  );

  // Nothing the ledger said became markup or ran.
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate("Array.from(document.scripts).map((s) => s.getAttribute('src'))")).toEqual([
    'static/status.js',
  ]);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(dialogs).toEqual([]);
  expect(pageErrors).toEqual([]);

  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  // A failed refresh says so and keeps the last data; the next good one clears it.
  failStatus = true;
  await expect.poll(() => page.locator('#updated').getAttribute('class'), PATIENCE).toBe('stale');
  expect(await page.locator('#payments-body tr').count()).toBe(3);
  failStatus = false;
  await expect.poll(() => page.locator('#updated').getAttribute('class'), PATIENCE).toBe('muted');
  await page.close();
});
