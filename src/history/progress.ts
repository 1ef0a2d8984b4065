import { z } from 'zod';
import { type HistoryPoint, historyPointText } from './since.js';

/**
 * One account's history import, as persisted in the state file.
 *
 * The ledgers split at `to`, the ledger the exporter began watching the account at: history counts
 * `from`..`to` (source `history`, no alerts), the live stream and backfill count only after `to`. The
 * two never overlap and leave nothing between them, whatever order they run in, so the join is exact.
 */
export interface ImportRecord {
  /** `since` as configured: a ledger index or a date-time text. */
  readonly since: string;
  /** The first ledger to import (`since` resolved); null until resolved. */
  readonly from: number | null;
  /** The watch start: the last ledger the import covers; null until the live session fixes it. */
  readonly to: number | null;
  /** The first ledger not imported yet; null until `from` is known. */
  readonly next: number | null;
  readonly done: boolean;
}

const recordSchema = z.object({
  since: z.string(),
  from: z.number().int().positive().nullable(),
  to: z.number().int().nonnegative().nullable(),
  next: z.number().int().positive().nullable(),
  done: z.boolean(),
});

const bookSchema = z.object({
  version: z.literal(1),
  accounts: z.record(z.string(), recordSchema),
});

export type ImportBookSnapshot = z.infer<typeof bookSchema>;

/**
 * Every account's history import: which accounts have one, where each stands, and which ledgers of an
 * account the live stream must leave to it. Pure bookkeeping; the runner (imports.ts) does the I/O.
 */
export class ImportBook {
  private readonly records = new Map<string, ImportRecord>();

  /** Restores the state file's part; anything unreadable is ignored (null: an old state file). */
  static restore(snapshot: unknown): ImportBook {
    const book = new ImportBook();
    const parsed = bookSchema.safeParse(snapshot);
    if (parsed.success)
      for (const [account, r] of Object.entries(parsed.data.accounts)) book.records.set(account, r);
    return book;
  }

  snapshot(): ImportBookSnapshot {
    const accounts: Record<string, ImportRecord> = {};
    for (const [account, record] of this.records) {
      Object.defineProperty(accounts, account, { value: record, enumerable: true });
    }
    return { version: 1, accounts };
  }

  has(account: string): boolean {
    return this.records.has(account);
  }

  get(account: string): ImportRecord | undefined {
    return this.records.get(account);
  }

  /** Accounts whose import is not finished, in the order they were begun. */
  unfinished(): string[] {
    return [...this.records].filter(([, r]) => !r.done).map(([account]) => account);
  }

  /**
   * Begins an import for every account with `since` that the exporter holds no state for (`hasState`:
   * totals or being watched already) and that has no import yet. Call before the accounts are watched,
   * so the stream leaves their history to the import from the first message. Returns those accounts.
   */
  beginNew(
    accounts: readonly { readonly address: string; readonly since: HistoryPoint | null }[],
    hasState: (account: string) => boolean,
  ): string[] {
    const begun: string[] = [];
    for (const { address, since } of accounts) {
      if (since === null || this.records.has(address) || hasState(address)) continue;
      const from = since.kind === 'ledger' ? since.index : null;
      this.records.set(address, { since: historyPointText(since), from, to: null, next: from, done: false });
      begun.push(address);
    }
    return begun;
  }

  /** Fixes the watch start of every account still waiting for one; returns those accounts. */
  fixWatchStart(ledger: number): string[] {
    const fixed: string[] = [];
    for (const [account, record] of this.records) {
      if (record.to !== null) continue;
      this.records.set(account, settle({ ...record, to: ledger }));
      fixed.push(account);
    }
    return fixed;
  }

  /** `since` resolved to its first ledger. */
  resolved(account: string, from: number): void {
    const record = this.records.get(account);
    if (!record || record.from !== null) return;
    this.records.set(account, settle({ ...record, from, next: from }));
  }

  /** Every ledger up to `through` is imported (and counted). */
  advance(account: string, through: number): void {
    const record = this.records.get(account);
    if (!record || record.next === null || through < record.next) return;
    this.records.set(account, settle({ ...record, next: through + 1 }));
  }

  /**
   * True when a live or backfilled transaction of `account` in `ledger` belongs to the import instead:
   * at or before the watch start, or any ledger while the watch start is not fixed yet.
   */
  coveredByHistory(account: string, ledger: number): boolean {
    const record = this.records.get(account);
    return record !== undefined && (record.to === null || ledger <= record.to);
  }

  /** Ledgers still to import, or null while unknown (watch start or `since` not resolved yet). */
  remaining(account: string): number | null {
    const record = this.records.get(account);
    if (!record) return null;
    if (record.done) return 0;
    if (record.to === null || record.next === null) return null;
    return Math.max(0, record.to - record.next + 1);
  }

  /** Whole percent imported, or null while unknown. */
  percent(account: string): number | null {
    const record = this.records.get(account);
    if (!record) return null;
    if (record.done) return 100;
    if (record.to === null || record.from === null || record.next === null) return null;
    const total = record.to - record.from + 1;
    return total <= 0 ? 100 : Math.floor(((record.next - record.from) * 100) / total);
  }
}

/** Done once both ends are known and nothing is left (also when `since` is after the watch start). */
function settle(record: ImportRecord): ImportRecord {
  const done = record.to !== null && record.next !== null && record.next > record.to;
  return done === record.done ? record : { ...record, done };
}
