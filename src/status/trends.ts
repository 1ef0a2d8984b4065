/** A trend covers this many minutes, the current one last. */
export const TREND_MINUTES = 60;

/** An account's receipts per minute: distinct minutes (Unix seconds / 60) ascending, and their counts. */
interface MinuteCounts {
  readonly minutes: number[];
  readonly counts: number[];
}

/**
 * Receipts per account and minute over the last hour, for the status page's sparklines. Kept sparse: an
 * account holds one entry per minute it received something in, and none once its last receipt is an hour
 * old, so memory follows recent activity rather than the number of watched accounts.
 */
export class ReceiptTrends {
  private readonly byAccount = new Map<string, MinuteCounts>();
  private newestMinute = Number.NEGATIVE_INFINITY;
  private sweptAt = Number.NEGATIVE_INFINITY;

  /** One receipt of `account` in a ledger closed at `time` (Unix seconds). */
  add(account: string, time: number): void {
    const minute = Math.floor(time / 60);
    if (minute > this.newestMinute) this.newestMinute = minute;
    const oldest = this.newestMinute - TREND_MINUTES + 1;
    if (minute < oldest) return;
    let entry = this.byAccount.get(account);
    if (!entry) {
      entry = { minutes: [], counts: [] };
      this.byAccount.set(account, entry);
    }
    insert(entry, minute);
    drop(entry, oldest);
    if (this.newestMinute - this.sweptAt >= TREND_MINUTES) this.sweep(oldest);
  }

  /**
   * Receipts per minute over the TREND_MINUTES minutes ending with `now`'s minute, oldest first; null
   * when the account received nothing in them.
   */
  perMinute(account: string, now: number): number[] | null {
    const entry = this.byAccount.get(account);
    if (!entry) return null;
    const last = Math.floor(now / 60);
    const first = last - TREND_MINUTES + 1;
    const out = new Array<number>(TREND_MINUTES).fill(0);
    let any = false;
    entry.minutes.forEach((minute, i) => {
      if (minute < first || minute > last) return;
      out[minute - first] = entry.counts[i]!;
      any = true;
    });
    return any ? out : null;
  }

  /** How many accounts hold counts (for tests: memory follows activity). */
  get size(): number {
    return this.byAccount.size;
  }

  private sweep(oldest: number): void {
    this.sweptAt = this.newestMinute;
    for (const [account, entry] of this.byAccount) {
      drop(entry, oldest);
      if (entry.minutes.length === 0) this.byAccount.delete(account);
    }
  }
}

function insert(entry: MinuteCounts, minute: number): void {
  let i = entry.minutes.length;
  while (i > 0 && entry.minutes[i - 1]! > minute) i--;
  if (i > 0 && entry.minutes[i - 1] === minute) {
    entry.counts[i - 1] = entry.counts[i - 1]! + 1;
    return;
  }
  entry.minutes.splice(i, 0, minute);
  entry.counts.splice(i, 0, 1);
}

function drop(entry: MinuteCounts, oldest: number): void {
  let n = 0;
  while (n < entry.minutes.length && entry.minutes[n]! < oldest) n++;
  if (n === 0) return;
  entry.minutes.splice(0, n);
  entry.counts.splice(0, n);
}
