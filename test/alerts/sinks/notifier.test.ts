/*
 * The notifier across reloads and restarts: a removed email section keeps delivering what it had queued
 * (issue 11, point 7), emails queued in a state file with no email section are kept and said so loudly,
 * and the first release's outbox (version 1) is read back without sending anything twice.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Big from 'big.js';
import { afterEach, describe, expect, test } from 'vitest';
import { evaluate, initialAlertState } from '../../../src/alerts/rules.js';
import { ALERTMANAGER_BATCH_SIZE } from '../../../src/alerts/sinks/alertmanager.js';
import { Notifier, type NotifierHooks, type NotifierSnapshot } from '../../../src/alerts/sinks/notifier.js';
import { keyDigest } from '../../../src/alerts/sinks/outbox.js';
import type { Notification } from '../../../src/alerts/types.js';
import { type Config, parseConfig } from '../../../src/config/index.js';
import { alertingHooks } from '../../../src/exporter/alerting.js';
import { createMetrics } from '../../../src/metrics/index.js';
import { decodeStateFile } from '../../../src/state/document.js';
import { StateStore, type StateToSave } from '../../../src/state/store.js';
import { recordingLogger } from '../../server/support.js';
import { freePort, startAlertmanager, startWebhook, webhookConfig } from '../../support/alertmanager.js';
import { type FakeSmtp, startFakeSmtp } from '../../support/fake-smtp.js';
import { payment, rule } from '../support/builders.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ACCOUNT = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

function config(smtpPort: number | null): Config {
  const email =
    smtpPort === null
      ? []
      : [
          'email:',
          `  smtp: { host: 127.0.0.1, port: ${smtpPort} }`,
          '  from: alerts@example.com',
          '  to: [ops@example.com]',
        ];
  const result = parseConfig(
    [
      'xrpl: { servers: [ws://127.0.0.1:1] }',
      `accounts: [{ address: ${ACCOUNT}, name: faucet }]`,
      ...email,
      ...(smtpPort === null ? [] : ['rules: [{ name: big, kind: payment, threshold: 1, currency: XRP }]']),
    ].join('\n'),
    {},
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

const big = rule({ name: 'big', kind: 'payment', threshold: new Big(1), currency: 'XRP' });

function notifications(count: number): Notification[] {
  return Array.from({ length: count }, (_, i) => {
    const result = evaluate(
      { rules: [big], accounts: [] },
      initialAlertState(),
      { kind: 'payment', payment: payment(String(10 + i), 1_780_000_000 + i) },
      0,
    );
    return result.notifications[0] as Notification;
  });
}

function notifier(cfg: Config, restored: unknown = null) {
  const logger = recordingLogger();
  const delivered: string[] = [];
  const failed: string[] = [];
  const hooks: NotifierHooks = {
    delivered: (sink, rule) => delivered.push(`${sink}:${rule}`),
    failed: (sink, _rule, target) => failed.push(`${sink}:${target}`),
    queued: () => {},
    deadLetter: () => {},
    recipientRefused: () => {},
  };
  const n = new Notifier({
    config: cfg,
    logger,
    now: Date.now,
    hooks,
    restored,
    retry: { initialMs: 50, maxMs: 200 },
  });
  cleanups.push(() => n.stop());
  return { notifier: n, logger, delivered, failed };
}

async function smtpServer(): Promise<FakeSmtp> {
  const smtp = await startFakeSmtp();
  cleanups.push(() => smtp.close());
  return smtp;
}

describe('removing the email section by reload', () => {
  test('keeps the queued emails and delivers them with the previous settings', async () => {
    const smtp = await smtpServer();
    smtp.refuseNext(1000, 421); // SMTP is in trouble: the emails wait in the outbox
    const { notifier: n, logger, delivered } = notifier(config(smtp.port));
    for (const note of notifications(3)) n.notify(note, big);
    await expect.poll(() => smtp.refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    n.reconfigure(config(null));
    expect(logger.lines.join('\n')).toMatch(/email section removed.*"queued":3/);
    // A restart now would still find them in the state file.
    expect(n.snapshot().email?.queued).toHaveLength(3);
    expect(n.status().targets.map((t) => [t.sink, t.queued])).toEqual([['email', 3]]);

    smtp.refuseNext(0);
    await smtp.waitForMessages(3, 10_000);
    await n.idle();
    expect(delivered).toEqual(['email:big', 'email:big', 'email:big']);
    await expect.poll(() => n.snapshot().email, { timeout: 10_000 }).toBeNull();
  });

  test('a restart with queued emails and no email section keeps them, says so, and sends them once one is back', async () => {
    const smtp = await smtpServer();
    smtp.refuseNext(1000, 421);
    const first = notifier(config(smtp.port));
    for (const note of notifications(2)) first.notifier.notify(note, big);
    await expect.poll(() => smtp.refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await first.notifier.stop();
    const persisted = JSON.parse(JSON.stringify(first.notifier.snapshot()));

    const second = notifier(config(null), persisted);
    expect(second.logger.lines.join('\n')).toMatch(
      /"level":"error".*no email section is configured.*"queued":2/,
    );
    expect(second.notifier.queued('email')).toBe(2);
    expect(JSON.parse(JSON.stringify(second.notifier.snapshot())).email.queued).toHaveLength(2);

    smtp.refuseNext(0);
    second.notifier.reconfigure(config(smtp.port));
    await smtp.waitForMessages(2, 10_000);
    await second.notifier.idle();
    expect(second.delivered).toEqual(['email:big', 'email:big']);
  });
});

describe('the first release state file', () => {
  test('its outbox (version 1) is read back: queued emails are sent, sent ones are not sent again', async () => {
    const smtp = await smtpServer();
    const [sent, queued] = notifications(2) as [Notification, Notification];
    const v1 = { version: 1, queued: [queued], sent: [keyDigest(sent.key)] };
    const { notifier: n } = notifier(config(smtp.port), JSON.parse(JSON.stringify(v1)));
    n.notify(sent, big); // a replay of the one sent before the upgrade: dropped
    await smtp.waitForMessages(1, 10_000);
    await n.idle();
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]?.parsed.subject).toBe('[XRPL] big: 11 XRP received by faucet');
  });
});

describe('removing the alertmanager section by reload', () => {
  test('resolves the window alerts Alertmanager was told are firing', async () => {
    const webhook = await startWebhook();
    cleanups.push(() => webhook.close());
    const am = await startAlertmanager({ config: webhookConfig(webhook.url) });
    cleanups.push(() => am.stop());
    const yaml = (withAm: boolean) =>
      [
        'xrpl: { servers: [ws://127.0.0.1:1] }',
        `accounts: [{ address: ${ACCOUNT}, name: faucet }]`,
        ...(withAm ? [`alertmanager: { urls: [${am.url}] }`] : []),
        ...(withAm
          ? ['rules: [{ name: inflow, kind: total, threshold: 5, currency: XRP, window: 1h }]']
          : []),
      ].join('\n');
    const parsed = (withAm: boolean) => {
      const result = parseConfig(yaml(withAm), {});
      if (!result.ok) throw new Error(result.errors.join('\n'));
      return result.config;
    };
    const cfg = parsed(true);
    const { notifier: n } = notifier(cfg);
    const now = Date.now();
    const { state } = evaluate(
      { rules: cfg.rules, accounts: cfg.accounts },
      initialAlertState(),
      { kind: 'payment', payment: payment('10', Math.floor(now / 1000)) },
      now,
    );
    n.track(state, now);
    const active = async () =>
      ((await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[]).map(
        (a) => a.labels.rule,
      );
    await expect.poll(active, { timeout: 10_000 }).toEqual(['inflow']);
    n.reconfigure(parsed(false));
    await expect.poll(active, { timeout: 10_000 }).toEqual([]);
  });
});

/** Payments to ACCOUNT under one rule of `cfg` (its first). */
function paymentsFor(cfg: Config, count: number): Notification[] {
  return Array.from({ length: count }, (_, i) => {
    const { notifications: out } = evaluate(
      { rules: cfg.rules, accounts: cfg.accounts },
      initialAlertState(),
      { kind: 'payment', payment: payment(String(10 + i), 1_780_000_000 + i) },
      0,
    );
    return out[0] as Notification;
  });
}

/** A payment rule with an alertmanager section (and an email section on `smtpPort`), or neither. */
function sinksConfig(sinks: { urls?: readonly string[]; smtpPort?: number }): Config {
  const lines = [
    'xrpl: { servers: [ws://127.0.0.1:1] }',
    `accounts: [{ address: ${ACCOUNT}, name: faucet }]`,
  ];
  if (sinks.urls !== undefined) lines.push(`alertmanager: { urls: [${sinks.urls.join(', ')}] }`);
  if (sinks.smtpPort !== undefined) {
    lines.push(
      'email:',
      `  smtp: { host: 127.0.0.1, port: ${sinks.smtpPort} }`,
      '  from: alerts@example.com',
      '  to: [ops@example.com]',
    );
  }
  if (sinks.urls !== undefined || sinks.smtpPort !== undefined) {
    lines.push('rules: [{ name: big, kind: payment, threshold: 1, currency: XRP }]');
  }
  const result = parseConfig(lines.join('\n'), {});
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

async function realAlertmanager(): Promise<string> {
  const webhook = await startWebhook();
  cleanups.push(() => webhook.close());
  const am = await startAlertmanager({ config: webhookConfig(webhook.url) });
  cleanups.push(() => am.stop());
  return am.url;
}

/** The tx_hash of every alert an Alertmanager holds, sorted. */
async function heldPayments(url: string): Promise<string[]> {
  const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
  return alerts.map((a) => a.labels.tx_hash ?? '').sort();
}

const txHashes = (notes: readonly Notification[]) => notes.map((n) => n.payment?.hash ?? '').sort();

// Review finding M4: alerts queued for an Alertmanager URL that is no longer configured were retried forever
// after a restart, and dropped by a reload instead of going to the URL configured now.
describe('Alertmanager URLs that change while alerts are queued', () => {
  test('a restart with another URL delivers the queued alerts there and never tries the old one', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const amUrl = await realAlertmanager();
    const before = sinksConfig({ urls: [gone] });
    const first = notifier(before);
    const notes = paymentsFor(before, 2);
    for (const note of notes) first.notifier.notify(note, before.rules[0]!);
    await expect.poll(() => first.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await first.notifier.stop();
    const persisted = JSON.parse(JSON.stringify(first.notifier.snapshot()));
    expect(persisted.alertmanager.queued).toHaveLength(2);

    const second = notifier(sinksConfig({ urls: [amUrl] }), persisted);
    await expect.poll(() => heldPayments(amUrl), { timeout: 15_000 }).toEqual(txHashes(notes));
    await expect.poll(() => second.notifier.queued('alertmanager'), { timeout: 10_000 }).toBe(0);
    expect(second.failed.filter((f) => f.includes(gone))).toEqual([]);
    expect(second.notifier.status().targets.map((t) => t.target)).toEqual([amUrl]);
    expect(second.notifier.snapshot().alertmanager?.queued).toEqual([]);
  });

  test('a reload that moves Alertmanager from a host that is down sends the queued alerts to the new one', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const amUrl = await realAlertmanager();
    const before = sinksConfig({ urls: [gone] });
    const { notifier: n, logger } = notifier(before);
    const notes = paymentsFor(before, 2);
    for (const note of notes) n.notify(note, before.rules[0]!);
    await expect.poll(() => n.queued('alertmanager'), { timeout: 10_000 }).toBe(2);

    n.reconfigure(sinksConfig({ urls: [amUrl] }));
    await expect.poll(() => heldPayments(amUrl), { timeout: 15_000 }).toEqual(txHashes(notes));
    await n.idle(); // nothing left queued anywhere, so the old URL has nothing to retry
    expect(n.status().targets.map((t) => t.target)).toEqual([amUrl]);
    expect(logger.lines.join('\n')).toMatch(/alerts re-targeted.*"queued_for_new_urls":2/);
  });
});

// Review finding M5: a sink section removed and re-added by reload left the removed outbox retrying with the
// old settings and out of the state file, so a restart then lost what it held.
describe('a sink section removed and re-added by reload', () => {
  test('email: the queued emails stay in the state file and go out once, with the new settings', async () => {
    const oldSmtp = await smtpServer();
    oldSmtp.refuseNext(1_000_000, 421);
    const newSmtp = await smtpServer();
    const withOld = sinksConfig({ smtpPort: oldSmtp.port });
    const { notifier: n } = notifier(withOld);
    const notes = paymentsFor(withOld, 3);
    for (const note of notes) n.notify(note, withOld.rules[0]!);
    await expect.poll(() => oldSmtp.refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);

    n.reconfigure(sinksConfig({}));
    n.reconfigure(sinksConfig({ smtpPort: newSmtp.port }));
    expect(n.snapshot().email?.queued).toHaveLength(3);
    expect(n.queued('email')).toBe(3);
    await newSmtp.waitForMessages(3, 15_000);
    await n.idle();
    expect(new Set(newSmtp.messages.map((m) => m.parsed.messageId)).size).toBe(3);
    expect(oldSmtp.messages).toHaveLength(0);
    expect(n.snapshot().email?.queued).toEqual([]);
  });

  test('alertmanager: the queued alerts stay in the state file and go to the URL configured now', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const amUrl = await realAlertmanager();
    const before = sinksConfig({ urls: [gone] });
    const { notifier: n } = notifier(before);
    const notes = paymentsFor(before, 2);
    for (const note of notes) n.notify(note, before.rules[0]!);
    await expect.poll(() => n.queued('alertmanager'), { timeout: 10_000 }).toBe(2);

    n.reconfigure(sinksConfig({}));
    n.reconfigure(sinksConfig({ urls: [amUrl] }));
    expect(n.snapshot().alertmanager?.queued).toHaveLength(2);
    await expect.poll(() => heldPayments(amUrl), { timeout: 15_000 }).toEqual(txHashes(notes));
    await n.idle();
    expect(n.snapshot().alertmanager?.queued).toEqual([]);
  });
});

// Review finding M6: every accepted alert asked for a state-file write that encoded the whole state at once,
// 64 times per Alertmanager batch, blocking the event loop while a backlog drained.
describe('state-file writes while a batch of alerts is accepted', () => {
  test('64 alerts accepted in one request build the state at most twice, and the file records them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notifier-save-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const amUrl = await realAlertmanager();
    const cfg = sinksConfig({ urls: [amUrl] });
    const metrics = createMetrics({
      accounts: [],
      rules: ['big'],
      servers: [],
      paymentSizeBucketsXrp: [1],
      build: { version: '0.0.0', revision: 'test', nodeVersion: process.version },
      processMetrics: false,
    });
    const store = new StateStore(join(dir, 'state.json'), recordingLogger());
    let builds = 0;
    const stateToSave = (): StateToSave => {
      builds += 1;
      const outbox = n.snapshot();
      return { version: 1, checkpoint: 1, totals: metrics.totals, dedupe: null, outbox, rules: null };
    };
    const n = new Notifier({
      config: cfg,
      logger: recordingLogger(),
      now: Date.now,
      hooks: alertingHooks(metrics, () => void store.save(stateToSave)),
      restored: null,
    });
    cleanups.push(() => n.stop());
    const notes = paymentsFor(cfg, ALERTMANAGER_BATCH_SIZE);
    for (const note of notes) n.notify(note, cfg.rules[0]!);
    await n.idle();
    await store.flush();
    expect(await metrics.render().then((r) => r.body)).toMatch(
      /xrpl_alertmanager_alerts_sent_total\{rule="big"\} 64/,
    );
    expect(builds).toBeLessThanOrEqual(2);
    const saved = decodeStateFile(await readFile(join(dir, 'state.json'), 'utf8'));
    const outbox = saved.outbox as NotifierSnapshot;
    expect(outbox.alertmanager?.queued).toEqual([]);
    expect(outbox.alertmanager?.sent).toHaveLength(64);
  });
});
