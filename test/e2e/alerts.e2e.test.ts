import { afterEach, describe, expect, it } from 'vitest';
import {
  BOB_PAYMENT,
  PARTIAL_PAYMENT,
  type RunningExporter,
  startWatched,
  startWatchingExporter,
  type Watched,
  XRP_PAYMENT,
} from '../support/exporter-harness.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { waitFor } from '../support/processes.js';

interface Setup extends Watched {
  smtp: FakeSmtp;
  exporter: RunningExporter['process'];
  base: string;
  metric: RunningExporter['metric'];
}

describe('alert emails end to end (fake rippled -> exporter -> real SMTP server)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  async function setup(
    rules: string[],
    smtpOptions: Parameters<typeof startFakeSmtp>[0] = {},
    emailExtra: string[] = [],
  ): Promise<Setup> {
    const watched = await startWatched(21);
    cleanups.push(() => watched.fake.close());
    const smtp = await startFakeSmtp(smtpOptions);
    cleanups.push(() => smtp.close());
    const exporter = await startWatchingExporter(
      watched,
      [
        'email:',
        '  smtp:',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        ...emailExtra,
        '  from: "XRPL alerts <alerts@example.test>"',
        '  to: [ops@example.test]',
        'rules:',
        ...rules.map((r) => `  - ${r}`),
      ],
      {
        config: undefined,
        prefix: 'alerts',
        xrplExtra: ['explorer_url: https://testnet.xrpl.org/transactions/{hash}'],
      },
    );
    cleanups.push(() => exporter.stop());
    return { ...watched, smtp, exporter: exporter.process, base: exporter.base, metric: exporter.metric };
  }

  const subjects = (smtp: FakeSmtp) => smtp.messages.map((m) => m.parsed.subject ?? '');

  it('payment, total, count and silence rules fire and resolve with the facts in the email', async () => {
    const s = await setup([
      '{ name: big-xrp, kind: payment, currency: XRP, threshold: 1000, accounts: [alice] }',
      '{ name: inflow, kind: total, currency: XRP, threshold: 1500, window: 3s, accounts: [alice] }',
      '{ name: burst, kind: count, threshold: 2, window: 3s, accounts: [alice] }',
      '{ name: quiet, kind: silence, window: 2s, accounts: [bob], to: [treasury@example.test] }',
    ]);
    await s.smtp.waitForMessages(1, 15_000);
    expect(subjects(s.smtp)).toEqual(['[XRPL] FIRING quiet: no matching payment to bob for 2s']);
    expect(s.smtp.messages[0]!.envelope.to).toEqual(['treasury@example.test']);

    const [paymentHash] = await s.publish([XRP_PAYMENT, PARTIAL_PAYMENT]);
    await s.smtp.waitForMessages(4, 15_000);
    expect(subjects(s.smtp).slice(1).sort()).toEqual(
      [
        '[XRPL] big-xrp: 1531.267 XRP received by alice',
        '[XRPL] FIRING burst: 2 payments received by alice in 3s (threshold 2)',
        // The first payment alone crosses the threshold: the rule fires then, once.
        '[XRPL] FIRING inflow: 1531.267 XRP received by alice in 3s (threshold 1500)',
      ].sort(),
    );
    const payment = s.smtp.messages.find((m) => m.parsed.subject?.startsWith('[XRPL] big-xrp'))!;
    const text = payment.parsed.text ?? '';
    for (const fact of [
      'Rule: big-xrp: one payment of at least 1000 XRP',
      `Account: alice (${s.accounts.alice})`,
      'Amount: 1531.267 XRP',
      'Sender: rDAE53VfMvftPB4ogpWGWvzkQxfht6JPxr',
      'Destination tag: 381702',
      'Transaction type: Payment',
      `Transaction: ${paymentHash}`,
      `https://testnet.xrpl.org/transactions/${paymentHash}`,
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).toMatch(/Ledger: \d+, closed \d{4}-\d\d-\d\dT/);
    expect(payment.parsed.html).toContain(`href="https://testnet.xrpl.org/transactions/${paymentHash}"`);
    expect(payment.parsed.messageId).toMatch(/^<[0-9a-f]{64}@xrpl-payments-exporter>$/);

    await s.publish([BOB_PAYMENT]);
    await s.smtp.waitForMessages(7, 20_000);
    expect(subjects(s.smtp).slice(4).sort()).toEqual(
      [
        '[XRPL] RESOLVED burst: 0 payments received by alice in 3s (threshold 2)',
        '[XRPL] RESOLVED inflow: 0 XRP received by alice in 3s (threshold 1500)',
        '[XRPL] RESOLVED quiet: bob received a matching payment',
      ].sort(),
    );
    expect(await s.metric('xrpl_alert_emails_sent_total', { rule: 'big-xrp' })).toBe(1);
    expect(await s.metric('xrpl_alert_emails_sent_total', { rule: 'quiet' })).toBeGreaterThanOrEqual(2);
  });

  it('an SMTP server that refuses and then accepts gets the email exactly once', async () => {
    const s = await setup(['{ name: big-xrp, kind: payment, currency: XRP, threshold: 1000 }']);
    s.smtp.refuseNext(2, 451);
    await s.publish([XRP_PAYMENT]);
    await s.smtp.waitForMessages(1, 30_000);
    await waitFor(
      'the counters',
      async () =>
        (await s.metric('xrpl_alert_emails_sent_total', { rule: 'big-xrp' })) === 1 ? true : undefined,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.smtp.messages).toHaveLength(1);
    expect(s.smtp.refused).toBe(2);
    expect(await s.metric('xrpl_alert_email_failures_total', { rule: 'big-xrp' })).toBe(2);
    expect(await s.metric('xrpl_alert_emails_queued')).toBe(0);
  });

  it('an authentication failure is counted and logged, the password is never shown, and nothing crashes', async () => {
    const password = 'hunter2-secret-value';
    const s = await setup(
      ['{ name: big-xrp, kind: payment, currency: XRP, threshold: 1000 }'],
      { auth: { user: 'alerts', password: 'the-right-one' } },
      ['    user: alerts', `    password: ${password}`],
    );
    await s.publish([XRP_PAYMENT]);
    await waitFor(
      'a failed attempt',
      async () =>
        ((await s.metric('xrpl_alert_email_failures_total', { rule: 'big-xrp' })) ?? 0) >= 1
          ? true
          : undefined,
      20_000,
    );
    expect(s.smtp.messages).toHaveLength(0);
    expect(s.smtp.authFailures).toBeGreaterThanOrEqual(1);
    expect(await s.metric('xrpl_alert_emails_queued')).toBe(1);
    expect(s.exporter.output()).toMatch(/auth/i);
    const status = await (await fetch(`${s.base}/api/status`)).text();
    const page = await (await fetch(`${s.base}/`)).text();
    const metrics = await (await fetch(`${s.base}/metrics`)).text();
    for (const surface of [s.exporter.output(), status, page, metrics])
      expect(surface).not.toContain(password);
    expect(s.exporter.child.exitCode).toBeNull();
  });

  it('a burst of 1000 qualifying payments produces 1000 emails, none duplicated', async () => {
    const s = await setup(['{ name: every-xrp, kind: payment, currency: XRP, threshold: 1 }']);
    for (let i = 0; i < 10; i++) await s.publish(Array.from({ length: 100 }, () => XRP_PAYMENT));
    await s.smtp.waitForMessages(1000, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const ids = s.smtp.messages.map((m) => m.parsed.messageId);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});
