/**
 * Where the exporter stands in the validated ledger stream, as pure arithmetic.
 *
 * The checkpoint is the last ledger whose transactions are completely processed. rippled sends a
 * ledger's `ledgerClosed` before that ledger's transaction messages, on the same socket and in order
 * (xrpl-protocol.md §1.3, §1.6), so ledger N is complete once `ledgerClosed` N+1 arrives, or once a
 * backfill covered it.
 */
export interface LedgerRange {
  readonly from: number;
  readonly to: number;
}

export type LedgerClosedOutcome =
  /** N follows the last one seen: ledger N-1 is complete. */
  | { readonly kind: 'next'; readonly completed: number | null }
  /** Ledgers were skipped: they must be backfilled before N-1 counts as complete. */
  | { readonly kind: 'gap'; readonly missing: LedgerRange }
  /** The first ledger seen on this session: nothing to conclude yet. */
  | { readonly kind: 'first' }
  /** An index at or below one already seen (duplicate or going backwards): ignore it. */
  | { readonly kind: 'stale' };

export class LedgerCursor {
  /** Last completely processed validated ledger; null before the first session settles it. */
  checkpoint: number | null;
  /** Highest `ledgerClosed` index seen on the current session. */
  lastClosed: number | null = null;

  constructor(checkpoint: number | null) {
    this.checkpoint = checkpoint;
  }

  /** A new session starts: what was seen on the old socket no longer says anything about the new one. */
  resetSession(): void {
    this.lastClosed = null;
  }

  onLedgerClosed(index: number): LedgerClosedOutcome {
    const last = this.lastClosed;
    if (last !== null && index <= last) return { kind: 'stale' };
    this.lastClosed = index;
    if (last === null) return { kind: 'first' };
    if (index === last + 1) return { kind: 'next', completed: this.complete(last) };
    return { kind: 'gap', missing: { from: last + 1, to: index - 1 } };
  }

  /** Ledgers up to `index` were announced on this session (and read from history rather than the stream). */
  passed(index: number): void {
    if (this.lastClosed === null || index > this.lastClosed) this.lastClosed = index;
  }

  /** Marks everything up to `index` as processed. The checkpoint never moves backwards. */
  complete(index: number): number | null {
    if (this.checkpoint === null || index > this.checkpoint) this.checkpoint = index;
    return this.checkpoint;
  }

  /**
   * What a fresh session must backfill: from just after the checkpoint up to the newest ledger the
   * session saw validated before its subscription was complete. Null when there is nothing to do
   * (first run without state, or already up to date).
   */
  catchUpRange(sessionLedger: number): LedgerRange | null {
    if (this.checkpoint === null || sessionLedger <= this.checkpoint) return null;
    return { from: this.checkpoint + 1, to: sessionLedger };
  }
}

/** Splits a range into the part within `maxLedgers` of its end and the part too old to backfill. */
export function boundRange(
  range: LedgerRange,
  maxLedgers: number,
): { backfill: LedgerRange | null; skipped: LedgerRange | null } {
  const size = range.to - range.from + 1;
  if (size <= maxLedgers) return { backfill: range, skipped: null };
  if (maxLedgers <= 0) return { backfill: null, skipped: range };
  const firstKept = range.to - maxLedgers + 1;
  return { backfill: { from: firstKept, to: range.to }, skipped: { from: range.from, to: firstKept - 1 } };
}

export function formatRange(range: LedgerRange): string {
  return range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
}

/** Ledgers whose payments may be missing; `from` is null when where they begin is not known. */
export interface GapRange {
  readonly from: number | null;
  readonly to: number;
}

export function formatGap(gap: GapRange): string {
  return gap.from === null ? `up to ${gap.to}` : formatRange({ from: gap.from, to: gap.to });
}
