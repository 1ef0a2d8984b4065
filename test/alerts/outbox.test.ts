import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Big from 'big.js';
import { afterEach, describe, expect, test } from 'vitest';
import { renderEmail } from '../../src/alerts/email.js';
import { Outbox, type OutboxOptions } from '../../src/alerts/outbox.js';
import { evaluate, initialAlertState } from '../../src/alerts/rules.js';
import { createSmtpTransport, type MailTransport } from '../../src/alerts/smtp.js';
import type { Notification } from '../../src/alerts/types.js';
import type { SmtpConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { payment, rule } from './support/builders.js';

const T0 = 1_780_000_000;
const context = { explorerUrl: null, from: 'alerts@example.com', to: ['ops@example.com'] };
const large = rule({ name: 'large', kind: 'payment', threshold: new Big(1), currency: 'XRP' });

function notificationsFor(count: number): Notification[] {
  const out: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const p = payment('10', T0 + i);
    out.push(
      ...evaluate({ rules: [large], accounts: [] }, initialAlertState(), { kind: 'payment', payment: p }, 0)
        .notifications,
    );
  }
  return out;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof startFakeSmtp>[0] = {}): Promise<FakeSmtp> {
  const smtp = await startFakeSmtp(options);
  cleanups.push(() => smtp.close());
  return smtp;
}

function smtpConfig(smtp: { port: number }, auth: Partial<SmtpConfig> = {}): SmtpConfig {
  return { host: '127.0.0.1', port: smtp.port, secure: false, user: null, password: null, ...auth };
}

interface Recorded {
  outbox: Outbox;
  sent: string[];
  failed: string[];
  sizes: number[];
  logs: string[];
}

function outbox(transport: MailTransport, extra: Partial<OutboxOptions> = {}): Recorded {
  const rec: Omit<Recorded, 'outbox'> = { sent: [], failed: [], sizes: [], logs: [] };
  const box = new Outbox({
    transport,
    render: (n) => renderEmail(n, context),
    retryInitialMs: 20,
    retryMaxMs: 200,
    logger: createLogger({ level: 'debug', write: (line) => rec.logs.push(line) }),
    onSent: (r) => rec.sent.push(r),
    onFailed: (r) => rec.failed.push(r),
    onQueueSize: (n) => rec.sizes.push(n),
    ...extra,
  });
  cleanups.push(() => box.stop());
  return { outbox: box, ...rec };
}

describe('outbox against a real SMTP server', () => {
  test('a server that refuses (4xx) and then accepts gets the email exactly once', async () => {
    const smtp = await server();
    smtp.refuseNext(3, 451);
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    const [note] = notificationsFor(1);
    expect(rec.outbox.enqueue(note as Notification)).toBe(true);
    await rec.outbox.idle();
    expect(smtp.refused).toBe(3);
    expect(smtp.messages).toHaveLength(1);
    expect(rec.failed).toEqual(['large', 'large', 'large']);
    expect(rec.sent).toEqual(['large']);
    expect(rec.sizes.at(-1)).toBe(0);
    expect(rec.logs.filter((l) => l.includes('will retry'))).toHaveLength(3);
  });

  test('an authentication failure is counted and logged without the password, and nothing crashes', async () => {
    const smtp = await server({ auth: { user: 'alerts', password: 'right-password' } });
    const transport = createSmtpTransport(smtpConfig(smtp, { user: 'alerts', password: 'Sup3r-S3cret!' }));
    const rec = outbox(transport);
    rec.outbox.enqueue(notificationsFor(1)[0] as Notification);
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(smtp.messages).toHaveLength(0);
    expect(rec.outbox.size).toBe(1); // still waiting
    const failure = rec.logs.find((l) => l.includes('will retry')) ?? '';
    expect(failure).toContain('authentication failed');
    const everything = rec.logs.join('\n');
    expect(everything).not.toContain('Sup3r-S3cret!');
    expect(everything).not.toContain(Buffer.from('\u0000alerts\u0000Sup3r-S3cret!').toString('base64'));
  });

  test('a burst of 1000 notifications gives 1000 emails, none duplicated', async () => {
    const smtp = await server();
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    const notes = notificationsFor(1000);
    expect(new Set(notes.map((n) => n.key)).size).toBe(1000);
    for (const n of notes) rec.outbox.enqueue(n);
    for (const n of notes) rec.outbox.enqueue(n); // the same burst again: all duplicates
    await rec.outbox.idle();
    expect(smtp.messages).toHaveLength(1000);
    expect(new Set(smtp.messages.map((m) => m.parsed.messageId)).size).toBe(1000);
    expect(rec.sent).toHaveLength(1000);
  });

  test('the same key enqueued twice, before and after sending, gives one email', async () => {
    const smtp = await server();
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    const [note] = notificationsFor(1) as [Notification];
    expect(rec.outbox.enqueue(note)).toBe(true);
    expect(rec.outbox.enqueue({ ...note })).toBe(false);
    await rec.outbox.idle();
    expect(rec.outbox.enqueue(note)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages).toHaveLength(1);
  });

  test('snapshot/restore keeps queued mail and sent keys across a restart', async () => {
    const smtp = await server();
    smtp.refuseNext(1000, 421);
    const notes = notificationsFor(3) as [Notification, Notification, Notification];
    const before = outbox(createSmtpTransport(smtpConfig(smtp)));
    for (const n of notes) before.outbox.enqueue(n);
    await expect.poll(() => before.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await before.outbox.stop();
    const persisted = JSON.parse(JSON.stringify(before.outbox.snapshot()));
    expect(persisted.queued).toHaveLength(3);

    smtp.refuseNext(0);
    const after = outbox(createSmtpTransport(smtpConfig(smtp)));
    after.outbox.restore(persisted);
    await after.outbox.idle();
    expect(smtp.messages.map((m) => m.parsed.messageId).sort()).toEqual(
      notes.map((n) => renderEmail(n, context).messageId).sort(),
    );

    const third = outbox(createSmtpTransport(smtpConfig(smtp)));
    third.outbox.restore(JSON.parse(JSON.stringify(after.outbox.snapshot())));
    for (const n of notes) expect(third.outbox.enqueue(n)).toBe(false);
    expect(third.outbox.size).toBe(0);
  });

  test('an unreadable snapshot is ignored with a warning; stop() closes the transport once', async () => {
    let closed = 0;
    const rec = outbox({ send: async () => {}, close: () => void closed++ });
    rec.outbox.restore({ version: 7, queued: 'nope' });
    await rec.outbox.stop();
    await rec.outbox.stop();
    expect(closed).toBe(1);
    expect(rec.outbox.size).toBe(0);
    expect(rec.logs.join('\n')).toContain('unreadable alert outbox');
  });

  test('the memory of sent keys is bounded', async () => {
    const delivered: string[] = [];
    const rec = outbox(
      { send: async (m) => void delivered.push(m.messageId), close: () => {} },
      { maxSentKeys: 10 },
    );
    for (const n of notificationsFor(25)) rec.outbox.enqueue(n);
    await rec.outbox.idle();
    expect(rec.outbox.snapshot().sent).toHaveLength(10);
    expect(delivered).toHaveLength(25);
  });

  test('sends are bounded in concurrency', async () => {
    let running = 0;
    let peak = 0;
    const transport: MailTransport = {
      async send() {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      },
      close() {},
    };
    const rec = outbox(transport, { concurrency: 3 });
    for (const n of notificationsFor(30)) rec.outbox.enqueue(n);
    await rec.outbox.idle();
    expect(peak).toBe(3);
    expect(rec.sent).toHaveLength(30);
  });
});

describe('sent-journal', () => {
  const memoryTransport = (delivered: string[]): MailTransport => ({
    send: async (m) => void delivered.push(m.messageId),
    close: () => {},
  });

  test('a restart without a state-file write still knows what was sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-journal-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'state.json.alerts-sent');
    const delivered: string[] = [];
    const notes = notificationsFor(4);
    const first = outbox(memoryTransport(delivered), { sentJournalPath: journal });
    for (const n of notes.slice(0, 3)) first.outbox.enqueue(n);
    await first.outbox.idle();
    // "Killed": no stop(), no snapshot. The next process reads the journal.
    const second = outbox(memoryTransport(delivered), { sentJournalPath: journal });
    expect(notes.slice(0, 3).map((n) => second.outbox.enqueue(n))).toEqual([false, false, false]);
    expect(second.outbox.enqueue(notes[3] as Notification)).toBe(true);
    await second.outbox.idle();
    expect(delivered).toHaveLength(4);
  });

  test('the journal is compacted to the remembered keys and unreadable lines are skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-journal-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'sent');
    writeFileSync(journal, 'not a digest\n');
    const notes = notificationsFor(30);
    const first = outbox(memoryTransport([]), { sentJournalPath: journal, maxSentKeys: 5 });
    for (const n of notes) first.outbox.enqueue(n);
    await first.outbox.idle();
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    const second = outbox(memoryTransport([]), { sentJournalPath: journal, maxSentKeys: 5 });
    expect(second.outbox.enqueue(notes[29] as Notification)).toBe(false);
    expect(second.outbox.enqueue(notes[0] as Notification)).toBe(true);
  });
});
