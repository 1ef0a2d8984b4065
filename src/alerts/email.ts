/*
 * Renders one notification as an email, purely. Everything that comes from the ledger or the config
 * (memos, currency codes, names, rule names) is HTML-escaped in the HTML part, stripped of control
 * characters in the text part, and the subject cannot carry a line break (no header injection).
 * The Message-ID is derived from the idempotency key, so a resend after a crash has the same id and
 * mail clients can fold duplicates.
 */

import { createHash } from 'node:crypto';
import { assetUnit, decodeCurrency, describeAsset } from './assets.js';
import type { Notification, PaymentFacts, RuleFacts } from './types.js';

export interface EmailContext {
  /** Template with `{hash}`; null = no link. */
  readonly explorerUrl: string | null;
  readonly from: string;
  /** Default recipients when the rule has no `to`. */
  readonly to: readonly string[];
}

export interface MailMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const MESSAGE_ID_DOMAIN = 'xrpl-payments-exporter';

/** `<sha256(key) in hex@xrpl-payments-exporter>` */
export function messageIdFor(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex')}@${MESSAGE_ID_DOMAIN}>`;
}

export function renderEmail(n: Notification, context: EmailContext): MailMessage {
  const rows: [string, string, string?][] = [
    ['Rule', `${n.rule.name}: ${describeRule(n.rule)}`],
    ['Account', `${n.accountName} (${n.account})`],
  ];
  if (n.silence !== null) {
    rows.push(['Silent since', `${isoTime(n.silence.silentSince)}`]);
    rows.push([
      'Last matching payment',
      n.silence.lastPaymentAt === null ? 'none seen' : isoTime(n.silence.lastPaymentAt),
    ]);
  }
  if (n.window !== null) {
    const unit = n.window.largest[0] ? assetUnit(n.window.largest[0].asset) : (n.rule.currency ?? '');
    rows.push([
      'Window',
      `${duration(n.rule.windowMs)}: ${isoTime(n.window.from)} to ${isoTime(n.window.to)}`,
    ]);
    if (n.rule.kind === 'total') rows.push(['Window total', `${n.window.total} ${unit}`]);
    rows.push(['Payments in window', String(n.window.count)]);
  }
  const paymentTitle =
    n.kind === 'payment' ? '' : n.silence !== null ? 'Payment that ended it: ' : 'Started by: ';
  if (n.payment !== null) rows.push(...paymentRows(n.payment, context.explorerUrl, paymentTitle));
  if (n.window !== null && n.window.largest.length > 0) {
    n.window.largest.forEach((p, i) => {
      const link = explorerLink(context.explorerUrl, p.hash);
      rows.push([
        `Largest #${i + 1}`,
        `${p.value} ${describeAsset(p.asset)} from ${p.sender ?? 'unknown'}, ${p.txType} ${p.hash}`,
        link ?? undefined,
      ]);
    });
  }
  rows.push(['Evaluated at', isoTime(n.at)]);
  const subject = oneLine(subjectFor(n));
  const headers: Record<string, string> = {
    'X-XRPL-Alert-Rule': oneLine(n.rule.name),
    'X-XRPL-Alert-Kind': n.kind,
  };
  if (n.episode !== null && (n.kind === 'resolved' || n.reminder > 0)) {
    const first = messageIdFor(JSON.stringify(['firing', n.rule.name, n.account, n.episode, 0]));
    headers['In-Reply-To'] = first;
    headers.References = first;
  }
  return {
    from: context.from,
    to: n.to ?? context.to,
    subject,
    text: renderText(subject, rows),
    html: renderHtml(subject, rows),
    messageId: messageIdFor(n.key),
    headers,
  };
}

function subjectFor(n: Notification): string {
  if (n.kind === 'payment' && n.payment !== null) return `[XRPL] ${n.rule.name}: ${headline(n)}`;
  const state = n.kind === 'resolved' ? 'RESOLVED' : n.reminder > 0 ? 'STILL FIRING' : 'FIRING';
  return `[XRPL] ${state} ${n.rule.name}: ${headline(n)}`;
}

/** What happened, in a few words: the email subject after the rule name, and an Alertmanager summary. */
export function headline(n: Notification): string {
  const who = n.accountName;
  if (n.kind === 'payment' && n.payment !== null) {
    return `${n.payment.value} ${assetUnit(n.payment.asset)} received by ${who}`;
  }
  const window = duration(n.rule.windowMs);
  if (n.rule.kind === 'silence') {
    return n.kind === 'resolved'
      ? `${who} received a matching payment`
      : `no matching payment to ${who} for ${window}`;
  }
  const unit = n.window?.largest[0] ? assetUnit(n.window.largest[0].asset) : (n.rule.currency ?? '');
  const measured =
    n.rule.kind === 'total' ? `${n.window?.total ?? '0'} ${unit}`.trim() : `${n.window?.count ?? 0} payments`;
  return `${measured} received by ${who} in ${window} (threshold ${n.rule.threshold ?? '?'})`;
}

function paymentRows(
  p: PaymentFacts,
  explorerUrl: string | null,
  prefix: string,
): [string, string, string?][] {
  const rows: [string, string, string?][] = [
    [`${prefix}Amount`, `${p.value} ${describeAsset(p.asset)}`],
    [`${prefix}Sender`, p.sender ?? 'unknown'],
    [`${prefix}Destination tag`, p.destinationTag === null ? 'none' : String(p.destinationTag)],
    [`${prefix}Transaction type`, p.partial ? `${p.txType} (partial payment)` : p.txType],
    [`${prefix}Transaction`, p.hash, explorerLink(explorerUrl, p.hash) ?? undefined],
    [`${prefix}Ledger`, `${p.ledgerIndex}, closed ${isoTime(p.closeTime)}`],
  ];
  p.memos.forEach((memo, i) => {
    rows.push([`${prefix}Memo${p.memos.length > 1 ? ` ${i + 1}` : ''}`, memo]);
  });
  return rows;
}

function describeRule(rule: RuleFacts): string {
  const currency = rule.currency === null ? '' : ` ${decodeCurrency(rule.currency)}`;
  const issuer = rule.issuer === null ? '' : ` (issuer ${rule.issuer})`;
  const filters = `${currency}${issuer}`;
  switch (rule.kind) {
    case 'payment':
      return `one payment of at least ${rule.threshold}${filters}`;
    case 'total':
      return `at least ${rule.threshold}${filters} received within ${duration(rule.windowMs)}`;
    case 'count':
      return `at least ${rule.threshold} payments${filters} within ${duration(rule.windowMs)}`;
    case 'silence':
      return `no payment${filters} for ${duration(rule.windowMs)}`;
  }
}

function explorerLink(template: string | null, hash: string): string | null {
  if (template === null || !/^https?:\/\//i.test(template)) return null;
  return template.split('{hash}').join(encodeURIComponent(hash));
}

function renderText(subject: string, rows: readonly [string, string, string?][]): string {
  const lines = rows.map(
    ([label, value, link]) => `${label}: ${printable(value)}${link ? `\n  ${link}` : ''}`,
  );
  return `${printable(subject)}\n\n${lines.join('\n')}\n\n-- \nxrpl-payments-exporter\n`;
}

function renderHtml(subject: string, rows: readonly [string, string, string?][]): string {
  const body = rows
    .map(([label, value, link]) => {
      const shown = escapeHtml(printable(value));
      const cell = link ? `<a href="${escapeHtml(link)}">${shown}</a>` : shown;
      return `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    })
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>',
    escapeHtml(subject),
    '</title></head><body>',
    `<h2>${escapeHtml(subject)}</h2>`,
    `<table cellpadding="4">\n${body}\n</table>`,
    '<p style="color:#666">xrpl-payments-exporter</p>',
    '</body></html>',
  ].join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Cc is C0, DEL and C1; then line/paragraph separators and the bidi embedding/override/isolate marks.
const UNSAFE_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** Control characters (except tab and newline) and bidi overrides become U+FFFD. */
export function printable(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (c) => (c === '\n' || c === '\t' ? c : '\uFFFD'));
}

/** A header-safe single line: every control character (CR and LF included) becomes a space. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Unix seconds -> `2024-11-01T23:59:01Z`. */
export function isoTime(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000);
  return Number.isNaN(date.getTime()) ? String(unixSeconds) : date.toISOString().replace('.000Z', 'Z');
}

/** Milliseconds in the config's own style: 90 minutes -> `1h30m`. */
export function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms === 0) return '0s';
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = ms;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
