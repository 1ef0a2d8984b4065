import type { EntryTouch, EntryType, ThreadLink, TxPosition } from './links.js';

/** One state of an entry: the transaction that left it so, and what the exporter derived from it. */
export interface Version {
  readonly tx: string;
  readonly ledger: number;
  readonly index: number;
  readonly deleted: boolean;
  /** AccountRoot Balance in drops after `tx`; null when no node or answer showed it. */
  readonly xrpDrops: bigint | null;
}

/**
 * A hole in an entry's thread: ledgers `after`+1 ..`through` hold at least one transaction that modified
 * the entry and that the exporter did not process.
 */
export interface Break {
  readonly account: string;
  readonly entry: string;
  readonly type: EntryType;
  /** The last ledger up to which this entry's thread is known complete. */
  readonly after: number;
  /** The last ledger of the hole (the missing transaction's ledger when it is known). */
  readonly through: number;
  /** The newest missing transaction, when a link names it (a repair walks back from it by hash). */
  readonly missing: ThreadLink | null;
  /** The processed transaction the walk must reach; null when the entry was unseen since the watch began. */
  readonly known: string | null;
  /** The processed transaction that revealed the hole (not part of it). */
  readonly seenAt: TxPosition | null;
  readonly reason: string;
}

/** An entry as an account_info / account_objects answer shows it at one validated ledger. */
export interface ObservedEntry {
  readonly entry: string;
  readonly type: EntryType;
  readonly previous: ThreadLink | null;
  readonly xrpDrops: bigint | null;
}

interface AccountBook {
  /** The last ledger before the exporter began counting this account: its thread is proved from here. */
  watchStart: number;
  verifiedLedger: number;
  breaks: Break[];
  readonly entries: Map<string, { readonly type: EntryType; versions: Version[] }>;
  /**
   * Transactions a repair processed (hash -> ledger) while the account has an open break: counted once
   * already, and not proof that the thread below them is complete. Persisted, so a repair that goes on
   * after a restart neither counts them again nor stops at them.
   */
  readonly repaired: Map<string, number>;
  /**
   * While the account's history import runs: the last ledger it covers. Its transactions arrive in
   * ledger order but later than the stream's, so they form their own segment of each entry's thread.
   */
  importThrough: number | null;
  /** Per entry, the stream's first link into the import's range: judged once the import is done. */
  readonly joins: Map<string, Join>;
}

/** A link from the stream's first transaction on an entry, waiting for the import to reach it. */
interface Join {
  readonly type: EntryType;
  readonly previous: ThreadLink;
  readonly at: TxPosition;
}

/** Where a processed transaction comes from, for the thread: the stream or a backfill, an import, a repair. */
export type Observation = 'path' | 'import' | 'repair';

export interface AccountVerification {
  readonly watchStart: number;
  readonly verifiedLedger: number;
  readonly breaks: readonly Break[];
}

/** The state file form (JSON: drops as strings, entries as tuples to keep big accounts small). */
export interface ThreadBookSnapshot {
  readonly [account: string]: {
    readonly watchStart: number;
    readonly verifiedLedger: number;
    readonly breaks: ReadonlyArray<Omit<Break, 'account'>>;
    /** [entry, type, tx, ledger, index, deleted, xrpDrops | null] of the newest version. */
    readonly entries: ReadonlyArray<
      readonly [string, EntryType, string, number, number, boolean, string | null]
    >;
    /** [hash, ledger] of the transactions repairs processed while a break is open. */
    readonly repaired: ReadonlyArray<readonly [string, number]>;
    readonly importThrough: number | null;
    /** [entry, type, previous tx, previous ledger, at hash, at ledger, at index] */
    readonly joins: ReadonlyArray<readonly [string, EntryType, string, number, string, number, number]>;
  };
}

function before(a: { ledger: number; index: number }, b: { ledger: number; index: number }): boolean {
  return a.ledger < b.ledger || (a.ledger === b.ledger && a.index < b.index);
}

/**
 * PURE thread bookkeeping: per watched account and per ledger entry (keyed by LedgerIndex), the
 * transactions processed that modified it, newest last; and the breaks found in those threads. Every
 * call is idempotent: the same transaction observed twice changes nothing.
 */
export class ThreadBook {
  private readonly accounts = new Map<string, AccountBook>();

  /**
   * Starts the proof for an account at `ledger` (the last ledger not counted); a known account keeps its
   * start. `importThrough`: a history import runs from `ledger` + 1 up to this ledger and feeds the thread.
   */
  watch(account: string, ledger: number, importThrough: number | null = null): void {
    if (this.accounts.has(account)) return;
    this.accounts.set(account, {
      watchStart: ledger,
      verifiedLedger: ledger,
      breaks: [],
      entries: new Map(),
      repaired: new Map(),
      importThrough,
      joins: new Map(),
    });
  }

  /**
   * The import's first ledger is known (`since` resolved): its thread starts before it. Only while no
   * import transaction was filed yet (until then the import's range is left out).
   */
  importFrom(account: string, after: number): void {
    const book = this.accounts.get(account);
    if (!book || book.importThrough === null || after >= book.watchStart) return;
    book.watchStart = after;
    book.verifiedLedger = Math.min(book.verifiedLedger, after);
  }

  /** True while the account's history import still feeds its thread. */
  isImporting(account: string): boolean {
    return (this.accounts.get(account)?.importThrough ?? null) !== null;
  }

  /**
   * The import is done: the stream's first link on each entry must join the newest transaction the
   * import processed for it (or, for an entry the import never saw, one before the import's start).
   * Returns the breaks found.
   */
  finishImport(account: string): Break[] {
    const book = this.accounts.get(account);
    if (!book || book.importThrough === null) return [];
    const through = book.importThrough;
    book.importThrough = null;
    const found: Break[] = [];
    for (const [entry, join] of book.joins) {
      const versions = book.entries.get(entry)?.versions ?? [];
      const touch = {
        account,
        entry,
        type: join.type,
        kind: 'modified',
        previous: join.previous,
        xrpDropsAfter: null,
      } as const;
      const brk = this.linkBreak(book, touch, asOf(versions, through), join.at);
      if (brk) found.push(brk);
    }
    book.joins.clear();
    return found;
  }

  /** Forgets every account not among these. */
  retain(accounts: ReadonlySet<string>): void {
    for (const account of this.accounts.keys()) if (!accounts.has(account)) this.accounts.delete(account);
  }

  isWatched(account: string): boolean {
    return this.accounts.has(account);
  }

  status(account: string): AccountVerification | undefined {
    const book = this.accounts.get(account);
    return book && { watchStart: book.watchStart, verifiedLedger: book.verifiedLedger, breaks: book.breaks };
  }

  /**
   * One processed transaction's touch of an entry. Returns the break it reveals, if any. A transaction
   * older than the newest one seen for the entry (a repair) is filed in order and never a break, except
   * an import's: the import goes through its range in order, so each of its transactions must link to
   * the one before it. While an import runs, the stream's first link on an entry into the import's range
   * waits for the import to be done (finishImport).
   */
  observe(touch: EntryTouch, at: TxPosition, from: Observation = 'path'): Break | null {
    const book = this.accounts.get(touch.account);
    if (!book || at.ledger <= book.watchStart) return null;
    // A running import delivers its range itself, in order: the stream's copies are left to it.
    if (from === 'path' && book.importThrough !== null && at.ledger <= book.importThrough) return null;
    let entry = book.entries.get(touch.entry);
    if (!entry) {
      entry = { type: touch.type, versions: [] };
      book.entries.set(touch.entry, entry);
    }
    const { versions } = entry;
    if (versions.some((v) => v.tx === at.hash)) return null;
    let position = versions.length;
    while (position > 0 && before(at, versions[position - 1]!)) position--;
    const previousVersion = versions[position - 1];
    versions.splice(position, 0, {
      tx: at.hash,
      ledger: at.ledger,
      index: at.index,
      deleted: touch.kind === 'deleted',
      // A node that does not show the Balance left it unchanged (threading only).
      xrpDrops:
        touch.xrpDropsAfter ?? (touch.kind === 'modified' ? (previousVersion?.xrpDrops ?? null) : null),
    });
    if (from === 'import') return this.linkBreak(book, touch, previousVersion, at);
    if (position < versions.length - 1 || this.waitsForImport(book, touch, previousVersion, at)) return null;
    return this.linkBreak(book, touch, previousVersion, at);
  }

  /** The stream's first transaction on an entry while the import runs: its link is judged at the end. */
  private waitsForImport(book: AccountBook, touch: EntryTouch, last: Version | undefined, at: TxPosition) {
    const through = book.importThrough;
    if (through === null || at.ledger <= through || (last && last.ledger > through)) return false;
    if (touch.kind === 'created' || touch.previous === null) return false;
    if (!book.joins.has(touch.entry)) {
      book.joins.set(touch.entry, { type: touch.type, previous: touch.previous, at });
    }
    return true;
  }

  private linkBreak(
    book: AccountBook,
    touch: EntryTouch,
    last: Version | undefined,
    at: TxPosition,
  ): Break | null {
    const base = { account: touch.account, entry: touch.entry, type: touch.type, seenAt: at };
    // A created entry has no link. One the exporter never saw deleted hides a missed deletion, but a
    // deletion is never a receipt for the deleted entry (it must be empty), so that is no break.
    if (touch.kind === 'created') return null;
    const previous = touch.previous;
    // A node without the fields (none in the fixtures for these types) cannot be checked.
    if (previous === null) return null;
    if (last) {
      if (previous.tx === last.tx) return null;
      return this.opened(book, {
        ...base,
        after: last.ledger,
        through: Math.max(previous.ledger, last.ledger),
        missing: previous,
        known: last.tx,
        reason: `${at.hash} follows ${previous.tx}, the exporter last processed ${last.tx}`,
      });
    }
    if (previous.ledger <= book.watchStart) return null;
    return this.opened(book, {
      ...base,
      after: book.watchStart,
      through: previous.ledger,
      missing: previous,
      known: null,
      reason: `${at.hash} follows ${previous.tx} of ledger ${previous.ledger}, after the watch began`,
    });
  }

  /**
   * Compares what a server holds at validated ledger `ledger` with what the exporter derived for that
   * ledger. `complete` says the answer listed every entry of these types (so a missing one was deleted).
   */
  compare(account: string, ledger: number, observed: readonly ObservedEntry[], complete: boolean): Break[] {
    const book = this.accounts.get(account);
    // While an import runs, the thread is not complete up to any ledger after its start yet.
    if (!book || ledger <= book.watchStart || book.importThrough !== null) return [];
    const found: Break[] = [];
    const seen = new Set<string>();
    for (const o of observed) {
      seen.add(o.entry);
      const brk = this.compareOne(book, account, ledger, o);
      if (brk) found.push(brk);
    }
    if (complete) {
      for (const [id, entry] of book.entries) {
        const version = asOf(entry.versions, ledger);
        if (seen.has(id) || !version || version.deleted) continue;
        found.push(
          this.opened(book, {
            account,
            entry: id,
            type: entry.type,
            after: version.ledger,
            through: ledger,
            missing: null,
            known: version.tx,
            seenAt: null,
            reason: `the server no longer holds this ${entry.type} at ledger ${ledger}`,
          }),
        );
      }
    }
    return found;
  }

  private compareOne(book: AccountBook, account: string, ledger: number, o: ObservedEntry): Break | null {
    const entry = book.entries.get(o.entry);
    const version = entry ? asOf(entry.versions, ledger) : undefined;
    const base = { account, entry: o.entry, type: o.type, seenAt: null };
    const previous = o.previous;
    if (previous === null) return null;
    // Only versions after this ledger are known (restored from the state file): nothing to judge at it.
    if (!version && entry && entry.versions.length > 0) return null;
    if (!version || version.deleted) {
      if (!version && previous.ledger <= book.watchStart) {
        // Untouched since before the watch began: the baseline the live thread continues from.
        this.file(book, o, {
          tx: previous.tx,
          ledger: previous.ledger,
          index: -1,
          deleted: false,
          xrpDrops: o.xrpDrops,
        });
        return null;
      }
      return this.opened(book, {
        ...base,
        after: version?.ledger ?? book.watchStart,
        through: Math.min(previous.ledger, ledger),
        missing: previous,
        known: null,
        reason: `the server holds it at ledger ${ledger}, last modified by ${previous.tx} of ledger ${previous.ledger}`,
      });
    }
    if (previous.tx !== version.tx) {
      return this.opened(book, {
        ...base,
        after: version.ledger,
        through: Math.min(Math.max(previous.ledger, version.ledger), ledger),
        missing: previous,
        known: version.tx,
        reason: `at ledger ${ledger} the server says ${previous.tx} modified it last, the exporter processed ${version.tx}`,
      });
    }
    if (o.xrpDrops !== null && version.xrpDrops !== null && o.xrpDrops !== version.xrpDrops) {
      return this.opened(book, {
        ...base,
        after: version.ledger,
        through: ledger,
        missing: null,
        known: version.tx,
        reason: `at ledger ${ledger} the Balance is ${o.xrpDrops} drops, the exporter derived ${version.xrpDrops}`,
      });
    }
    return null;
  }

  private file(book: AccountBook, o: ObservedEntry, version: Version): void {
    const entry = book.entries.get(o.entry) ?? { type: o.type, versions: [] };
    book.entries.set(o.entry, entry);
    entry.versions.unshift(version);
  }

  private opened(book: AccountBook, brk: Break): Break {
    // One open break per hole: a later check finding it again is not a new break.
    const duplicate = book.breaks.find((b) => b.entry === brk.entry && b.after === brk.after);
    if (duplicate) return duplicate;
    book.breaks.push(brk);
    book.verifiedLedger = Math.min(book.verifiedLedger, brk.after);
    return brk;
  }

  /** True when a version of any of the account's entries is this transaction (it was processed). */
  knows(account: string, hash: string): boolean {
    const book = this.accounts.get(account);
    if (!book) return false;
    for (const entry of book.entries.values()) if (entry.versions.some((v) => v.tx === hash)) return true;
    return false;
  }

  /** A repair processed this transaction for the account (call before processing it). */
  recordRepaired(account: string, hash: string, ledger: number): void {
    this.accounts.get(account)?.repaired.set(hash, ledger);
  }

  /** True when a repair processed this transaction while a break of the account was open. */
  wasRepaired(account: string, hash: string): boolean {
    return this.accounts.get(account)?.repaired.has(hash) ?? false;
  }

  /**
   * True when the transaction is on the account's thread as the normal path (stream, backfill) or a
   * finished repair built it: a repair walking back may stop there. A transaction an unfinished repair
   * processed is not: the hole below it may still be open.
   */
  joinsThread(account: string, hash: string): boolean {
    return this.knows(account, hash) && !this.wasRepaired(account, hash);
  }

  /** A repaired break is closed; with none left open, what the repairs processed is proved thread. */
  close(brk: Break): void {
    const book = this.accounts.get(brk.account);
    if (!book) return;
    book.breaks = book.breaks.filter((b) => b !== brk);
    if (book.breaks.length === 0) book.repaired.clear();
  }

  /** A check at `ledger` found nothing: with no open break, the thread is proved complete up to it. */
  verified(account: string, ledger: number): boolean {
    const book = this.accounts.get(account);
    if (!book || book.breaks.length > 0 || book.importThrough !== null) return false;
    book.verifiedLedger = Math.max(book.verifiedLedger, ledger);
    return true;
  }

  /** The exporter's view of one entry at `ledger` (newest version at or below it). */
  versionAt(account: string, entry: string, ledger: number): Version | undefined {
    const versions = this.accounts.get(account)?.entries.get(entry)?.versions;
    return versions && asOf(versions, ledger);
  }

  /**
   * Forgets versions no check can ask about any more: per entry, everything older than the newest version
   * at or below `floor` (the lowest ledger a pending check reads), except what a repair of an open break
   * may meet.
   */
  prune(floor: number): void {
    for (const book of this.accounts.values()) {
      // A running import goes on from its newest version of each entry.
      const keep = Math.min(floor, book.importThrough ?? floor);
      for (const entry of book.entries.values()) {
        let keepFrom = 0;
        entry.versions.forEach((v, i) => {
          if (v.ledger <= keep) keepFrom = i;
        });
        // A deleted entry keeps its last version: whatever comes next links to the deletion.
        if (keepFrom > 0) {
          entry.versions = entry.versions.filter((v, i) => i >= keepFrom || repairMayMeet(book.breaks, v));
        }
      }
    }
  }

  snapshot(): ThreadBookSnapshot {
    const out: Record<string, ThreadBookSnapshot[string]> = {};
    for (const [account, book] of this.accounts) {
      out[account] = {
        watchStart: book.watchStart,
        verifiedLedger: book.verifiedLedger,
        breaks: book.breaks.map(({ account: _, ...rest }) => rest),
        entries: [...book.entries].flatMap(([id, entry]) =>
          persistedVersions(entry.versions, book.importThrough, book.breaks).map(
            (v) =>
              [id, entry.type, v.tx, v.ledger, v.index, v.deleted, v.xrpDrops?.toString() ?? null] as const,
          ),
        ),
        repaired: [...book.repaired],
        importThrough: book.importThrough,
        joins: [...book.joins].map(
          ([entry, j]) =>
            [entry, j.type, j.previous.tx, j.previous.ledger, j.at.hash, j.at.ledger, j.at.index] as const,
        ),
      };
    }
    return out;
  }

  /** Rebuilds a book from a snapshot; anything malformed is left out (that account's proof restarts). */
  static restore(snapshot: unknown): ThreadBook {
    const book = new ThreadBook();
    if (typeof snapshot !== 'object' || snapshot === null) return book;
    for (const [account, value] of Object.entries(snapshot as Record<string, unknown>)) {
      const restored = restoreAccount(account, value);
      if (restored) book.accounts.set(account, restored);
    }
    return book;
  }
}

/**
 * The newest version, while an import runs the newest of its segment too (it goes on from there), and
 * what a repair of an open break may meet (oldest first).
 */
function persistedVersions(
  versions: readonly Version[],
  importThrough: number | null,
  breaks: readonly Break[],
): Version[] {
  const newest = versions.at(-1);
  if (!newest) return [];
  const imported = importThrough === null ? undefined : asOf(versions, importThrough);
  return versions.filter((v) => v === newest || v === imported || repairMayMeet(breaks, v));
}

/**
 * True when a repair of one of these open breaks may fetch the version's transaction: it reads the
 * break's ledgers (`after` through `through`). The version is the proof that the transaction was
 * processed already (on the normal path, perhaps after the break opened: a reordered stream), so it is
 * kept, also across a restart, while the break is open; without it the repair would count it again.
 */
function repairMayMeet(breaks: readonly Break[], version: Version): boolean {
  return breaks.some((b) => version.ledger >= b.after && version.ledger <= b.through);
}

function asOf(versions: readonly Version[], ledger: number): Version | undefined {
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.ledger <= ledger) return versions[i];
  return undefined;
}

const ENTRY_TYPES: ReadonlySet<string> = new Set(['AccountRoot', 'RippleState', 'MPToken']);

function restoreAccount(account: string, value: unknown): AccountBook | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (
    !isLedger(v.watchStart) ||
    !isLedger(v.verifiedLedger) ||
    !Array.isArray(v.entries) ||
    !Array.isArray(v.breaks)
  ) {
    return null;
  }
  const entries = new Map<string, { type: EntryType; versions: Version[] }>();
  for (const e of v.entries) {
    if (!Array.isArray(e) || e.length !== 7) return null;
    const [id, type, tx, ledger, index, deleted, drops] = e as unknown[];
    if (
      typeof id !== 'string' ||
      typeof type !== 'string' ||
      !ENTRY_TYPES.has(type) ||
      typeof tx !== 'string'
    )
      return null;
    if (!isLedger(ledger) || typeof index !== 'number' || typeof deleted !== 'boolean') return null;
    if (drops !== null && (typeof drops !== 'string' || !/^\d+$/.test(drops))) return null;
    const version = { tx, ledger, index, deleted, xrpDrops: drops === null ? null : BigInt(drops) };
    // An entry may have several rows (what an open break's repair may meet, the import's newest
    // version, the newest): oldest first.
    const known = entries.get(id);
    if (known) known.versions.push(version);
    else entries.set(id, { type: type as EntryType, versions: [version] });
  }
  const breaks: Break[] = [];
  for (const b of v.breaks) {
    if (typeof b !== 'object' || b === null) return null;
    const brk = b as Record<string, unknown>;
    if (typeof brk.entry !== 'string' || !isLedger(brk.after) || !isLedger(brk.through)) return null;
    breaks.push({
      account,
      entry: brk.entry,
      type: ENTRY_TYPES.has(String(brk.type)) ? (brk.type as EntryType) : 'AccountRoot',
      after: brk.after,
      through: brk.through,
      missing: isLink(brk.missing) ? brk.missing : null,
      known: typeof brk.known === 'string' ? brk.known : null,
      seenAt: isPosition(brk.seenAt) ? brk.seenAt : null,
      reason: typeof brk.reason === 'string' ? brk.reason : '',
    });
  }
  // Absent in state files written before repairs were persisted.
  const repaired = new Map<string, number>();
  for (const r of Array.isArray(v.repaired) ? v.repaired : []) {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || !isLedger(r[1])) return null;
    repaired.set(r[0], r[1]);
  }
  // Absent in state files written before imports fed the thread.
  const importThrough = isLedger(v.importThrough) ? v.importThrough : null;
  const joins = new Map<string, Join>();
  for (const j of Array.isArray(v.joins) ? v.joins : []) {
    if (!Array.isArray(j) || j.length !== 7) return null;
    const [entry, type, tx, ledger, hash, atLedger, index] = j as unknown[];
    if (typeof entry !== 'string' || typeof type !== 'string' || !ENTRY_TYPES.has(type)) return null;
    if (typeof tx !== 'string' || !isLedger(ledger) || typeof hash !== 'string' || !isLedger(atLedger))
      return null;
    if (typeof index !== 'number') return null;
    joins.set(entry, {
      type: type as EntryType,
      previous: { tx, ledger },
      at: { hash, ledger: atLedger, index },
    });
  }
  return {
    watchStart: v.watchStart,
    verifiedLedger: v.verifiedLedger,
    breaks,
    entries,
    repaired,
    importThrough,
    joins,
  };
}

function isLedger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isLink(value: unknown): value is ThreadLink {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && typeof v.tx === 'string' && isLedger(v.ledger);
}

function isPosition(value: unknown): value is TxPosition {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.hash === 'string' &&
    isLedger(v.ledger) &&
    typeof v.index === 'number'
  );
}
