import Big from 'big.js';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { messageIdFor, renderEmail } from '../../src/alerts/email.js';
import { evaluate, initialAlertState } from '../../src/alerts/rules.js';
import type { Notification } from '../../src/alerts/types.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { ALICE, BOB, GATEHUB, payment, rule } from './support/builders.js';

const T0 = 1_780_000_000;
const context = {
  explorerUrl: 'https://testnet.xrpl.org/transactions/{hash}',
  from: 'XRPL alerts <alerts@example.com>',
  to: ['ops@example.com'],
};
const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

function paymentNote(overrides: Parameters<typeof payment>[2] = {}, ruleName = 'large'): Notification {
  const r = rule({ name: ruleName, kind: 'payment', threshold: new Big(1000), currency: null });
  const p = payment('1500.000001', T0, { destinationTag: 12345, ...overrides });
  const { notifications } = evaluate(
    { rules: [r], accounts: [] },
    initialAlertState(),
    { kind: 'payment', payment: p },
    T0 * 1000,
  );
  const note = notifications[0];
  if (note === undefined) throw new Error('expected a notification');
  return note;
}

describe('renderEmail', () => {
  test('a payment email has every fact: account, exact amount, sender, tag, type, hash + link, ledger, close time, rule', () => {
    const note = paymentNote();
    const mail = renderEmail(note, context);
    const hash = note.payment?.hash ?? '';
    expect(mail.subject).toBe('[XRPL] large: 1500.000001 XRP received by faucet');
    expect(mail.to).toEqual(['ops@example.com']);
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain(`faucet (${ALICE})`);
      expect(part).toContain('1500.000001 XRP');
      expect(part).toContain(BOB);
      expect(part).toContain('12345');
      expect(part).toContain('Payment');
      expect(part).toContain(hash);
      expect(part).toContain(`https://testnet.xrpl.org/transactions/${hash}`);
      expect(part).toContain(String(note.payment?.ledgerIndex));
      expect(part).toContain('2026-05-28T20:26:40Z');
      expect(part).toContain('one payment of at least 1000');
    }
  });

  test('token amounts show the currency and issuer; 40-hex codes show the decoded name and the code', () => {
    const hex = '78436F696E000000000000000000000000000000';
    const mail = renderEmail(
      paymentNote({ asset: { kind: 'token', currency: hex, issuer: GATEHUB } }),
      context,
    );
    expect(mail.subject).toBe('[XRPL] large: 1500.000001 xCoin received by faucet');
    expect(mail.text).toContain(`1500.000001 xCoin [${hex}] (issuer ${GATEHUB})`);
  });

  test('everything from the ledger and the config is HTML-escaped', () => {
    const note = paymentNote({ memos: [hostile], accountName: hostile });
    const mail = renderEmail(note, context);
    expect(mail.html).not.toContain('<script');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(mail.text).toContain(hostile); // the text part is not HTML; it keeps the characters
  });

  test('subjects and headers carry no line breaks or control characters', () => {
    const note = paymentNote(
      { accountName: 'evil\r\nBcc: victim@example.com\u0000\u0085' },
      'r\nX-Injected: yes',
    );
    const mail = renderEmail(note, context);
    expect(mail.subject).not.toMatch(/[\p{Cc}]/u);
    for (const value of Object.values(mail.headers)) expect(value).not.toMatch(/[\r\n]/);
  });

  test('the Message-ID is derived from the idempotency key, deterministically', () => {
    const note = paymentNote();
    const a = renderEmail(note, context).messageId;
    expect(a).toBe(renderEmail(note, { ...context, to: ['x@example.com'] }).messageId);
    expect(a).toMatch(/^<[0-9a-f]{64}@xrpl-payments-exporter>$/);
    expect(a).toBe(messageIdFor(note.key));
    expect(a).not.toBe(renderEmail({ ...note, key: `${note.key}x` }, context).messageId);
  });

  test('rule recipients override the default', () => {
    const note = { ...paymentNote(), to: ['treasury@example.com'] };
    expect(renderEmail(note, context).to).toEqual(['treasury@example.com']);
  });

  test('no explorer link without a template, and never for a non-http template', () => {
    const note = paymentNote();
    expect(renderEmail(note, { ...context, explorerUrl: null }).html).not.toContain('<a ');
    expect(renderEmail(note, { ...context, explorerUrl: 'javascript:alert(1)//{hash}' }).html).not.toContain(
      '<a ',
    );
  });

  test('window emails show the window total, count and largest payments; resolved ones thread to the firing', () => {
    const r = rule({
      name: 'inflow',
      kind: 'total',
      threshold: new Big(1000),
      windowMs: 3_600_000,
      currency: 'XRP',
      cooldownMs: 0,
    });
    const setup = { rules: [r], accounts: [] };
    let state = initialAlertState();
    const notes: Notification[] = [];
    for (const [value, t] of [
      ['700', T0],
      ['300.5', T0 + 60],
    ] as const) {
      const res = evaluate(setup, state, { kind: 'payment', payment: payment(value, t) }, t * 1000);
      state = res.state;
      notes.push(...res.notifications);
    }
    notes.push(...evaluate(setup, state, { kind: 'tick' }, (T0 + 3600) * 1000).notifications);
    const [firing, resolved] = notes.map((n) => renderEmail(n, context));
    expect(firing?.subject).toBe(
      '[XRPL] FIRING inflow: 1000.5 XRP received by faucet in 1h (threshold 1000)',
    );
    expect(firing?.text).toContain('Window total: 1000.5 XRP');
    expect(firing?.text).toContain('Payments in window: 2');
    expect(firing?.text).toMatch(/Largest #1: 700 XRP[\s\S]*Largest #2: 300\.5 XRP/);
    expect(resolved?.subject).toBe(
      '[XRPL] RESOLVED inflow: 300.5 XRP received by faucet in 1h (threshold 1000)',
    );
    expect(resolved?.headers['In-Reply-To']).toBe(firing?.messageId);
  });

  test('silence emails say since when', () => {
    const r = rule({ name: 'quiet', kind: 'silence', windowMs: 3_600_000 });
    const setup = { rules: [r], accounts: [{ address: ALICE, name: 'faucet' }] };
    const first = evaluate(setup, initialAlertState(), { kind: 'tick' }, T0 * 1000);
    const [note] = evaluate(setup, first.state, { kind: 'tick' }, (T0 + 3600) * 1000).notifications;
    const mail = renderEmail(note as Notification, context);
    expect(mail.subject).toBe('[XRPL] FIRING quiet: no matching payment to faucet for 1h');
    expect(mail.text).toContain('Silent since: 2026-05-28T20:26:40Z');
    expect(mail.text).toContain('Last matching payment: none seen');
  });
});

describe('through nodemailer and a real SMTP server', () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await startFakeSmtp();
  });
  afterAll(() => smtp.close());

  test('a hostile name and rule cannot inject headers; memos cannot inject HTML', async () => {
    const note = paymentNote(
      { accountName: 'evil\r\nBcc: victim@example.com\r\nX-Injected: 1', memos: [hostile] },
      'rule\r\nX-Injected: 2',
    );
    const mail = renderEmail(note, context);
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ ...mail, to: [...mail.to], headers: { ...mail.headers } });
    transport.close();
    const [received] = await smtp.waitForMessages(1);
    expect(received?.parsed.headers.has('x-injected')).toBe(false);
    expect(received?.parsed.headers.has('bcc')).toBe(false);
    expect(received?.envelope.to).toEqual(['ops@example.com']);
    expect(received?.parsed.messageId).toBe(mail.messageId);
    expect(received?.parsed.subject).toBe(mail.subject);
    expect(received?.parsed.html).not.toContain('<script');
    expect(received?.parsed.text).toContain(hostile);
  });
});
