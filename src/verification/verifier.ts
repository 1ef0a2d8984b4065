import type { HistoryTransaction, Requester } from '../backfill/index.js';
import type { Logger } from '../log.js';
import type { VerificationMetrics } from '../metrics/verification.js';
import type { TransactionSource } from '../pipeline/processor.js';
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
  /** An account's history import, if it has one (history/progress.ts ImportRecord). */
  readonly historyImport: (account: string) => HistoryImportRange | undefined;
  readonly metrics: VerificationMetrics;
  readonly logger: Logger;
  /** Something to persist changed. */
  readonly onChange: () => void;
  /** Checks in flight at once. @default 4 */
  readonly concurrency?: number;
}

export interface HistoryImportRange {
  /** The first ledger imported; null until `since` is resolved. */
  readonly from: number | null;
  /** The last ledger imported (the stream counts the ledgers after it); null until fixed. */
  readonly to: number | null;
  readonly done: boolean;
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
  /** Watched accounts whose proof has not started: no checkpoint yet, or their import's end not fixed. */
  private readonly notStarted = new Set<string>();
  /** Accounts whose history import feeds their thread: joined to the stream's part once it is done. */
  private readonly importing = new Set<string>();
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
   * its proof starts afresh. A known one keeps its start; a new one's starts at `checkpoint` (everything
   * after it reaches it through the stream or a backfill), or with a history import that the stream
   * joins, before `since`: the import feeds the thread.
   */
  setAccounts(accounts: readonly string[], checkpoint: number | null): void {
    this.watch = new WatchIndex(accounts);
    this.book.retain(this.watch.accounts);
    this.notStarted.clear();
    this.importing.clear();
    for (const account of accounts) {
      if (this.book.isWatched(account)) {
        if (this.book.isImporting(account)) this.importing.add(account);
      } else {
        this.startProof(account, checkpoint, false);
      }
      this.publish(account);
    }
  }

  /**
   * Starts an account's proof, or leaves it waiting. `waited`: it has waited since it was configured, so
   * the stream leaves its import's range to the import from the start (history/progress.ts).
   */
  private startProof(account: string, checkpoint: number | null, waited: boolean): void {
    const record = this.options.historyImport(account);
    if (checkpoint === null || record?.to === null) {
      this.notStarted.add(account);
      return;
    }
    this.notStarted.delete(account);
    if (record === undefined) {
      this.book.watch(account, checkpoint);
    } else if (!record.done && (waited || record.to >= checkpoint)) {
      // The stream's part starts after the import's end; the import's part before `since` (importFrom).
      this.book.watch(account, record.to, record.to);
      this.importing.add(account);
    } else {
      // Imported already, or re-added after a pause: the ledgers in between were not watched.
      this.book.watch(account, Math.max(checkpoint, record.to));
    }
    this.publish(account);
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
   * One validated transaction on the one path (live, backfill, history or repair). `account`: the one
   * account an import or a repair processed it for. Costs no request: the metadata carries every link.
   */
  observe(
    hash: string,
    ledger: number,
    meta: Record<string, unknown>,
    source: TransactionSource,
    account?: string,
  ): void {
    const at = { hash: hash.toUpperCase(), ledger, index: transactionIndex(meta) };
    const from = source === 'history' ? 'import' : source === 'repair' ? 'repair' : 'path';
    for (const touch of entryTouches(meta, this.watch)) {
      if (account !== undefined && touch.account !== account) continue;
      if (this.notStarted.has(touch.account)) this.startProof(touch.account, this.options.checkpoint(), true);
      if (from === 'import') this.importFrom(touch.account);
      const brk = this.book.observe(touch, at, from);
      if (brk) this.found(brk);
    }
  }

  /**
   * The checkpoint moved: waiting proofs start if they can, finished imports join the stream's part of
   * the thread, and versions no check can ask about are dropped.
   */
  onCheckpoint(checkpoint: number): void {
    for (const account of this.notStarted) this.startProof(account, checkpoint, true);
    for (const account of this.importing) {
      if (!this.options.historyImport(account)?.done) continue;
      this.importing.delete(account);
      this.importFrom(account);
      for (const brk of this.book.finishImport(account)) this.found(brk);
      this.publish(account);
    }
    this.book.prune(Math.min(checkpoint, ...this.pendingLedgers));
  }

  /** The import's range is known: the account's thread starts before it. */
  private importFrom(account: string): void {
    const from = this.options.historyImport(account)?.from;
    if (from !== null && from !== undefined) this.book.importFrom(account, from - 1);
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
