/*
 * The notifier across reloads and restarts: a removed email section keeps delivering what it had queued
 * (issue 11, point 7), emails queued in a state file with no email section are kept and said so loudly,
 * and the first release's outbox (version 1) is read back without sending anything twice.
 */

import Big from 'big.js';
import { afterEach, describe, expect, test } from 'vitest';
import { evaluate, initialAlertState } from '../../../src/alerts/rules.js';
import { Notifier, type NotifierHooks } from '../../../src/alerts/sinks/notifier.js';
import { keyDigest } from '../../../src/alerts/sinks/outbox.js';
import type { Notification } from '../../../src/alerts/types.js';
import { type Config, parseConfig } from '../../../src/config/index.js';
import { recordingLogger } from '../../server/support.js';
import { startAlertmanager, startWebhook, webhookConfig } from '../../support/alertmanager.js';
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
  const hooks: NotifierHooks = {
    delivered: (sink, rule) => delivered.push(`${sink}:${rule}`),
    failed: () => {},
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
  return { notifier: n, logger, delivered };
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
