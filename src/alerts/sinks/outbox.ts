/*
 * The outbox: one discipline for every notification sink. enqueue() never blocks and never throws.
 * - Idempotency: a `once` entry whose key was already delivered (or given up) is dropped; the memory of
 *   those keys is bounded, oldest first, persisted with snapshot()/restore() and, optionally, in an
 *   append-only sent-journal, so a replayed or backfilled transaction never notifies twice across
 *   restarts. A `latest` entry (a firing alert that is re-sent) replaces a queued one with the same key.
 * - Delivery runs in the background with bounded concurrency per target, in batches of the sink's size.
 * - Failures: a permanent one (the server refused this notification, e.g. SMTP 5xx) is not retried: the
 *   notification becomes a dead letter (logged, counted, listed on the status page). A transient one is
 *   retried with capped exponential backoff, forever: alone when only this notification was refused for
 *   now (SMTP 4xx), so no other notification waits behind it; with its whole target paused when the
 *   target itself failed (unreachable, timeout, credentials), since then every notification would fail.
 * - Reloads never wait for a delivery in flight: replaceSink() swaps the sink and closes the old one in
 *   the background once its deliveries have settled. When the targets change (an Alertmanager URL added or
 *   removed), retarget() gives every queued notification to each current target once and forgets the
 *   removed ones.
 * The one gap no outbox can close: a crash after the server accepted a notification but before it was
 * recorded sends it again after restart (an email with the same Message-ID; an Alertmanager alert that
 * Alertmanager merges into the same alert).
 */

import { createHash } from 'node:crypto';
import { doublingDelay } from '../../backoff.js';
import { asRecord, isFiniteNumber } from '../../json.js';
import { type Logger, silentLogger } from '../../log.js';
import { SentJournal } from './sent-journal.js';
import type { DeadLetter, Delivery, Refusal, Sink, SinkName, TargetStatus } from './types.js';

export interface OutboxEntry<P> {
  /** The idempotency key. */
  readonly key: string;
  readonly target: string;
  readonly rule: string;
  readonly payload: P;
  /** `once`: delivered once per key, ever. `latest`: re-deliverable; a newer entry replaces a queued one. */
  readonly mode: 'once' | 'latest';
}

export interface OutboxEvents {
  /** One notification accepted by `target`. */
  onDelivered?(rule: string, target: string): void;
  /** One notification's attempt failed (it is retried unless it became a dead letter). */
  onAttemptFailed?(rule: string, target: string, error: string): void;
  onDeadLetter?(letter: DeadLetter): void;
  onRefused?(rule: string, refusal: Refusal): void;
  onQueueSize?(size: number): void;
}

export interface OutboxOptions<P> {
  readonly name: SinkName;
  /** Closed by stop(), or by replaceSink() once its deliveries have settled. */
  readonly sink: Sink<P>;
  /** What the notification is, in one line, for logs and dead letters. */
  readonly describe: (payload: P) => string;
  /** Checks a payload read back from the state file. */
  readonly isPayload: (value: unknown) => value is P;
  /** Deliveries in flight at once, per target. @default 4 */
  readonly concurrency?: number;
  /** First retry delay; doubles per failure. @default 1000 */
  readonly retryInitialMs?: number;
  /** @default 300000 (5 minutes) */
  readonly retryMaxMs?: number;
  /** How many delivered keys are remembered (and persisted). @default 50000 */
  readonly maxSentKeys?: number;
  /** How many dead letters are kept for the status page. @default 50 */
  readonly maxDeadLetters?: number;
  /** How long stop() waits for deliveries in flight before it closes the sink. @default 5000 */
  readonly stopGraceMs?: number;
  /**
   * Path of an append-only journal of delivered keys (e.g. `<state.path>.alerts-sent`), written right after
   * each accepted notification and read back here, so a crash before the next state-file write cannot resend.
   */
  readonly sentJournalPath?: string;
  readonly logger?: Logger;
  readonly events?: OutboxEvents;
  /** Unix ms. @default Date.now */
  readonly now?: () => number;
}

/** Plain JSON for the durable state. */
export interface OutboxSnapshot<P> {
  readonly version: 2;
  readonly queued: readonly OutboxEntry<P>[];
  /** Digests of delivered (or given up) `once` keys. */
  readonly sent: readonly string[];
  readonly dead: readonly DeadLetter[];
}

interface Item<P> {
  readonly id: string;
  entry: OutboxEntry<P>;
  attempts: number;
  /** Unix ms before which this item is not retried. */
  notBefore: number;
  sending: boolean;
  /** Delivered on its own: a batch it was part of was refused. */
  alone: boolean;
  /** A newer `latest` entry that arrived while this one was being delivered. */
  replacement: P | null;
}

interface TargetState {
  pausedUntil: number;
  failures: number;
  inFlight: number;
  lastSuccessAt: number | null;
  lastError: { at: number; message: string } | null;
}

interface InFlight<P> {
  readonly sink: Sink<P>;
  readonly done: Promise<void>;
}

export class Outbox<P> {
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly now: () => number;
  private sink: Sink<P>;
  private readonly queue = new Map<string, Item<P>>();
  private readonly sent = new Set<string>();
  private readonly targetStates = new Map<string, TargetState>();
  /** The configured targets, once retarget() named them; null: whatever target an entry names. */
  private targets: ReadonlySet<string> | null = null;
  private deadLetters: DeadLetter[] = [];
  private readonly inFlight = new Set<InFlight<P>>();
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private stopped = false;
  private draining = false;
  private idleWaiters: (() => void)[] = [];
  private readonly journal: SentJournal | null = null;

  constructor(private readonly options: OutboxOptions<P>) {
    this.logger = options.logger ?? silentLogger;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.now = options.now ?? Date.now;
    this.sink = options.sink;
    if (options.sentJournalPath !== undefined) {
      this.journal = new SentJournal(options.sentJournalPath, this.logger);
      for (const digest of this.journal.load()) this.remember(digest);
    }
  }

  /** Queues the entry unless it is a `once` key already queued or delivered; returns whether it was queued. */
  enqueue(entry: OutboxEntry<P>): boolean {
    if (this.stopped || this.draining) return false;
    const queued = this.queue.get(keyDigest(entry.key));
    if (queued !== undefined && entry.mode === 'latest') {
      if (queued.sending) queued.replacement = entry.payload;
      else queued.entry = entry;
      return true;
    }
    if (!this.add(entry)) return false;
    this.reportSize();
    this.schedulePump();
    return true;
  }

  /** Queues an entry whose key is neither queued nor delivered (or given up); returns whether it did. */
  private add(entry: OutboxEntry<P>): boolean {
    const id = keyDigest(entry.key);
    if (this.queue.has(id) || (entry.mode === 'once' && this.sent.has(id))) return false;
    this.queue.set(id, {
      id,
      entry,
      attempts: 0,
      notBefore: 0,
      sending: false,
      alone: false,
      replacement: null,
    });
    return true;
  }

  /** Notifications waiting or in flight. */
  get size(): number {
    return this.queue.size;
  }

  /** Newest first. */
  get dead(): readonly DeadLetter[] {
    return this.deadLetters;
  }

  snapshot(): OutboxSnapshot<P> {
    return {
      version: 2,
      queued: [...this.queue.values()].map((item) =>
        item.replacement === null ? item.entry : { ...item.entry, payload: item.replacement },
      ),
      sent: [...this.sent],
      dead: this.deadLetters,
    };
  }

  /** Adds a persisted snapshot (queued entries are delivered, keys remembered). Bad input is logged and ignored. */
  restore(snapshot: unknown): void {
    if (snapshot === null || snapshot === undefined) return;
    if (!isSnapshot(snapshot)) {
      this.logger.warn('ignoring an unreadable outbox in the state file', { sink: this.options.name });
      return;
    }
    for (const digest of snapshot.sent) this.remember(digest);
    this.deadLetters = [...snapshot.dead.filter(isDeadLetter), ...this.deadLetters].slice(0, this.maxDead);
    let queued = 0;
    let dropped = 0;
    for (const entry of snapshot.queued) {
      if (isEntry(entry) && this.options.isPayload(entry.payload)) {
        if (this.enqueue({ ...entry, payload: entry.payload })) queued += 1;
      } else {
        dropped += 1;
      }
    }
    if (queued > 0)
      this.logger.info('notifications restored from the state file', { sink: this.options.name, queued });
    if (dropped > 0) {
      this.logger.warn('unreadable queued notifications dropped from the state file', {
        sink: this.options.name,
        dropped,
      });
    }
  }

  /** Per target: queue, last success, last error (targets with nothing to show are left out). */
  status(targets: readonly string[]): TargetStatus[] {
    const queued = new Map<string, number>();
    for (const item of this.queue.values()) {
      queued.set(item.entry.target, (queued.get(item.entry.target) ?? 0) + 1);
    }
    const all = [...new Set([...targets, ...queued.keys()])];
    return all.map((target) => {
      const state = this.targetStates.get(target);
      return {
        sink: this.options.name,
        target,
        queued: queued.get(target) ?? 0,
        lastSuccessAt: state?.lastSuccessAt == null ? null : state.lastSuccessAt / 1000,
        lastError:
          state?.lastError == null
            ? null
            : { at: state.lastError.at / 1000, message: state.lastError.message },
      };
    });
  }

  /**
   * Makes `targets` the configured ones (a restart or reload changed them). Every notification still queued
   * is queued once for each configured target that has neither got it nor has it queued yet (`rekey` gives
   * its entry there, with that target's idempotency key), and nothing is delivered to a target no longer
   * configured again: what was queued for one is dropped (one in flight there, once it settles).
   * Returns how many entries were queued anew and how many dropped.
   */
  retarget(
    targets: readonly string[],
    rekey: (entry: OutboxEntry<P>, target: string) => OutboxEntry<P>,
  ): { added: number; dropped: number } {
    this.targets = new Set(targets);
    let added = 0;
    let dropped = 0;
    for (const item of [...this.queue.values()]) {
      const entry = item.replacement === null ? item.entry : { ...item.entry, payload: item.replacement };
      for (const target of targets) {
        if (target !== entry.target && this.add(rekey(entry, target))) added += 1;
      }
      if (this.configured(item.entry.target)) continue;
      dropped += 1;
      if (!item.sending) this.queue.delete(item.id);
    }
    for (const [target, state] of this.targetStates) {
      if (!this.configured(target) && state.inFlight === 0) this.targetStates.delete(target);
    }
    this.reportSize();
    this.resolveIdle();
    this.schedulePump();
    return { added, dropped };
  }

  /** Swaps the sink (a reload changed its settings). Never waits: the old sink closes once its deliveries settle. */
  replaceSink(sink: Sink<P>): void {
    const old = this.sink;
    if (old === sink) return;
    this.sink = sink;
    const pending = [...this.inFlight].filter((f) => f.sink === old).map((f) => f.done);
    void Promise.allSettled(pending).then(() => old.close());
    // The new settings deserve a fresh try.
    for (const state of this.targetStates.values()) {
      state.pausedUntil = 0;
      state.failures = 0;
    }
    this.schedulePump();
  }

  /** Accepts nothing new, delivers what is queued, then stops: the sink was removed by a reload. */
  async drain(): Promise<void> {
    this.draining = true;
    await this.idle();
    if (this.draining) await this.stop();
  }

  /** Undoes drain() (the sink is configured again) unless the outbox has stopped; returns whether it did. */
  reopen(): boolean {
    if (this.stopped) return false;
    this.draining = false;
    return true;
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops delivering, waits (at most the grace period) for deliveries in flight, then closes the sink.
   * Whatever is still queued or in flight stays in snapshot().
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight].map((f) => f.done)),
      new Promise((resolve) => {
        grace = setTimeout(resolve, this.options.stopGraceMs ?? 5000);
      }),
    ]);
    clearTimeout(grace);
    this.sink.close();
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
    const now = this.now();
    const batchSize = Math.max(1, this.sink.batchSize);
    let wakeAt = Number.POSITIVE_INFINITY;
    const open = new Map<string, Item<P>[]>();
    for (const item of this.queue.values()) {
      if (item.sending) continue;
      const target = item.entry.target;
      const state = this.targetState(target);
      const ready = Math.max(state.pausedUntil, item.notBefore);
      if (ready > now) {
        wakeAt = Math.min(wakeAt, ready);
        continue;
      }
      let batch = open.get(target);
      if (batch !== undefined && (item.alone || batch.length >= batchSize)) {
        this.start(target, batch);
        open.delete(target);
        batch = undefined;
      }
      if (batch === undefined) {
        if (state.inFlight >= this.concurrency) continue;
        state.inFlight += 1;
        batch = [];
        open.set(target, batch);
      }
      batch.push(item);
      item.sending = true;
      if (item.alone || batch.length >= batchSize) {
        this.start(target, batch);
        open.delete(target);
      }
    }
    for (const [target, batch] of open) this.start(target, batch);
    if (Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
      this.timer.unref();
    }
  }

  /** Delivers one batch; the target's in-flight slot was reserved by pump(). */
  private start(target: string, batch: Item<P>[]): void {
    const sink = this.sink;
    const attempt = Promise.resolve()
      .then(() =>
        sink.deliver(
          target,
          batch.map((item) => item.entry.payload),
        ),
      )
      .catch(
        (error: unknown): Delivery<P> => ({
          status: 'failed',
          permanent: false,
          scope: 'target',
          error: error instanceof Error ? error.message : String(error),
          refused: [],
        }),
      )
      .then((result) => this.settle(target, batch, result));
    const record: InFlight<P> = {
      sink,
      done: attempt.finally(() => {
        const state = this.targetState(target);
        state.inFlight -= 1;
        if (!this.configured(target) && state.inFlight === 0) this.targetStates.delete(target);
        this.inFlight.delete(record);
        this.schedulePump();
        this.resolveIdle();
      }),
    };
    this.inFlight.add(record);
  }

  private settle(target: string, batch: readonly Item<P>[], result: Delivery<P>): void {
    const now = this.now();
    const state = this.targetState(target);
    for (const item of batch) item.sending = false;
    const [first] = batch;
    if (first !== undefined) for (const refusal of result.refused) this.refused(first, refusal, now);
    if (result.status !== 'failed') {
      // The target answered: it is up, whatever it said about this notification.
      state.failures = 0;
      state.pausedUntil = 0;
    }
    if (result.status === 'delivered' || (result.status === 'partial' && result.accepted)) {
      state.lastSuccessAt = now;
    }
    if (result.status === 'delivered') {
      state.lastError = null;
      for (const item of batch) this.delivered(item);
      this.logger.info(`${this.noun} delivered`, this.fields(target, batch));
    } else if (result.status === 'partial') {
      this.partlyDelivered(target, state, batch, result, now);
    } else {
      this.failed(target, state, batch, result, now);
    }
    if (!this.configured(target)) {
      // Removed while this delivery was in flight: its copies for the configured targets are queued.
      for (const item of batch) if (this.queue.get(item.id) === item) this.queue.delete(item.id);
    }
    this.reportSize();
  }

  /**
   * Only single-item deliveries can be partial (types.ts). What was accepted counts as delivered once;
   * the recipients refused for now make it a failed attempt, retried with this item's own growing backoff.
   */
  private partlyDelivered(
    target: string,
    state: TargetState,
    batch: readonly Item<P>[],
    result: Extract<Delivery<P>, { status: 'partial' }>,
    now: number,
  ): void {
    state.lastError = { at: now, message: result.error };
    for (const item of batch) {
      if (result.accepted) this.options.events?.onDelivered?.(item.entry.rule, target);
      item.attempts += 1;
      this.options.events?.onAttemptFailed?.(item.entry.rule, target, result.error);
      item.entry = { ...item.entry, payload: result.retry };
      this.retryLater(item, now);
    }
    const [item] = batch;
    this.logger.warn(
      result.accepted
        ? `${this.noun} delivered in part, will retry the rest`
        : `${this.noun} failed, will retry`,
      {
        ...this.fields(target, batch),
        attempt: item?.attempts ?? 0,
        retry_in_ms: (item?.notBefore ?? now) - now,
        error: result.error,
      },
    );
  }

  private failed(
    target: string,
    state: TargetState,
    batch: readonly Item<P>[],
    result: Extract<Delivery<P>, { status: 'failed' }>,
    now: number,
  ): void {
    state.lastError = { at: now, message: result.error };
    for (const item of batch) {
      item.attempts += 1;
      this.options.events?.onAttemptFailed?.(item.entry.rule, target, result.error);
    }
    if (result.permanent && batch.length > 1) {
      // One bad notification refuses the whole request: deliver each alone to find it.
      for (const item of batch) item.alone = true;
      this.logger.warn(`${this.noun} refused in a batch, retrying one by one`, {
        ...this.fields(target, batch),
        error: result.error,
      });
      return;
    }
    if (result.permanent) {
      // The target answered: it is up, only this notification is refused.
      state.failures = 0;
      state.pausedUntil = 0;
      for (const item of batch) this.giveUp(item, target, result.error, now);
      return;
    }
    let retryIn: number;
    if (result.scope === 'target') {
      state.failures += 1;
      state.pausedUntil = now + this.backoff(state.failures);
      retryIn = state.pausedUntil - now;
      for (const item of batch) this.takeReplacement(item);
    } else {
      for (const item of batch) this.retryLater(item, now);
      retryIn = (batch[0]?.notBefore ?? now) - now;
    }
    this.logger.warn(`${this.noun} failed, will retry`, {
      ...this.fields(target, batch),
      attempt: batch[0]?.attempts ?? 0,
      retry_in_ms: retryIn,
      error: result.error,
    });
  }

  private delivered(item: Item<P>): void {
    const { rule, target } = item.entry;
    if (this.takeReplacement(item)) {
      item.attempts = 0;
      item.notBefore = 0;
    } else {
      this.finish(item);
    }
    // Told once the outbox shows it delivered (and journaled): a state save it triggers records that.
    this.options.events?.onDelivered?.(rule, target);
  }

  private giveUp(item: Item<P>, target: string, error: string, now: number): void {
    if (this.takeReplacement(item)) return;
    this.finish(item);
    const letter: DeadLetter = {
      at: Math.floor(now / 1000),
      sink: this.options.name,
      rule: item.entry.rule,
      target,
      recipient: null,
      what: this.options.describe(item.entry.payload),
      error,
    };
    this.addDeadLetter(letter);
    this.logger.error(`${this.noun} refused for good, not retried (dead letter)`, {
      sink: this.options.name,
      rule: letter.rule,
      target,
      what: letter.what,
      error,
    });
  }

  /** Done with the item (delivered or given up): a `once` key is remembered and journaled, never sent again. */
  private finish(item: Item<P>): void {
    this.queue.delete(item.id);
    if (item.entry.mode !== 'once') return;
    this.remember(item.id);
    this.journal?.append(item.id, () => this.sent, this.maxSentKeys);
  }

  private refused(item: Item<P>, refusal: Refusal, now: number): void {
    const letter: DeadLetter = {
      at: Math.floor(now / 1000),
      sink: this.options.name,
      rule: item.entry.rule,
      target: item.entry.target,
      recipient: refusal.recipient,
      what: this.options.describe(item.entry.payload),
      error: refusal.reply,
    };
    this.addDeadLetter(letter, false);
    this.options.events?.onRefused?.(letter.rule, refusal);
    this.logger.error('recipient refused for good, not retried', {
      rule: letter.rule,
      recipient: refusal.recipient,
      what: letter.what,
      reply: refusal.reply,
    });
  }

  private addDeadLetter(letter: DeadLetter, count = true): void {
    this.deadLetters = [letter, ...this.deadLetters].slice(0, this.maxDead);
    if (count) this.options.events?.onDeadLetter?.(letter);
  }

  private retryLater(item: Item<P>, now: number): void {
    this.takeReplacement(item);
    item.notBefore = now + this.backoff(Math.max(1, item.attempts));
  }

  /** A newer `latest` payload that came in during the attempt takes the item's place; returns whether one did. */
  private takeReplacement(item: Item<P>): boolean {
    if (item.replacement === null) return false;
    item.entry = { ...item.entry, payload: item.replacement };
    item.replacement = null;
    return true;
  }

  private backoff(failures: number): number {
    const initial = this.options.retryInitialMs ?? 1000;
    const max = this.options.retryMaxMs ?? 300_000;
    return doublingDelay(failures, initial, max);
  }

  private configured(target: string): boolean {
    return this.targets === null || this.targets.has(target);
  }

  private targetState(target: string): TargetState {
    let state = this.targetStates.get(target);
    if (state === undefined) {
      state = { pausedUntil: 0, failures: 0, inFlight: 0, lastSuccessAt: null, lastError: null };
      this.targetStates.set(target, state);
    }
    return state;
  }

  private fields(target: string, batch: readonly Item<P>[]): Record<string, unknown> {
    const one = batch.length === 1 ? batch[0] : undefined;
    return one === undefined
      ? { sink: this.options.name, target, count: batch.length }
      : {
          sink: this.options.name,
          target,
          rule: one.entry.rule,
          what: this.options.describe(one.entry.payload),
        };
  }

  private get noun(): string {
    return this.options.name === 'email' ? 'alert email' : 'Alertmanager alert';
  }

  private remember(digest: string): void {
    this.sent.delete(digest);
    this.sent.add(digest);
    for (const oldest of this.sent) {
      if (this.sent.size <= this.maxSentKeys) break;
      this.sent.delete(oldest);
    }
  }

  private get maxSentKeys(): number {
    return this.options.maxSentKeys ?? 50_000;
  }

  private get maxDead(): number {
    return this.options.maxDeadLetters ?? 50;
  }

  private reportSize(): void {
    this.options.events?.onQueueSize?.(this.queue.size);
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

function isSnapshot(value: unknown): value is OutboxSnapshot<unknown> {
  const s = asRecord(value);
  return (
    s !== null &&
    s.version === 2 &&
    Array.isArray(s.queued) &&
    Array.isArray(s.sent) &&
    s.sent.every((d) => typeof d === 'string') &&
    Array.isArray(s.dead)
  );
}

function isEntry(value: unknown): value is OutboxEntry<unknown> {
  const e = asRecord(value);
  return (
    e !== null &&
    typeof e.key === 'string' &&
    typeof e.target === 'string' &&
    typeof e.rule === 'string' &&
    (e.mode === 'once' || e.mode === 'latest')
  );
}

function isDeadLetter(value: unknown): value is DeadLetter {
  const d = asRecord(value);
  return (
    d !== null &&
    isFiniteNumber(d.at) &&
    (d.sink === 'email' || d.sink === 'alertmanager') &&
    typeof d.rule === 'string' &&
    typeof d.target === 'string' &&
    (d.recipient === null || typeof d.recipient === 'string') &&
    typeof d.what === 'string' &&
    typeof d.error === 'string'
  );
}
