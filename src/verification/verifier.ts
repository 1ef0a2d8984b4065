import type { HistoryTransaction, Requester } from '../backfill/index.js';
import type { Logger } from '../log.js';
import type { VerificationMetrics } from '../metrics/verification.js';
import { entryTouches, transactionIndex, WatchIndex } from './links.js';
import { type RepairServer, repairBreak } from './repair.js';
import { readAccountState } from './state-reader.js';
import { type Break, ThreadBook } from './thread-book.js';

export interface VerifierOptions {
  /** The state file's `verification` part, if any. */
  readonly restored: unknown;
  /** 0: no periodic check (breaks on the live path are still found and repaired). */
  readonly intervalMs: number;
  readonly apiVersion: 1 | 2;
  /** The live session's server (account_info / account_objects). */
  readonly live: Requester;
  /** Every configured server a repair may read from, in failover order (refused ones left out). */
  readonly repairServers: () => readonly RepairServer[];
  /** The one transaction path, restricted to one account (source `repair`). */
  readonly process: (tx: HistoryTransaction, account: string) => void;
  /** The last complete ledger, or null before the first one. */
  readonly checkpoint: () => number | null;
  /**
   * The last ledger an account's history import covers: undefined without an import, null while the
   * import's watch start is not fixed (its thread waits for it).
   */
  readonly importEnd: (account: string) => number | null | undefined;
  readonly metrics: VerificationMetrics;
  readonly logger: Logger;
  /** Something to persist changed. */
  readonly onChange: () => void;
  /** Checks in flight at once. @default 4 */
  readonly concurrency?: number;
}

/** What the status page shows per account. */
export interface AccountVerificationStatus {
  readonly verifiedLedger: number;
  /** Unrepaired holes, as ledger ranges "from-to". */
  readonly unverifiedRanges: readonly string[];
}

function rangeText(brk: Break): string {
  const from = brk.after + 1;
  return from >= brk.through ? `${brk.through}` : `${from}-${brk.through}`;
}

/**
 * Proves every watched account's transaction thread complete and repairs it when it is not: follows
 * each processed transaction's links (no request), checks each account with account_info /
 * account_objects every interval and after every backfill, and fetches what a break misses from every
 * configured server onto the one transaction path.
 */
export class Verifier {
  private readonly book: ThreadBook;
  private watch = new WatchIndex([]);
  private timer: NodeJS.Timeout | null = null;
  /** Ledgers pending checks read at: versions they may ask about are kept. */
  private readonly pendingLedgers: number[] = [];
  /** Repairs and checks of one account never overlap; different accounts run side by side, bounded. */
  private readonly busy = new Map<string, Promise<void>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private round: Promise<void> | null = null;
  private roundAgain = false;
  private stopped = false;

  constructor(private readonly options: VerifierOptions) {
    this.book = ThreadBook.restore(options.restored);
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => this.checkAll(this.options.intervalMs), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * The accounts to prove (call at start-up, on every subscription and reload). An account not among
   * them is forgotten: while it is not watched it has no thread to prove, so when it is watched again
   * its proof starts afresh. A new one's proof starts at `checkpoint` (everything after it reaches it
   * through the stream or a backfill), or where its history import ends; a known one keeps its start.
   */
  setAccounts(accounts: readonly string[], checkpoint: number | null): void {
    this.watch = new WatchIndex(accounts);
    this.book.retain(this.watch.accounts);
    for (const account of accounts) {
      const start = this.watchStart(account, checkpoint);
      if (start !== null) this.book.watch(account, start);
      this.publish(account);
    }
  }

  private watchStart(account: string, checkpoint: number | null): number | null {
    const importEnd = this.options.importEnd(account);
    if (checkpoint === null || importEnd === null) return null;
    // The import counts every ledger up to its end; the stream and backfill only those after it.
    return Math.max(checkpoint, importEnd ?? checkpoint);
  }

  snapshot(): unknown {
    return this.book.snapshot();
  }

  status(account: string): AccountVerificationStatus | null {
    const status = this.book.status(account);
    if (!status) return null;
    return { verifiedLedger: status.verifiedLedger, unverifiedRanges: status.breaks.map(rangeText) };
  }

  /**
   * One validated transaction on the one path (live, backfill or repair). `account`: the one account a
   * repair processed it for. Costs no request: the metadata carries every link.
   */
  observe(hash: string, ledger: number, meta: Record<string, unknown>, account?: string): void {
    const at = { hash: hash.toUpperCase(), ledger, index: transactionIndex(meta) };
    for (const touch of entryTouches(meta, this.watch)) {
      if (account !== undefined && touch.account !== account) continue;
      const brk = this.book.observe(touch, at);
      if (brk) this.found(brk);
    }
  }

  /** The checkpoint moved: versions no check can ask about are dropped. */
  onCheckpoint(checkpoint: number): void {
    this.book.prune(Math.min(checkpoint, ...this.pendingLedgers));
  }

  /** After a backfill every account is checked at once (bounded concurrency). */
  afterBackfill(): void {
    this.checkAll(0);
  }

  /** Resolves when no check or repair is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.round || this.busy.size > 0) {
      await Promise.all([this.round, ...this.busy.values()]);
    }
  }

  /** Checks every account, spread evenly over `spreadMs`. A round asked for while one runs follows it. */
  checkAll(spreadMs: number): void {
    if (this.stopped) return;
    if (this.round) {
      this.roundAgain = true;
      return;
    }
    const accounts = [...this.watch.accounts];
    const started = Date.now();
    this.round = (async () => {
      const checks: Promise<void>[] = [];
      for (const [i, account] of accounts.entries()) {
        const due = started + (spreadMs * i) / Math.max(1, accounts.length);
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait).unref());
        if (this.stopped) break;
        checks.push(this.exclusive(account, () => this.check(account)));
      }
      await Promise.all(checks);
    })().finally(() => {
      this.round = null;
      if (this.roundAgain) {
        this.roundAgain = false;
        this.checkAll(0);
      }
    });
  }

  private found(brk: Break): void {
    const { logger, metrics } = this.options;
    metrics.incBreaks(brk.account);
    logger.warn('break in an account’s transaction thread', {
      account: brk.account,
      ledgers: rangeText(brk),
      entry: brk.entry,
      type: brk.type,
      reason: brk.reason,
    });
    this.publish(brk.account);
    void this.exclusive(brk.account, () => this.repairOpen(brk.account));
  }

  /**
   * Compares the server's state at the checkpoint with the exporter's, repairs what differs, and
   * re-checks; a clean answer with no open break proves the thread up to that ledger.
   */
  private async check(account: string): Promise<void> {
    const ledger = this.options.checkpoint();
    const status = this.book.status(account);
    if (ledger === null || !status || ledger <= status.watchStart) return;
    this.pendingLedgers.push(ledger);
    try {
      await this.repairOpen(account);
      for (let attempt = 0; attempt < 2; attempt++) {
        const state = await readAccountState(this.options.live, account, ledger);
        const open = new Set(this.book.status(account)?.breaks);
        const breaks = this.book.compare(account, ledger, state.entries, state.complete);
        // compare() hands back an open break it finds again: only the others are news.
        const fresh = breaks.filter((b) => !open.has(b));
        for (const brk of fresh) {
          this.options.metrics.incBreaks(account);
          this.options.logger.warn('account state differs from the processed transactions', {
            account,
            ledger,
            ledgers: rangeText(brk),
            reason: brk.reason,
          });
        }
        if (breaks.length === 0) break;
        // Repaired: read the state again (the second answer must now agree).
        if (!(await this.repairOpen(account))) break;
      }
      if (this.book.verified(account, ledger)) this.options.onChange();
    } catch (err) {
      this.options.logger.debug('verification check failed, next round retries', { account, err });
    } finally {
      this.pendingLedgers.splice(this.pendingLedgers.indexOf(ledger), 1);
      this.publish(account);
    }
  }

  /** Tries to repair every open break of the account; true when all were repaired. */
  private async repairOpen(account: string): Promise<boolean> {
    const breaks = [...(this.book.status(account)?.breaks ?? [])];
    let allRepaired = true;
    for (const brk of breaks) {
      const repaired = await repairBreak(brk, {
        servers: this.options.repairServers(),
        watch: this.watch,
        apiVersion: this.options.apiVersion,
        process: (tx, forAccount) => this.processRepaired(tx, forAccount),
        joinsThread: (forAccount, hash) => this.book.joinsThread(forAccount, hash.toUpperCase()),
      }).catch(() => false);
      if (repaired) {
        this.book.close(brk);
        this.options.logger.info('break repaired', { account, ledgers: rangeText(brk) });
      } else {
        allRepaired = false;
        this.options.logger.error('break not repaired: payments in these ledgers may be missing', {
          account,
          ledgers: rangeText(brk),
          entry: brk.entry,
          reason: brk.reason,
        });
      }
    }
    if (breaks.length > 0) {
      this.publish(account);
      this.options.onChange();
    }
    return allRepaired && breaks.length > 0;
  }

  private processRepaired(tx: HistoryTransaction, account: string): void {
    const hash = tx.hash.toUpperCase();
    // Processed before (by a repair, also before a restart, or filed in the thread): never count twice.
    if (this.book.wasRepaired(account, hash) || this.book.knows(account, hash)) return;
    this.book.recordRepaired(account, hash, tx.ledgerIndex);
    this.options.process(tx, account);
    this.options.metrics.incRepaired();
    this.options.logger.info('missing transaction processed', { account, hash, ledger: tx.ledgerIndex });
  }

  private publish(account: string): void {
    const status = this.book.status(account);
    if (!status) return;
    this.options.metrics.setAccountState(account, {
      unverified: status.breaks.length > 0,
      verifiedLedger: status.verifiedLedger,
    });
  }

  /** Runs `work` after any other work on the same account, within the concurrency bound. */
  private exclusive(account: string, work: () => Promise<unknown>): Promise<void> {
    const previous = this.busy.get(account) ?? Promise.resolve();
    const run = previous.then(async () => {
      await this.slot();
      try {
        await work();
      } finally {
        this.running--;
        this.waiting.shift()?.();
      }
    });
    const tracked = run.catch(() => undefined);
    this.busy.set(account, tracked);
    void tracked.then(() => {
      if (this.busy.get(account) === tracked) this.busy.delete(account);
    });
    return tracked;
  }

  private async slot(): Promise<void> {
    while (this.running >= (this.options.concurrency ?? 4)) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
  }
}
