/** The status page lists at most this many accounts; the rest are counted and found by searching. */
export const ACCOUNTS_SHOWN = 100;

export interface RankedAccount<T> {
  readonly account: T;
  readonly name: string;
  readonly address: string;
  /** 2: something is wrong (unverified, its history import fails), 1: in progress (importing), 0: neither. */
  readonly attention: number;
  /** Ledger close time of its newest receipt, Unix seconds; null when it never received anything. */
  readonly lastReceivedAt: number | null;
}

export interface AccountChoice<T> {
  readonly shown: T[];
  /** Accounts that match the search (all of them without one). */
  readonly matching: number;
}

/**
 * The accounts the page shows when there are more than it can: those matching the search (name or
 * address, case-insensitive), the ones needing attention first, then the most recently paid, then in
 * configuration order. With 100,000 accounts this is the difference between a page and a 50 MB download.
 */
export function chooseAccounts<T>(
  ranked: readonly RankedAccount<T>[],
  search: string | null,
  limit = ACCOUNTS_SHOWN,
): AccountChoice<T> {
  const needle = search?.trim().toLowerCase() ?? '';
  const matching =
    needle === ''
      ? ranked
      : ranked.filter(
          (a) => a.name.toLowerCase().includes(needle) || a.address.toLowerCase().includes(needle),
        );
  if (matching.length <= limit && matching.every((a) => a.attention === 0 && a.lastReceivedAt === null)) {
    return { shown: matching.map((a) => a.account), matching: matching.length };
  }
  const order = matching.map((a, index) => ({ a, index }));
  order.sort(
    (x, y) =>
      y.a.attention - x.a.attention ||
      (y.a.lastReceivedAt ?? Number.NEGATIVE_INFINITY) - (x.a.lastReceivedAt ?? Number.NEGATIVE_INFINITY) ||
      x.index - y.index,
  );
  return { shown: order.slice(0, limit).map((o) => o.a.account), matching: matching.length };
}
