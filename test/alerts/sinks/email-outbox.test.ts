import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Big from 'big.js';
import { afterEach, describe, expect, test } from 'vitest';
import { renderEmail } from '../../../src/alerts/email.js';
import { evaluate, initialAlertState } from '../../../src/alerts/rules.js';
import { createEmailSink, type EmailItem, emailEntry } from '../../../src/alerts/sinks/email.js';
import type { OutboxOptions } from '../../../src/alerts/sinks/outbox.js';
import { emailOutbox } from '../../../src/alerts/sinks/outboxes.js';
import { createSmtpTransport, type MailTransport } from '../../../src/alerts/sinks/smtp.js';
import type { DeadLetter, Refusal } from '../../../src/alerts/sinks/types.js';
import type { Notification } from '../../../src/alerts/types.js';
import type { SmtpConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log.js';
import { type FakeSmtp, startFakeSmtp, startHangingSmtp } from '../../support/fake-smtp.js';
import { payment, rule } from '../support/builders.js';

const T0 = 1_780_000_000;
const context = { explorerUrl: null, from: 'alerts@example.com', to: ['ops@example.com'] };
const large = rule({ name: 'large', kind: 'payment', threshold: new Big(1), currency: 'XRP' });

function notificationsFor(count: number, to: readonly string[] | null = null): Notification[] {
  const out: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const p = payment(String(10 + i), T0 + i);
    const result = evaluate(
      { rules: [{ ...large, to }], accounts: [] },
      initialAlertState(),
      { kind: 'payment', payment: p },
      0,
    );
    out.push(...result.notifications);
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
  outbox: ReturnType<typeof emailOutbox>;
  sent: string[];
  failed: string[];
  dead: DeadLetter[];
  refused: Refusal[];
  sizes: number[];
  logs: string[];
}

function outbox(transport: MailTransport, extra: Partial<OutboxOptions<EmailItem>> = {}): Recorded {
  const rec: Omit<Recorded, 'outbox'> = { sent: [], failed: [], dead: [], refused: [], sizes: [], logs: [] };
  const box = emailOutbox(transport, (n) => renderEmail(n, context), {
    retryInitialMs: 20,
    retryMaxMs: 200,
    logger: createLogger({ level: 'debug', write: (line) => rec.logs.push(line) }),
    events: {
      onDelivered: (r) => rec.sent.push(r),
      onAttemptFailed: (r) => rec.failed.push(r),
      onDeadLetter: (letter) => rec.dead.push(letter),
      onRefused: (_r, refusal) => rec.refused.push(refusal),
      onQueueSize: (n) => rec.sizes.push(n),
    },
    ...extra,
  });
  cleanups.push(() => box.stop());
  return { outbox: box, ...rec };
}

/** A transport that accepts everything and records the Message-IDs. */
const memoryTransport = (delivered: string[]): MailTransport => ({
  async send(m) {
    delivered.push(m.messageId);
    return { accepted: [...m.to], rejected: [] };
  },
  close: () => {},
});

const subjectOf = (n: Notification) => renderEmail(n, context).subject;

describe('email outbox against a real SMTP server', () => {
  test('a server that refuses (4xx) and then accepts gets the email exactly once', async () => {
    const smtp = await server();
    smtp.refuseNext(3, 451);
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    const [note] = notificationsFor(1) as [Notification];
    expect(rec.outbox.enqueue(emailEntry(note))).toBe(true);
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
    rec.outbox.enqueue(emailEntry(notificationsFor(1)[0] as Notification));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(smtp.messages).toHaveLength(0);
    expect(rec.outbox.size).toBe(1); // still waiting: credentials are the config's problem, not the email's
    expect(rec.dead).toEqual([]);
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
    for (const n of notes) rec.outbox.enqueue(emailEntry(n));
    for (const n of notes) rec.outbox.enqueue(emailEntry(n)); // the same burst again: all duplicates
    await rec.outbox.idle();
    expect(smtp.messages).toHaveLength(1000);
    expect(new Set(smtp.messages.map((m) => m.parsed.messageId)).size).toBe(1000);
    expect(rec.sent).toHaveLength(1000);
  });

  test('the same key enqueued twice, before and after sending, gives one email', async () => {
    const smtp = await server();
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    const [note] = notificationsFor(1) as [Notification];
    expect(rec.outbox.enqueue(emailEntry(note))).toBe(true);
    expect(rec.outbox.enqueue(emailEntry({ ...note }))).toBe(false);
    await rec.outbox.idle();
    expect(rec.outbox.enqueue(emailEntry(note))).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages).toHaveLength(1);
  });

  test('snapshot/restore keeps queued mail and sent keys across a restart', async () => {
    const smtp = await server();
    smtp.refuseNext(1000, 421);
    const notes = notificationsFor(3) as [Notification, Notification, Notification];
    const before = outbox(createSmtpTransport(smtpConfig(smtp)));
    for (const n of notes) before.outbox.enqueue(emailEntry(n));
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
    for (const n of notes) expect(third.outbox.enqueue(emailEntry(n))).toBe(false);
    expect(third.outbox.size).toBe(0);
  });

  test('an unreadable snapshot is ignored with a warning; stop() closes the transport once', async () => {
    let closed = 0;
    const rec = outbox({ send: async () => ({ accepted: [], rejected: [] }), close: () => void closed++ });
    rec.outbox.restore({ version: 7, queued: 'nope' });
    await rec.outbox.stop();
    await rec.outbox.stop();
    expect(closed).toBe(1);
    expect(rec.outbox.size).toBe(0);
    expect(rec.logs.join('\n')).toContain('unreadable outbox');
  });
});

// Issue 15 item 7: a permanent 5xx was retried forever, and its growing backoff paused every other email.
describe('a message refused for good', () => {
  test('becomes a dead letter after one attempt, and an unrelated email is not held back', async () => {
    const smtp = await server();
    const [doomed, fine] = notificationsFor(2) as [Notification, Notification];
    smtp.refuseMessages(new RegExp(`Subject: ${subjectOf(doomed).replace(/[[\]]/g, '\\$&')}`), 554);
    // A long backoff: had the refusal paused the queue, `fine` would not arrive before the test's deadline.
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)), {
      retryInitialMs: 600_000,
      retryMaxMs: 600_000,
    });
    rec.outbox.enqueue(emailEntry(doomed));
    await expect.poll(() => rec.dead.length, { timeout: 10_000 }).toBe(1);
    rec.outbox.enqueue(emailEntry(fine));
    await smtp.waitForMessages(1, 10_000);
    await rec.outbox.idle();
    expect(smtp.messages.map((m) => m.parsed.subject)).toEqual([subjectOf(fine)]);
    expect(smtp.attempts.filter((a) => a.code === 554)).toHaveLength(1);
    expect(rec.dead[0]).toMatchObject({ sink: 'email', rule: 'large', target: 'smtp', recipient: null });
    expect(rec.dead[0]?.error).toMatch(/554/);
    expect(rec.outbox.dead).toHaveLength(1);
    expect(rec.logs.some((l) => l.includes('dead letter') && l.includes('554'))).toBe(true);
    // Given up for good: the same notification replayed later is not sent again.
    expect(rec.outbox.enqueue(emailEntry(doomed))).toBe(false);
  });

  test('a message refused for now (4xx) backs off alone: other emails keep flowing', async () => {
    const smtp = await server();
    const [slow, ...others] = notificationsFor(4) as [Notification, ...Notification[]];
    smtp.refuseMessages(new RegExp(`Subject: ${subjectOf(slow).replace(/[[\]]/g, '\\$&')}`), 451);
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)), {
      retryInitialMs: 600_000,
      retryMaxMs: 600_000,
    });
    rec.outbox.enqueue(emailEntry(slow));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBe(1);
    for (const n of others) rec.outbox.enqueue(emailEntry(n));
    await smtp.waitForMessages(3, 10_000);
    await expect.poll(() => rec.outbox.size, { timeout: 10_000 }).toBe(1);
    expect(rec.dead).toEqual([]);
    expect(smtp.attempts.filter((a) => a.code === 451)).toHaveLength(1);
  });
});

// Issue 15 item 6: with `to: [good, bad]` and bad refused with 550, the email counted as sent and nothing said so.
describe('per-recipient results', () => {
  test('a recipient refused for good is reported once; one refused for now gets the email later', async () => {
    const smtp = await server();
    smtp.refuseRecipient('nobody@example.com', 550);
    smtp.refuseRecipient('busy@example.com', 450);
    const [note] = notificationsFor(1, ['ops@example.com', 'nobody@example.com', 'busy@example.com']) as [
      Notification,
    ];
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    rec.outbox.enqueue(emailEntry(note));
    await smtp.waitForMessages(1, 10_000);
    expect(smtp.messages[0]?.envelope.to).toEqual(['ops@example.com']);
    await expect.poll(() => rec.refused.length, { timeout: 10_000 }).toBe(1);
    expect(rec.refused[0]).toMatchObject({ recipient: 'nobody@example.com' });
    expect(rec.refused[0]?.reply).toMatch(/550/);
    expect(rec.outbox.dead).toMatchObject([{ recipient: 'nobody@example.com', rule: 'large' }]);
    expect(rec.logs.some((l) => l.includes('nobody@example.com') && l.includes('refused for good'))).toBe(
      true,
    );

    smtp.refuseRecipient('busy@example.com', null);
    await smtp.waitForMessages(2, 10_000);
    await rec.outbox.idle();
    expect(smtp.messages[1]?.envelope.to).toEqual(['busy@example.com']);
    expect(smtp.messages[1]?.parsed.messageId).toBe(smtp.messages[0]?.parsed.messageId);
    expect(rec.sent).toEqual(['large', 'large']);
    expect(rec.refused).toHaveLength(1);
    expect(rec.dead).toEqual([]); // the email itself was delivered
  });

  // A recipient refused for now (a full mailbox, greylisting) was retried every retryInitialMs forever, with
  // no failure counted and the SMTP target shown healthy.
  test('a recipient refused for now backs off, counts as a failed attempt and shows as the last error', async () => {
    const smtp = await server();
    smtp.refuseRecipient('busy@example.com', 450);
    const [note] = notificationsFor(1, ['ops@example.com', 'busy@example.com']) as [Notification];
    const lines: string[] = [];
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)), {
      retryInitialMs: 50,
      retryMaxMs: 60_000,
      logger: createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) }),
    });
    rec.outbox.enqueue(emailEntry(note));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    const retries = lines
      .map((line) => JSON.parse(line) as { msg: string; attempt?: number; retry_in_ms?: number })
      .filter((l) => l.msg.includes('will retry'));
    expect(retries.slice(0, 3).map((l) => [l.attempt, l.retry_in_ms])).toEqual([
      [1, 50],
      [2, 100],
      [3, 200],
    ]);
    expect(smtp.messages).toHaveLength(1); // ops got it once; busy's retries were all refused
    expect(rec.sent).toEqual(['large']);
    const [status] = rec.outbox.status(['smtp']);
    expect(status?.queued).toBe(1);
    expect(status?.lastSuccessAt).not.toBeNull();
    expect(status?.lastError?.message).toContain('busy@example.com');
  });

  test('the only recipient refused for now: no success is recorded, and the email arrives once accepted', async () => {
    const smtp = await server();
    smtp.refuseRecipient('busy@example.com', 451);
    const [note] = notificationsFor(1, ['busy@example.com']) as [Notification];
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)), { retryInitialMs: 50, retryMaxMs: 60_000 });
    rec.outbox.enqueue(emailEntry(note));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const [status] = rec.outbox.status(['smtp']);
    expect(status?.lastSuccessAt).toBeNull();
    expect(status?.lastError?.message).toMatch(/refused for now: busy@example.com/);
    expect(rec.sent).toEqual([]);
    smtp.refuseRecipient('busy@example.com', null);
    await smtp.waitForMessages(1, 10_000);
    await rec.outbox.idle();
    expect(rec.sent).toEqual(['large']);
    expect(rec.outbox.status(['smtp'])[0]?.lastError).toBeNull();
  });

  test('every recipient refused for good: the email is a dead letter and each recipient is reported', async () => {
    const smtp = await server();
    smtp.refuseRecipient('a@example.com', 550);
    smtp.refuseRecipient('b@example.com', 553);
    const [note] = notificationsFor(1, ['a@example.com', 'b@example.com']) as [Notification];
    const rec = outbox(createSmtpTransport(smtpConfig(smtp)));
    rec.outbox.enqueue(emailEntry(note));
    await rec.outbox.idle();
    expect(rec.refused.map((r) => r.recipient).sort()).toEqual(['a@example.com', 'b@example.com']);
    expect(rec.dead).toHaveLength(1);
    expect(rec.sent).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
  });
});

// Issue 15 item 8: a reload waited for the send in flight to a hanging server.
describe('a hanging SMTP server', () => {
  test('times out on the greeting (a timeout is set), and the failure is retried, not lost', async () => {
    const hanging = await startHangingSmtp();
    cleanups.push(() => hanging.close());
    const transport = createSmtpTransport(smtpConfig(hanging), {
      connectionTimeoutMs: 300,
      greetingTimeoutMs: 300,
      socketTimeoutMs: 300,
    });
    const rec = outbox(transport, { retryInitialMs: 600_000 });
    rec.outbox.enqueue(emailEntry(notificationsFor(1)[0] as Notification));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBe(1);
    expect(rec.logs.find((l) => l.includes('will retry'))).toMatch(/timeout/i);
    expect(rec.outbox.size).toBe(1);
  });

  test('replaceSink() does not wait for the send in flight; the old transport closes once it settles', async () => {
    const hanging = await startHangingSmtp();
    cleanups.push(() => hanging.close());
    const smtp = await server();
    let oldClosed = false;
    const stuck = createSmtpTransport(smtpConfig(hanging), {
      greetingTimeoutMs: 60_000,
      socketTimeoutMs: 60_000,
    });
    const rec = outbox({
      send: (m) => stuck.send(m),
      close: () => {
        oldClosed = true;
        stuck.close();
      },
    });
    const [first, second] = notificationsFor(2) as [Notification, Notification];
    rec.outbox.enqueue(emailEntry(first));
    await expect.poll(() => hanging.open, { timeout: 10_000 }).toBe(1);
    rec.outbox.replaceSink(
      createEmailSink(createSmtpTransport(smtpConfig(smtp)), (n) => renderEmail(n, context)),
    );
    rec.outbox.enqueue(emailEntry(second));
    await smtp.waitForMessages(1, 10_000);
    expect(hanging.open).toBe(1); // still hanging: nothing waited for it
    expect(oldClosed).toBe(false);
    await hanging.close(); // the hung send fails now, is retried through the new sink
    await smtp.waitForMessages(2, 10_000);
    await expect.poll(() => oldClosed, { timeout: 10_000 }).toBe(true);
  });
});

describe('memory and concurrency', () => {
  test('the memory of sent keys is bounded', async () => {
    const delivered: string[] = [];
    const rec = outbox(memoryTransport(delivered), { maxSentKeys: 10 });
    for (const n of notificationsFor(25)) rec.outbox.enqueue(emailEntry(n));
    await rec.outbox.idle();
    expect(rec.outbox.snapshot().sent).toHaveLength(10);
    expect(delivered).toHaveLength(25);
  });

  test('sends are bounded in concurrency', async () => {
    let running = 0;
    let peak = 0;
    const transport: MailTransport = {
      async send(m) {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return { accepted: [...m.to], rejected: [] };
      },
      close() {},
    };
    const rec = outbox(transport, { concurrency: 3 });
    for (const n of notificationsFor(30)) rec.outbox.enqueue(emailEntry(n));
    await rec.outbox.idle();
    expect(peak).toBe(3);
    expect(rec.sent).toHaveLength(30);
  });
});

describe('sent-journal', () => {
  test('a restart without a state-file write still knows what was sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-journal-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'state.json.alerts-sent');
    const delivered: string[] = [];
    const notes = notificationsFor(4);
    const first = outbox(memoryTransport(delivered), { sentJournalPath: journal });
    for (const n of notes.slice(0, 3)) first.outbox.enqueue(emailEntry(n));
    await first.outbox.idle();
    // "Killed": no stop(), no snapshot. The next process reads the journal.
    const second = outbox(memoryTransport(delivered), { sentJournalPath: journal });
    expect(notes.slice(0, 3).map((n) => second.outbox.enqueue(emailEntry(n)))).toEqual([false, false, false]);
    expect(second.outbox.enqueue(emailEntry(notes[3] as Notification))).toBe(true);
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
    for (const n of notes) first.outbox.enqueue(emailEntry(n));
    await first.outbox.idle();
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    const second = outbox(memoryTransport([]), { sentJournalPath: journal, maxSentKeys: 5 });
    expect(second.outbox.enqueue(emailEntry(notes[29] as Notification))).toBe(false);
    expect(second.outbox.enqueue(emailEntry(notes[0] as Notification))).toBe(true);
  });
});
