import type { BackfillResult } from '../backfill/index.js';
import { doublingDelay } from '../backoff.js';
import type { Logger } from '../log.js';
import { ledgerTimeToUnix } from '../ripple-time.js';
import { boundRange, formatRange, type GapRange, type LedgerCursor, type LedgerRange } from './cursor.js';
import { Fifo } from './fifo.js';
import { type LedgerClaim, LedgerTrust, type SessionClaims } from './ledger-trust.js';

/**
 * Puts live stream messages and backfilled history into one ordered, gap-free sequence of validated
 * ledgers. It decides which ledger announcements to believe (LedgerTrust), when a ledger is complete,
 * when history must be fetched, and what to hold back while it is fetched; it counts nothing itself
 * (`process` does).
 *
 * States: `waiting` (no subscribed session: hold everything), `untrusted` (the session's start
 * contradicts itself or earlier ledgers: ignore it until it is gone), `catching-up` (a backfill runs:
 * hold live messages, replay them in order afterwards), `live` (process as they come).
 */
export interface SequencerOptions {
  readonly cursor: LedgerCursor;
  readonly maxBackfillLedgers: number;
  /** Count one validated transaction (from the stream or from history). Must not throw. */
  readonly process: (transaction: unknown, ledgerIndex: number, source: 'live' | 'backfill') => void;
  /** A backfill finished (its transactions processed): the verification checks the accounts. */
  readonly onBackfillDone?: () => void;
  readonly backfill: (range: LedgerRange) => Promise<BackfillResult>;
  /** A new validated ledger was announced and is trusted (nothing else reaches it). */
  readonly onLedger: (index: number, closeTime: number | null) => void;
  readonly onCheckpoint: (checkpoint: number) => void;
  /** Ledgers whose payments are not counted (no server held them, or the saved state was lost). */
  readonly onGap: (range: GapRange, reason: string) => void;
  readonly onInvalid: (reason: string) => void;
  /** The session's ledger claims cannot be trusted: it must be left (the reason is also invalid). */
  readonly onUntrusted: (reason: string) => void;
  readonly logger: Logger;
  /** The local clock (ms since the Unix epoch): ledger claims are held against it. @default Date.now */
  readonly now?: () => number;
  /** First pause before a failed backfill is tried again; doubles up to 30 s. @default 1000 */
  readonly retryDelayMs?: number;
  /**
   * Live messages held while a backfill runs, at most. Beyond it they are dropped and the ledgers they
   * belonged to are read from history after the running backfill instead. @default 10_000
   */
  readonly maxHeldMessages?: number;
  /**
   * The saved state of an earlier run was lost (its checkpoint when a damaged file still showed it):
   * the ledgers from there to where counting restarts are reported as a gap once that is known.
   */
  readonly lostState?: { readonly checkpoint: number | null };
}

type HeldLedger = LedgerClaim & { readonly kind: 'ledger' };
type Held = HeldLedger | { readonly kind: 'tx'; readonly msg: Record<string, unknown> };

const MAX_RETRY_DELAY_MS = 30_000;
/**
 * About 10 ledgers of a busy full mainnet stream; a parsed transaction message takes ~5 KB of heap
 * (more with large metadata), so this bounds the held messages to ~50-100 MB.
 */
const DEFAULT_MAX_HELD_MESSAGES = 10_000;

export class StreamSequencer {
  private state: 'waiting' | 'untrusted' | 'catching-up' | 'live' = 'waiting';
  private held = new Fifo<Held>();
  /**
   * Set while a backfill runs after its held messages overflowed: the newest ledger whose messages
   * were dropped. The catch-up is extended to it, so each of them is read from history instead.
   */
  private spilledTo: number | null = null;
  /** Bumped on every new session, so a backfill that outlived its session is discarded. */
  private session = 0;
  /** The trusted ledger the current session starts from (see sessionStart); null before one. */
  private sessionStartLedger: number | null = null;
  private idle: Promise<void> = Promise.resolve();
  private reportedCheckpoint: number | null;
  private readonly trust = new LedgerTrust();
  private readonly maxHeld: number;
  private lostState: { readonly checkpoint: number | null } | null;

  constructor(private readonly options: SequencerOptions) {
    this.reportedCheckpoint = options.cursor.checkpoint;
    this.maxHeld = options.maxHeldMessages ?? DEFAULT_MAX_HELD_MESSAGES;
    this.lostState = options.lostState ?? null;
  }

  /** Resolves when no backfill is running (for tests and shutdown). */
  async whenIdle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.idle;
      await current;
    } while (current !== this.idle);
  }

  /**
   * The trusted ledger the current session starts from: everything after it reaches the subscribed
   * accounts through this session or its catch-up. Null before a trusted session has one.
   */
  get sessionStart(): number | null {
    return this.sessionStartLedger;
  }

  get checkpoint(): number | null {
    return this.options.cursor.checkpoint;
  }

  /** The socket closed: what it delivered but we held back is re-read by the next session's catch-up. */
  onDisconnected(): void {
    this.session++;
    this.sessionStartLedger = null;
    this.state = 'waiting';
    this.held = new Fifo();
    this.spilledTo = null;
    this.options.cursor.resetSession();
    this.trust.endSession();
  }

  /**
   * A session is fully subscribed, and said which validated ledger it stands on (the subscribe answer
   * and `server_info`); any ledger announced on this socket before the subscription completed may be
   * incomplete too.
   */
  onSubscribed(claims: SessionClaims): void {
    const { cursor } = this.options;
    this.session++;
    this.sessionStartLedger = null;
    const verdict = this.trust.startSession(claims, this.nowSeconds());
    if (!verdict.trusted) {
      this.state = 'untrusted';
      this.held = new Fifo();
      this.options.onInvalid(verdict.reason);
      this.options.onUntrusted(verdict.reason);
      return;
    }
    // Ledgers announced before the answer are judged now that the session has a starting point.
    const early = this.held;
    this.held = new Fifo();
    let announced = -1;
    for (let item = early.shift(); item !== undefined; item = early.shift()) {
      if (item.kind === 'ledger') {
        if (!this.accept(item, true)) continue;
        announced = Math.max(announced, item.index);
      }
      this.held.push(item);
    }
    // Accounts in later subscribe chunks missed whatever closed before their chunk was accepted, so
    // every ledger announced so far is treated as incomplete and read back from history.
    const sessionLedger = Math.max(verdict.anchor ?? -1, cursor.lastClosed ?? -1, announced);
    if (sessionLedger >= 0) this.sessionStartLedger = sessionLedger;
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

  /** Returns true when the message is a new validated ledger that is trusted (it keeps the stream fresh). */
  onLedgerClosed(msg: Record<string, unknown>): boolean {
    const index = msg.ledger_index;
    if (!isLedgerIndex(index)) {
      this.options.onInvalid('ledgerClosed without a valid ledger_index');
      return false;
    }
    const ledger: HeldLedger = { kind: 'ledger', index, closeTime: ledgerTimeToUnix(msg.ledger_time) };
    if (this.state === 'untrusted') return false;
    if (this.state === 'waiting') {
      // Judged once the session has said where it starts.
      this.hold(ledger);
      return false;
    }
    if (!this.accept(ledger, false)) return false;
    if (this.state === 'catching-up') this.hold(ledger);
    else this.advance(index);
    return true;
  }

  onTransaction(msg: Record<string, unknown>): void {
    if (this.state === 'untrusted') return;
    if (this.state !== 'live') {
      this.hold({ kind: 'tx', msg });
      return;
    }
    this.processLive(msg);
  }

  /** Judges an announced ledger; only a new, trusted one has any effect (reported to onLedger). */
  private accept(ledger: HeldLedger, beforeSubscribed: boolean): boolean {
    const judgement = this.trust.judge(ledger, this.nowSeconds(), beforeSubscribed);
    if (judgement.kind === 'invalid') this.options.onInvalid(judgement.reason);
    if (judgement.kind !== 'new') return false;
    this.options.onLedger(ledger.index, ledger.closeTime);
    return true;
  }

  private nowSeconds(): number {
    return (this.options.now ?? Date.now)() / 1000;
  }

  private hold(item: Held): void {
    const spilledTo = this.spilledTo;
    if (spilledTo !== null) {
      // Overflowed: what belongs to a ledger announced since is read from history with it.
      if (item.kind === 'ledger') {
        this.spilledTo = Math.max(spilledTo, item.index);
        return;
      }
      if (isLedgerIndex(item.msg.ledger_index) && item.msg.ledger_index <= spilledTo) return;
    }
    this.held.push(item);
    if (this.held.length > this.maxHeld) this.spill();
  }

  /** Drops every held message; the ledgers they belong to will be read from history instead. */
  private spill(): void {
    const dropped = this.held.length;
    this.held = new Fifo();
    if (this.state === 'waiting') {
      // Before the subscription completes, messages belong to ledgers up to the one the subscribe
      // answer names, which the catch-up reads anyway (or which precede the first run's start).
      this.options.logger.warn('too many messages before the subscription completed; dropped', { dropped });
      return;
    }
    // Every held ledger was trusted and is at most the session's newest; a transaction of a later
    // ledger cannot be valid (rippled announces a ledger before its transactions).
    const newest = this.trust.sessionLedger ?? this.options.cursor.lastClosed ?? 0;
    this.spilledTo = Math.max(this.spilledTo ?? 0, newest);
    this.options.logger.warn(
      'too many live messages held during a backfill; their ledgers are read from history',
      {
        dropped,
        up_to_ledger: this.spilledTo,
      },
    );
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
    // Before the session's first ledgerClosed, the ledger it subscribed on is the newest one closed.
    const closed = cursor.lastClosed ?? this.trust.sessionLedger;
    if (closed !== null && index > closed) {
      // rippled announces a ledger before its transactions, so this one's ledgerClosed is missing or was
      // refused: it is read from history once a later trusted ledger shows the gap.
      this.options.onInvalid(`transaction for ledger ${index}, which has not closed yet`);
      return;
    }
    this.options.process(msg, index, 'live');
  }

  private startBackfill(wanted: LedgerRange): void {
    const { logger } = this.options;
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
        for (let failures = 1; ; failures++) {
          result = await this.options.backfill(range);
          if (result.retry === null || session !== this.session) break;
          // A server failed to answer (timeout, disconnect): the range is not lost, read it again.
          const delay = doublingDelay(failures, this.options.retryDelayMs ?? 1000, MAX_RETRY_DELAY_MS);
          logger.warn('backfill failed, retrying', {
            ledgers: formatRange(range),
            reason: result.retry,
            retry_in_ms: delay,
          });
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
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
      this.finishBackfill(wanted);
    };
    this.idle = run().catch((err) => {
      // A bug, not a server problem: retrying would fail again. Say loudly what is not covered, go on.
      logger.error('backfill failed', { err });
      if (session !== this.session) return;
      this.options.onGap(wanted, `backfill failed: ${err instanceof Error ? err.message : String(err)}`);
      this.finishBackfill(wanted);
    });
  }

  /** `wanted` is covered: go live, or first read the ledgers whose held messages were dropped. */
  private finishBackfill(wanted: LedgerRange): void {
    const { cursor } = this.options;
    cursor.complete(wanted.to);
    this.checkpointed();
    this.options.onBackfillDone?.();
    const spilledTo = this.spilledTo;
    this.spilledTo = null;
    if (spilledTo === null) {
      this.goLive();
      return;
    }
    // Their ledgerClosed messages were dropped too: the stream continues after the spilled ledgers.
    cursor.passed(spilledTo);
    if (spilledTo > wanted.to) this.startBackfill({ from: wanted.to + 1, to: spilledTo });
    else this.goLive();
  }

  /** Reports the checkpoint when it moved. */
  private checkpointed(): void {
    const checkpoint = this.options.cursor.checkpoint;
    if (checkpoint === null || checkpoint === this.reportedCheckpoint) return;
    if (this.lostState) this.reportLostState(this.lostState.checkpoint, checkpoint);
    this.reportedCheckpoint = checkpoint;
    this.options.onCheckpoint(checkpoint);
  }

  /** Counting restarted after `restart` without the earlier run's state: what it had not counted is lost. */
  private reportLostState(previous: number | null, restart: number): void {
    this.lostState = null;
    if (previous !== null && previous >= restart) {
      // Nothing in between (the server is behind where the last run stood): no ledger is missing.
      this.options.logger.warn('the saved state was lost; counting restarts from 0', {
        previous_checkpoint: previous,
        restart_after: restart,
      });
      return;
    }
    this.options.onGap(
      { from: previous === null ? null : previous + 1, to: restart },
      `the saved state was lost (${previous === null ? 'its checkpoint is unknown' : `it had counted up to ledger ${previous}`}); counting restarts from 0 after ledger ${restart}`,
    );
  }

  /** Replays what was held back, in arrival order; a replayed gap may start another backfill. */
  private goLive(): void {
    this.state = 'live';
    while (this.held.length > 0 && this.state === 'live') {
      const item = this.held.shift()!;
      if (item.kind === 'ledger') this.advance(item.index);
      else this.processLive(item.msg);
    }
  }
}

function isLedgerIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
