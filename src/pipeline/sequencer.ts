import type { BackfillResult } from '../backfill/index.js';
import type { Logger } from '../log.js';
import { RIPPLE_EPOCH_OFFSET } from '../ripple-time.js';
import { boundRange, formatRange, type LedgerCursor, type LedgerRange } from './cursor.js';

/**
 * Puts live stream messages and backfilled history into one ordered, gap-free sequence of validated
 * ledgers. It decides when a ledger is complete, when history must be fetched, and what to hold back
 * while it is fetched; it counts nothing itself (`process` does).
 *
 * States: `waiting` (no subscribed session: hold everything), `catching-up` (a backfill runs: hold
 * live messages, replay them in order afterwards), `live` (process as they come).
 */
export interface SequencerOptions {
  readonly cursor: LedgerCursor;
  readonly maxBackfillLedgers: number;
  /** Count one validated transaction (from the stream or from history). Must not throw. */
  readonly process: (transaction: unknown, ledgerIndex: number, source: 'live' | 'backfill') => void;
  readonly backfill: (range: LedgerRange) => Promise<BackfillResult>;
  readonly onLedger: (index: number, closeTime: number | null) => void;
  readonly onCheckpoint: (checkpoint: number) => void;
  readonly onGap: (range: LedgerRange, reason: string) => void;
  readonly onInvalid: (reason: string) => void;
  readonly logger: Logger;
  /** First pause before a failed backfill is tried again; doubles up to 30 s. @default 1000 */
  readonly retryDelayMs?: number;
}

type Held =
  | { readonly kind: 'ledger'; readonly msg: Record<string, unknown> }
  | { readonly kind: 'tx'; readonly msg: Record<string, unknown> };

/**
 * A validated ledger closes every 3-5 s and close times only move forward (rounded to at most 10 s),
 * so more than one new ledger per second of close time, beyond this slack, is not the real network:
 * a server announcing ledger 4,000,000,000 would otherwise drag the checkpoint past every real ledger.
 */
const LEDGER_JUMP_SLACK = 30;
const MAX_RETRY_DELAY_MS = 30_000;

export class StreamSequencer {
  private state: 'waiting' | 'catching-up' | 'live' = 'waiting';
  private held: Held[] = [];
  /** The newest ledger announced on this socket while its subscription was still being made. */
  private announcedWhileWaiting = -1;
  /** Bumped on every new session, so a backfill that outlived its session is discarded. */
  private session = 0;
  private idle: Promise<void> = Promise.resolve();
  private reportedCheckpoint: number | null;
  /** The newest ledger accepted from any session, to judge whether the next one is plausible. */
  private newest: { index: number; closeTime: number } | null = null;

  constructor(private readonly options: SequencerOptions) {
    this.reportedCheckpoint = options.cursor.checkpoint;
  }

  /** Resolves when no backfill is running (for tests and shutdown). */
  whenIdle(): Promise<void> {
    return this.idle;
  }

  get checkpoint(): number | null {
    return this.options.cursor.checkpoint;
  }

  /** The socket closed: what it delivered but we held back is re-read by the next session's catch-up. */
  onDisconnected(): void {
    this.session++;
    this.state = 'waiting';
    this.held = [];
    this.announcedWhileWaiting = -1;
    this.options.cursor.resetSession();
  }

  /**
   * A session is fully subscribed. `ledgerIndex` is the validated ledger the subscribe answered with;
   * any ledger announced on this socket before the subscription completed may be incomplete too.
   */
  onSubscribed(ledgerIndex: number | null): void {
    const { cursor } = this.options;
    this.session++;
    // Accounts in later subscribe chunks missed whatever closed before their chunk was accepted, so
    // every ledger announced so far is treated as incomplete and read back from history.
    const sessionLedger = Math.max(ledgerIndex ?? -1, cursor.lastClosed ?? -1, this.announcedWhileWaiting);
    this.announcedWhileWaiting = -1;
    if (sessionLedger < 0) {
      // Nothing to anchor on yet: the first ledgerClosed will be the start.
      this.goLive();
      return;
    }
    if (cursor.checkpoint === null) {
      // First run without state: counting starts with the next ledger.
      cursor.complete(sessionLedger);
      this.checkpointed();
      this.goLive();
      return;
    }
    const range = cursor.catchUpRange(sessionLedger);
    if (range) this.startBackfill(range);
    else this.goLive();
  }

  onLedgerClosed(msg: Record<string, unknown>): void {
    const index = msg.ledger_index;
    if (!isLedgerIndex(index)) {
      this.options.onInvalid('ledgerClosed without a valid ledger_index');
      return;
    }
    const closeTime = typeof msg.ledger_time === 'number' ? msg.ledger_time + RIPPLE_EPOCH_OFFSET : null;
    const implausible = this.implausible(index, closeTime);
    if (implausible) {
      this.options.onInvalid(implausible);
      return;
    }
    this.options.onLedger(index, closeTime);
    if (this.state !== 'live') {
      if (this.state === 'waiting') this.announcedWhileWaiting = Math.max(this.announcedWhileWaiting, index);
      this.held.push({ kind: 'ledger', msg });
      return;
    }
    this.advance(index);
  }

  onTransaction(msg: Record<string, unknown>): void {
    if (this.state !== 'live') {
      this.held.push({ kind: 'tx', msg });
      return;
    }
    this.processLive(msg);
  }

  /** Why a ledgerClosed cannot be the real network's next ledger, or null when it can. */
  private implausible(index: number, closeTime: number | null): string | null {
    const newest = this.newest;
    if (closeTime === null) return null;
    if (newest !== null && index > newest.index) {
      if (closeTime < newest.closeTime) {
        return `ledgerClosed ${index} closes before ledger ${newest.index} (${closeTime} < ${newest.closeTime})`;
      }
      const allowed = newest.index + Math.ceil(closeTime - newest.closeTime) + LEDGER_JUMP_SLACK;
      if (index > allowed) {
        return `ledgerClosed ${index} jumps ${index - newest.index} ledgers in ${closeTime - newest.closeTime} s`;
      }
    }
    if (newest === null || index > newest.index) this.newest = { index, closeTime };
    return null;
  }

  private advance(index: number): void {
    const { cursor } = this.options;
    const outcome = cursor.onLedgerClosed(index);
    if (outcome.kind === 'stale') {
      this.options.onInvalid(`ledgerClosed ${index} is not after ledger ${cursor.lastClosed}`);
    } else if (outcome.kind === 'next' && outcome.completed !== null) this.checkpointed();
    else if (outcome.kind === 'gap') {
      this.options.logger.warn('ledger stream skipped ledgers', { missing: formatRange(outcome.missing) });
      this.startBackfill(outcome.missing);
    } else if (outcome.kind === 'first' && cursor.checkpoint !== null && index - 1 > cursor.checkpoint) {
      // A first ledger far ahead of the checkpoint (no subscribe ledger index was known).
      this.startBackfill({ from: cursor.checkpoint + 1, to: index - 1 });
    }
  }

  private processLive(msg: Record<string, unknown>): void {
    const { cursor } = this.options;
    const index = msg.ledger_index;
    if (!isLedgerIndex(index)) {
      this.options.onInvalid('transaction without a valid ledger_index');
      return;
    }
    if (cursor.checkpoint !== null && index <= cursor.checkpoint) return; // already complete: a replay
    if (cursor.lastClosed !== null && index > cursor.lastClosed) {
      // rippled announces a ledger before its transactions; a later skip is backfilled then.
      this.options.onInvalid(`transaction for ledger ${index}, which has not closed yet`);
      return;
    }
    this.options.process(msg, index, 'live');
  }

  private startBackfill(wanted: LedgerRange): void {
    const { cursor, logger } = this.options;
    this.state = 'catching-up';
    const session = this.session;
    const { backfill: range, skipped } = boundRange(wanted, this.options.maxBackfillLedgers);
    if (skipped) {
      this.options.onGap(
        skipped,
        `more than state.max_backfill_ledgers (${this.options.maxBackfillLedgers}) behind`,
      );
    }
    const run = async () => {
      let result: BackfillResult = { transactions: [], uncovered: null, retry: null };
      if (range) {
        logger.info('backfill started', { ledgers: formatRange(range) });
        let delay = this.options.retryDelayMs ?? 1000;
        for (;;) {
          result = await this.options.backfill(range);
          if (result.retry === null || session !== this.session) break;
          // A server failed to answer (timeout, disconnect): the range is not lost, read it again.
          logger.warn('backfill failed, retrying', {
            ledgers: formatRange(range),
            reason: result.retry,
            retry_in_ms: delay,
          });
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
          delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
          if (session !== this.session) break;
        }
      }
      if (session !== this.session) {
        logger.info('backfill discarded: its session ended', { ledgers: range ? formatRange(range) : '' });
        return;
      }
      for (const tx of result.transactions) this.options.process(tx.entry, tx.ledgerIndex, 'backfill');
      if (range && result.uncovered) this.options.onGap(range, result.uncovered);
      if (range) {
        logger.info('backfill done', {
          ledgers: formatRange(range),
          transactions: result.transactions.length,
        });
      }
      cursor.complete(wanted.to);
      this.checkpointed();
      this.goLive();
    };
    this.idle = run().catch((err) => {
      // A bug, not a server problem: retrying would fail again. Say loudly what is not covered, go on.
      logger.error('backfill failed', { err });
      if (session !== this.session) return;
      this.options.onGap(wanted, `backfill failed: ${err instanceof Error ? err.message : String(err)}`);
      cursor.complete(wanted.to);
      this.checkpointed();
      this.goLive();
    });
  }

  /** Reports the checkpoint when it moved. */
  private checkpointed(): void {
    const checkpoint = this.options.cursor.checkpoint;
    if (checkpoint === null || checkpoint === this.reportedCheckpoint) return;
    this.reportedCheckpoint = checkpoint;
    this.options.onCheckpoint(checkpoint);
  }

  /** Replays what was held back, in arrival order; a replayed gap may start another backfill. */
  private goLive(): void {
    this.state = 'live';
    while (this.held.length > 0 && this.state === 'live') {
      const item = this.held.shift()!;
      if (item.kind === 'ledger') this.advance(item.msg.ledger_index as number);
      else this.processLive(item.msg);
    }
  }
}

function isLedgerIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
