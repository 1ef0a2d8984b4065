import type { HistoryServer } from '../backfill/index.js';
import { doublingDelay } from '../backoff.js';
import type { Logger } from '../log.js';
import type { HistoryImportStatus } from '../server/status.js';
import type { ImportBook } from './progress.js';
import { readHistory } from './reader.js';
import { ResolveError, resolvePoint } from './resolve.js';
import { parseHistoryPoint } from './since.js';

/** What the status page shows about one account's import. */
export type ImportStatus = HistoryImportStatus;

export interface HistoryImportsOptions {
  readonly book: ImportBook;
  /** The configured servers in failover order, the live session's first. */
  readonly servers: () => readonly HistoryServer[];
  readonly apiVersion: 1 | 2;
  /** Counts one transaction of the account's history through the one transaction path. Must not throw. */
  readonly process: (entry: Record<string, unknown>, ledgerIndex: number, account: string) => void;
  /** Imports run only for watched accounts (a reload may remove one; it resumes if re-added). */
  readonly isWatched: (account: string) => boolean;
  /** Ledgers left for the gauge; null once the import is finished (the series goes away). */
  readonly onRemaining: (account: string, ledgersLeft: number | null) => void;
  /** Persist the book with the totals (one state file, written atomically). */
  readonly save: () => void;
  readonly logger: Logger;
  /** First pause after a failed attempt; doubles up to 5 minutes. @default 1000 */
  readonly retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 5 * 60_000;

/**
 * Runs the history imports of newly watched accounts with `since`, one account at a time: resolves
 * `since` to a ledger, reads `since`..watch start through the shared history reader in ledger-complete
 * slices, counts each slice and records how far it got in the same synchronous step, so a state file
 * written at any moment has totals and progress that agree (a restart resumes at the next ledger and
 * never counts one twice). A failure is logged and retried with backoff; the gauge stays.
 */
export class HistoryImports {
  private readonly failures = new Map<string, { error: string; count: number; retryAt: number }>();
  private readonly loggedDecile = new Map<string, number>();
  private running: string | null = null;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Set by wake(): the loop looks again before it ends. */
  private nudged = false;
  private stopped = false;

  constructor(private readonly options: HistoryImportsOptions) {}

  /** Starts or nudges the loop: call after a watch start was fixed or an account (re)appeared. */
  wake(): void {
    if (this.stopped) return;
    for (const account of this.options.book.unfinished()) {
      if (this.options.isWatched(account)) this.publishRemaining(account);
      else this.options.onRemaining(account, null);
    }
    this.nudged = true;
    this.wakeUp?.();
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
  }

  /**
   * Accounts waiting for a watch start get the newest of these ledgers (the subscription's, the newest
   * announced, the checkpoint): everything after it reaches them through the stream or a backfill,
   * everything up to it is history. Call once their subscription is in place.
   */
  startWatching(ledgers: ReadonlyArray<number | null | undefined>): void {
    const start = Math.max(0, ...ledgers.map((l) => l ?? 0));
    if (start > 0) this.options.book.fixWatchStart(start);
    this.wake();
  }

  /** Ends the loop after the slice in hand; resolves when it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  /** Resolves when no import is runnable right now (for tests). */
  async whenIdle(): Promise<void> {
    await this.loop;
  }

  status(account: string): ImportStatus | null {
    const { book } = this.options;
    const record = book.get(account);
    if (!record) return null;
    const failure = this.failures.get(account);
    const state = record.done
      ? 'done'
      : failure
        ? 'failing'
        : this.running === account
          ? 'importing'
          : 'waiting';
    return {
      state,
      ledgersLeft: book.remaining(account),
      percent: book.percent(account),
      error: record.done ? null : (failure?.error ?? null),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.nudged = false;
      const now = Date.now();
      const runnable = this.options.book
        .unfinished()
        .filter((a) => this.options.book.get(a)?.to !== null && this.options.isWatched(a))
        .filter((a) => (this.failures.get(a)?.retryAt ?? 0) <= now);
      const account = runnable[0];
      if (account === undefined) {
        const waits = [...this.failures.values()].map((f) => f.retryAt - now).filter((ms) => ms > 0);
        if (waits.length === 0 && !this.nudged) return;
        if (waits.length > 0) await this.sleep(Math.min(...waits));
        continue;
      }
      this.running = account;
      try {
        await this.importAccount(account);
      } finally {
        this.running = null;
      }
    }
  }

  /** Waits `ms`, or less when wake() or stop() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        if (this.wakeUp === finish) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.wakeUp = finish;
    });
  }

  private async importAccount(account: string): Promise<void> {
    const { book, logger } = this.options;
    const record = book.get(account);
    if (!record || record.to === null) return;
    if (record.from === null) {
      const point = parseHistoryPoint(record.since);
      if (!point.ok) {
        this.failed(account, `since "${record.since}": ${point.error}`, false);
        return;
      }
      try {
        const resolved = await resolvePoint(this.options.servers(), point.point, 'start');
        book.resolved(account, resolved.ledger);
        logger.info('history import: since resolved', {
          account,
          since: record.since,
          ledger: resolved.ledger,
        });
      } catch (err) {
        this.failed(
          account,
          err instanceof Error ? err.message : String(err),
          err instanceof ResolveError && err.transient,
        );
        return;
      }
      this.options.save();
    }
    const current = book.get(account)!;
    if (current.done || current.next === null) {
      this.finished(account, 0);
      return;
    }
    logger.info('history import started', { account, ledgers: `${current.next}-${current.to}` });
    let transactions = 0;
    const outcome = await readHistory({
      servers: this.options.servers(),
      account,
      range: { from: current.next, to: current.to! },
      apiVersion: this.options.apiVersion,
      logger,
      onSlice: (slice, through) => {
        // A reload removed the account while this slice was read: the one path no longer counts it, so
        // neither the slice nor its end is recorded (a re-added account resumes at the first uncounted
        // ledger).
        if (!this.options.isWatched(account)) return 'stop';
        // Counting a slice and recording its end happen in one synchronous step (see the class comment).
        for (const tx of slice) this.options.process(tx.entry, tx.ledgerIndex, account);
        transactions += slice.length;
        book.advance(account, through);
        this.options.save();
        this.publishRemaining(account);
        this.logDecile(account);
        return this.stopped ? 'stop' : undefined;
      },
    });
    if (outcome.complete) this.finished(account, transactions);
    else if ('reason' in outcome) this.failed(account, outcome.reason, outcome.transient);
    // Stopped because a reload removed the account: its gauge goes (it resumes if the account returns).
    else if (!this.options.isWatched(account)) this.options.onRemaining(account, null);
  }

  private finished(account: string, transactions: number): void {
    this.failures.delete(account);
    this.loggedDecile.delete(account);
    const record = this.options.book.get(account);
    this.options.logger.info('history import done', {
      account,
      ledgers: record?.from !== null && record?.to !== null ? `${record?.from}-${record?.to}` : '',
      transactions,
    });
    this.options.onRemaining(account, null);
    this.options.save();
  }

  private failed(account: string, error: string, transient: boolean): void {
    // Shutting down closes the connections under a running read: not a failure worth a line.
    if (this.stopped) return;
    const count = (this.failures.get(account)?.count ?? 0) + 1;
    const delayMs = doublingDelay(count, this.options.retryDelayMs ?? 1000, MAX_RETRY_DELAY_MS);
    this.failures.set(account, { error, count, retryAt: Date.now() + delayMs });
    const fields = { account, reason: error, retry_in_ms: delayMs };
    // A range no server holds needs an operator (a full-history server); a timeout usually passes.
    if (transient) this.options.logger.warn('history import failed, retrying', fields);
    else this.options.logger.error('history import: no server holds the history, retrying', fields);
  }

  private publishRemaining(account: string): void {
    const left = this.options.book.remaining(account);
    if (left !== null) this.options.onRemaining(account, left);
  }

  /** One log line per 10% imported. */
  private logDecile(account: string): void {
    const percent = this.options.book.percent(account);
    if (percent === null) return;
    const decile = Math.floor(percent / 10);
    if (decile <= (this.loggedDecile.get(account) ?? 0) || decile >= 10) return;
    this.loggedDecile.set(account, decile);
    this.options.logger.info('history import progress', {
      account,
      percent: decile * 10,
      ledgers_left: this.options.book.remaining(account),
    });
  }
}
