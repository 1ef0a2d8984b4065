import type Big from 'big.js';
import { assetKey } from './labels.js';
import type { AccountTotals, AssetReceipts, Balance, ReceiptTotals } from './totals.js';

/** What the payment exposition reads for one exposed unit: one account, or a group of them. */
export type UnitView = Pick<
  AccountTotals,
  'assets' | 'partialCount' | 'lastReceivedAt' | 'histogram' | 'balances' | 'revision'
>;

/**
 * Exact per-group sums of the per-account totals (metrics.aggregate_by: group). A group's view is
 * recomputed only when one of its members changed: every change gives the account a new, higher
 * global revision, so the largest member revision identifies the group's content.
 */
export class GroupAggregator {
  private readonly cache = new Map<string, UnitView>();

  constructor(private readonly totals: ReceiptTotals) {}

  /** Forget everything (group membership or the totals changed). */
  clear(): void {
    this.cache.clear();
  }

  view(group: string, members: readonly string[]): UnitView | undefined {
    let newest = 0;
    const present: Readonly<AccountTotals>[] = [];
    for (const member of members) {
      const totals = this.totals.get(member);
      if (!totals) continue;
      present.push(totals);
      if (totals.revision > newest) newest = totals.revision;
    }
    if (present.length === 0) return undefined;
    if (present.length === 1) return present[0];
    const cached = this.cache.get(group);
    if (cached && cached.revision === newest) return cached;
    const view = aggregate(present, newest);
    this.cache.set(group, view);
    return view;
  }
}

function aggregate(members: readonly Readonly<AccountTotals>[], revision: number): UnitView {
  const assets = new Map<string, AssetReceipts>();
  const balances = new Map<string, Balance>();
  let partialCount = 0;
  let lastReceivedAt: number | null = null;
  let histogram: UnitView['histogram'] = null;
  for (const member of members) {
    for (const [key, r] of member.assets) {
      let sum = assets.get(key);
      if (!sum) {
        sum = { ...r, countByType: new Map(r.countByType) };
        assets.set(key, sum);
        continue;
      }
      for (const [type, n] of r.countByType) sum.countByType.set(type, (sum.countByType.get(type) ?? 0) + n);
      sum.count += r.count;
      sum.sum = sum.sum.plus(r.sum);
      if (r.lastSeq > sum.lastSeq)
        Object.assign(sum, { last: r.last, lastFloat: r.lastFloat, lastSeq: r.lastSeq });
    }
    for (const b of member.balances.values()) {
      const key = assetKey(b.asset);
      const total = balances.get(key);
      balances.set(key, { asset: b.asset, value: total ? total.value.plus(b.value) : b.value, float: 0 });
    }
    partialCount += member.partialCount;
    if (
      member.lastReceivedAt !== null &&
      (lastReceivedAt === null || member.lastReceivedAt > lastReceivedAt)
    ) {
      lastReceivedAt = member.lastReceivedAt;
    }
    const h = member.histogram;
    if (h) {
      if (!histogram) histogram = { buckets: [...h.buckets], sum: h.sum, sumFloat: 0, count: h.count };
      else {
        h.buckets.forEach((n, i) => {
          histogram!.buckets[i] = (histogram!.buckets[i] ?? 0) + n;
        });
        histogram.sum = histogram.sum.plus(h.sum);
        histogram.count += h.count;
      }
    }
  }
  for (const a of assets.values()) a.sumFloat = toFloat(a.sum);
  for (const b of balances.values()) b.float = toFloat(b.value);
  if (histogram) histogram.sumFloat = toFloat(histogram.sum);
  return { assets, balances, partialCount, lastReceivedAt, histogram, revision };
}

function toFloat(value: Big): number {
  return Number(value.toString());
}
