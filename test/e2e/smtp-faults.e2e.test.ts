/*
 * Regression tests for SMTP faults found by the adversarial review of the first release (issue 15,
 * items 6 to 8) and for removing the email section by reload (issue 11, point 7), through the built
 * binary: fake rippled -> exporter -> real SMTP servers.
 */

import { afterEach, describe, expect, it } from 'vitest';
import {
  BOB_PAYMENT,
  type RunningExporter,
  startWatched,
  startWatchingExporter,
  type Watched,
  XRP_PAYMENT,
} from '../support/exporter-harness.js';
import { type FakeSmtp, startFakeSmtp, startHangingSmtp } from '../support/fake-smtp.js';
import { waitFor } from '../support/processes.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function watched(): Promise<Watched> {
  const w = await startWatched(31);
  cleanups.push(() => w.fake.close());
  return w;
}

async function smtpServer(): Promise<FakeSmtp> {
  const smtp = await startFakeSmtp();
  cleanups.push(() => smtp.close());
  return smtp;
}

function emailSection(port: number): string[] {
  return [
    'email:',
    `  smtp: { host: 127.0.0.1, port: ${port} }`,
    '  from: alerts@example.test',
    '  to: [ops@example.test]',
  ];
}

const RULES = [
  'rules:',
  '  - { name: alice-in, kind: payment, currency: XRP, threshold: 1000, accounts: [alice], to: [ops@example.test, nobody@example.test] }',
  '  - { name: bob-in, kind: payment, currency: XRP, threshold: 1000, accounts: [bob] }',
];

async function exporter(w: Watched, sections: readonly string[]): Promise<RunningExporter> {
  const running = await startWatchingExporter(w, sections, { prefix: 'smtp-faults' });
  cleanups.push(() => running.stop());
  return running;
}

async function metricReaches(
  e: RunningExporter,
  name: string,
  labels: Record<string, string>,
  value: number,
) {
  await waitFor(
    `${name} ${JSON.stringify(labels)} = ${value}`,
    async () => ((await e.metric(name, labels)) === value ? true : undefined),
    20_000,
  );
}

describe('SMTP faults', () => {
  // Item 6: `to: [good, bad]` with bad refused by 550 counted as sent, no failure, nothing said.
  it('a recipient refused for good (550) is counted per rule, logged and shown; the others get the email', async () => {
    const w = await watched();
    const smtp = await smtpServer();
    smtp.refuseRecipient('nobody@example.test', 550);
    const e = await exporter(w, [...emailSection(smtp.port), ...RULES]);
    await w.publish([XRP_PAYMENT]);
    const [mail] = await smtp.waitForMessages(1, 20_000);
    expect(mail?.envelope.to).toEqual(['ops@example.test']);
    await metricReaches(e, 'xrpl_alert_email_recipients_refused_total', { rule: 'alice-in' }, 1);
    expect(await e.metric('xrpl_alert_emails_sent_total', { rule: 'alice-in' })).toBe(1);
    expect(await e.metric('xrpl_alert_emails_queued')).toBe(0);
    expect(e.process.output()).toMatch(
      /refused for good.*nobody@example\.test.*550|nobody@example\.test.*550/,
    );
    const { sinks } = await e.status();
    expect(sinks.deadLetters).toMatchObject([
      { sink: 'email', rule: 'alice-in', recipient: 'nobody@example.test' },
    ]);
    expect(sinks.deadLetters[0]?.error).toContain('550');
    expect(await (await fetch(`${e.base}/`)).text()).toContain('nobody@example.test');
  });

  // Item 7: a permanent 5xx was retried forever, and its backoff (up to 5 minutes) delayed every other email.
  it('a message refused for good (554) is a dead letter after one attempt and holds nothing back', async () => {
    const w = await watched();
    const smtp = await smtpServer();
    smtp.refuseMessages(/Subject: \[XRPL\] alice-in:/, 554);
    const e = await exporter(w, [...emailSection(smtp.port), ...RULES]);
    await w.publish([XRP_PAYMENT]);
    await metricReaches(e, 'xrpl_alert_dead_letters_total', { sink: 'email', rule: 'alice-in' }, 1);
    await w.publish([BOB_PAYMENT]);
    const [mail] = await smtp.waitForMessages(1, 20_000);
    expect(mail?.parsed.subject).toBe('[XRPL] bob-in: 1531.267 XRP received by bob');
    await metricReaches(e, 'xrpl_alert_emails_queued', {}, 0);
    expect(smtp.attempts.filter((a) => a.code === 554)).toHaveLength(1);
    expect(await e.metric('xrpl_alert_email_failures_total', { rule: 'alice-in' })).toBe(1);
    expect(e.process.output()).toMatch(/dead letter.*554|554.*dead letter/);
    const { sinks } = await e.status();
    expect(sinks.deadLetters).toMatchObject([{ sink: 'email', rule: 'alice-in', recipient: null }]);
  });

  // Item 8: with a hanging SMTP server, every reload waited for the send in flight (27 s each).
  it('a reload does not wait for a send stuck on a hanging SMTP server; the email then goes out', async () => {
    const w = await watched();
    const hanging = await startHangingSmtp();
    cleanups.push(() => hanging.close());
    const smtp = await smtpServer();
    const e = await exporter(w, [...emailSection(hanging.port), ...RULES]);
    await w.publish([BOB_PAYMENT]);
    await waitFor('a connection to the hanging server', () => (hanging.open > 0 ? true : undefined), 20_000);
    const stuck = hanging.accepted;
    const response = await e.reload([...emailSection(smtp.port), ...RULES]);
    expect(response.status).toBe(200);
    // Answered while the very send it could have waited for is still stuck on its connection.
    expect([hanging.accepted, hanging.open]).toEqual([stuck, 1]);
    expect(smtp.messages).toHaveLength(0);
    // A second reload does not queue behind anything either.
    expect((await e.reload([...emailSection(smtp.port), ...RULES])).status).toBe(200);
    expect([hanging.accepted, hanging.open]).toEqual([stuck, 1]);
    await hanging.close(); // the stuck send fails now and is retried through the new server
    const [mail] = await smtp.waitForMessages(1, 30_000);
    expect(mail?.parsed.subject).toBe('[XRPL] bob-in: 1531.267 XRP received by bob');
  });
});

describe('removing the email section by reload (issue 11, point 7)', () => {
  it('keeps the queued emails: they are sent with the previous settings once SMTP accepts them', async () => {
    const w = await watched();
    const smtp = await smtpServer();
    smtp.refuseNext(1000, 421);
    const e = await exporter(w, [...emailSection(smtp.port), ...RULES]);
    await w.publish([BOB_PAYMENT]);
    await waitFor('a refused attempt', () => (smtp.refused > 0 ? true : undefined), 20_000);
    expect((await e.reload([])).status).toBe(200);
    expect(e.process.output()).toMatch(/email section removed.*queued=1/);
    smtp.refuseNext(0);
    const [mail] = await smtp.waitForMessages(1, 30_000);
    expect(mail?.parsed.subject).toBe('[XRPL] bob-in: 1531.267 XRP received by bob');
  });
});
