/*
 * The alert outbox: enqueue() never blocks and never throws; every notification is sent exactly once
 * per idempotency key, as far as this process can know:
 * - a key already queued, in flight or sent is dropped (the memory of sent keys is bounded, oldest first,
 *   and persisted with snapshot()/restore() so a replayed or backfilled transaction never emails twice
 *   across restarts);
 * - sends run with bounded concurrency; a failure keeps the email queued and retries it with capped
 *   exponential backoff, forever (while SMTP is down the whole queue pauses with the same backoff and waits).
 * The one gap no outbox can close: a crash after the server accepted a message but before we recorded
 * it resends it after restart (with the same Message-ID, so mail clients can fold it). The optional
 * sent-journal shrinks that gap to one synchronous file append after the server's reply.
 */

import { createHash } from 'node:crypto';
import { type Logger, silentLogger } from '../log.js';
import type { MailMessage } from './email.js';
import { SentJournal } from './sent-journal.js';
import type { MailTransport } from './smtp.js';
import type { Notification } from './types.js';

export interface OutboxOptions {
  /** Closed by stop(). */
  readonly transport: MailTransport;
  readonly render: (notification: Notification) => MailMessage;
  /** Sends in flight at once. @default 4 */
  readonly concurrency?: number;
  /** First retry delay; doubles per failure. @default 1000 */
  readonly retryInitialMs?: number;
  /** @default 300000 (5 minutes) */
  readonly retryMaxMs?: number;
  /** How many sent keys are remembered (and persisted). @default 50000 */
  readonly maxSentKeys?: number;
  readonly logger?: Logger;
  readonly onSent?: (rule: string) => void;
  readonly onFailed?: (rule: string, error: Error) => void;
  readonly onQueueSize?: (size: number) => void;
  /**
   * Path of an append-only journal of sent keys (e.g. `<state.path>.alerts-sent`), written right after
   * each accepted email and read back here, so a crash before the next state-file write cannot resend.
   */
  readonly sentJournalPath?: string;
}

/** Plain JSON for the durable state: queued notifications and digests of sent keys. */
export interface OutboxSnapshot {
  readonly version: 1;
  readonly queued: readonly Notification[];
  readonly sent: readonly string[];
}

interface Pending {
  readonly notification: Notification;
  attempts: number;
  /** Date.now() ms before which this item is not retried. */
  notBefore: number;
  sending: boolean;
}

export class Outbox {
  private readonly options: OutboxOptions;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly queue = new Map<string, Pending>();
  private readonly sent = new Set<string>();
  private inFlight = new Set<Promise<void>>();
  private consecutiveFailures = 0;
  private pausedUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private journal: SentJournal | null = null;

  constructor(options: OutboxOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    if (options.sentJournalPath !== undefined) {
      this.journal = new SentJournal(options.sentJournalPath, this.logger);
      for (const digest of this.journal.load()) this.remember(digest);
    }
  }

  /** Queues the notification unless its key was already queued or sent; returns whether it was queued. */
  enqueue(notification: Notification): boolean {
    const digest = keyDigest(notification.key);
    if (this.queue.has(digest) || this.sent.has(digest)) return false;
    this.queue.set(digest, { notification, attempts: 0, notBefore: 0, sending: false });
    this.reportSize();
    this.schedulePump();
    return true;
  }

  /** Emails waiting or in flight. */
  get size(): number {
    return this.queue.size;
  }

  snapshot(): OutboxSnapshot {
    return {
      version: 1,
      queued: [...this.queue.values()].map((p) => p.notification),
      sent: [...this.sent],
    };
  }

  /** Adds a persisted snapshot (queued mail is sent, sent keys are remembered). Bad input is logged and ignored. */
  restore(snapshot: unknown): void {
    if (!isSnapshot(snapshot)) {
      if (snapshot !== null && snapshot !== undefined) {
        this.logger.warn('ignoring an unreadable alert outbox in the state file');
      }
      return;
    }
    for (const digest of snapshot.sent) this.remember(digest);
    let queued = 0;
    for (const notification of snapshot.queued) if (this.enqueue(notification)) queued += 1;
    if (queued > 0) this.logger.info('alert emails restored from the state file', { queued });
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending, waits for sends in flight, then closes the transport (the outbox owns it). Queued mail stays in snapshot(). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight]);
    this.options.transport.close();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    let wakeAt = Number.POSITIVE_INFINITY;
    if (now < this.pausedUntil) {
      wakeAt = this.pausedUntil;
    } else {
      for (const [digest, item] of this.queue) {
        if (this.inFlight.size >= this.concurrency) break;
        if (item.sending) continue;
        if (item.notBefore > now) {
          wakeAt = Math.min(wakeAt, item.notBefore);
          continue;
        }
        this.start(digest, item);
      }
    }
    if (Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
      this.timer.unref();
    }
  }

  private start(digest: string, item: Pending): void {
    item.sending = true;
    const rule = item.notification.rule.name;
    const attempt = (async () => {
      const mail = this.options.render(item.notification);
      await this.options.transport.send(mail);
      return mail;
    })().then(
      (mail) => this.succeeded(digest, rule, mail),
      (error: unknown) => this.failed(item, rule, error instanceof Error ? error : new Error(String(error))),
    );
    const tracked = attempt.finally(() => {
      this.inFlight.delete(tracked);
      this.pump();
      this.resolveIdle();
    });
    this.inFlight.add(tracked);
  }

  private succeeded(digest: string, rule: string, mail: MailMessage): void {
    this.queue.delete(digest);
    this.remember(digest);
    this.journal?.append(digest, () => this.sent, this.maxSentKeys);
    this.consecutiveFailures = 0;
    this.pausedUntil = 0;
    this.logger.info('alert email sent', { rule, message_id: mail.messageId, to: mail.to.join(',') });
    this.options.onSent?.(rule);
    this.reportSize();
  }

  private failed(item: Pending, rule: string, error: Error): void {
    item.sending = false;
    item.attempts += 1;
    this.consecutiveFailures += 1;
    const initial = this.options.retryInitialMs ?? 1000;
    const max = this.options.retryMaxMs ?? 300_000;
    const backoff = (n: number) => Math.min(max, initial * 2 ** Math.min(n - 1, 30));
    const now = Date.now();
    item.notBefore = now + backoff(item.attempts);
    this.pausedUntil = Math.max(this.pausedUntil, now + backoff(this.consecutiveFailures));
    this.logger.warn('alert email failed, will retry', {
      rule,
      attempt: item.attempts,
      retry_in_ms: item.notBefore - now,
      error: error.message,
    });
    this.options.onFailed?.(rule, error);
  }

  private remember(digest: string): void {
    this.sent.delete(digest);
    this.sent.add(digest);
    const max = this.maxSentKeys;
    for (const oldest of this.sent) {
      if (this.sent.size <= max) break;
      this.sent.delete(oldest);
    }
  }

  private get maxSentKeys(): number {
    return this.options.maxSentKeys ?? 50_000;
  }

  private reportSize(): void {
    this.options.onQueueSize?.(this.queue.size);
  }

  private resolveIdle(): void {
    if (this.queue.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** 128 bits of SHA-256 of the idempotency key: what the outbox remembers and persists. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function isSnapshot(value: unknown): value is OutboxSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  if (s.version !== 1 || !Array.isArray(s.queued) || !Array.isArray(s.sent)) return false;
  if (!s.sent.every((d) => typeof d === 'string')) return false;
  return s.queued.every((n) => {
    const item = n as Record<string, unknown> | null;
    const rule = item?.rule as Record<string, unknown> | undefined;
    return typeof item?.key === 'string' && typeof rule?.name === 'string';
  });
}
