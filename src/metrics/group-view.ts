import { type AccountTotals, AssetReceipts, Balance } from './account-totals.js';
import { Exact } from './exact.js';
import { assetKey } from './labels.js';
import type { SizeHistogram } from './size-histogram.js';
import type { ReceiptTotals } from './totals.js';

/** What the payment exposition reads for one exposed unit: one account, or a group of them. */
export type UnitView = Pick<
  AccountTotals,
  'assets' | 'partialCount' | 'lastReceivedAt' | 'histogram' | 'balances' | 'revision'
>;

const XRP_KEY = assetKey({ kind: 'xrp' });

/** Members per partial sum: one payment re-adds one block, not a whole group of 10,000. */
const BLOCK_SIZE = 256;

/**
 * Exact per-group sums of the per-account totals (metrics.aggregate_by: group), in two levels:
 * partial sums per block of members, then the group's sum of its blocks. Each is recomputed only
 * when something below it changed: every change gives the account a new, higher global revision,
 * so the largest revision underneath identifies a sum's content.
 */
export class GroupAggregator {
  private readonly cache = new Map<string, UnitView>();

  constructor(private readonly totals: ReceiptTotals) {}

  /** Forget everything (group membership or the totals changed). */
  clear(): void {
    this.cache.clear();
  }

  view(group: string, members: readonly string[]): UnitView | undefined {
    const blocks: UnitView[] = [];
    let xrpBalanceKnown = true;
    for (let start = 0; start < members.length; start += BLOCK_SIZE) {
      const present: UnitView[] = [];
      for (let i = start; i < Math.min(start + BLOCK_SIZE, members.length); i++) {
        const totals = this.totals.get(members[i]!);
        if (totals) present.push(totals);
        if (!totals?.balances.has(XRP_KEY)) xrpBalanceKnown = false;
      }
      const block = this.sum(`${group}\u0000${start}`, present);
      if (block) blocks.push(block);
    }
    const view = this.sum(group, blocks);
    // A sum over some members' XRP balances would be too low: unknown until every member's is known.
    if (!view || xrpBalanceKnown || !view.balances.has(XRP_KEY)) return view;
    const balances = new Map(view.balances);
    balances.delete(XRP_KEY);
    return { ...view, balances };
  }

  private sum(key: string, parts: readonly UnitView[]): UnitView | undefined {
    if (parts.length <= 1) return parts[0];
    let newest = 0;
    for (const part of parts) if (part.revision > newest) newest = part.revision;
    const cached = this.cache.get(key);
    if (cached && cached.revision === newest) return cached;
    const view = aggregate(parts, newest);
    this.cache.set(key, view);
    return view;
  }
}

function aggregate(members: readonly UnitView[], revision: number): UnitView {
  const assets = new Map<string, AssetReceipts>();
  const balances = new Map<string, Balance>();
  let partialCount = 0;
  let lastReceivedAt: number | null = null;
  let histogram: SizeHistogram | null = null;
  for (const member of members) {
    for (const [key, r] of member.assets) {
      let sum = assets.get(key);
      if (!sum) {
        sum = new AssetReceipts(r.asset);
        assets.set(key, sum);
      }
      for (const [type, n] of r.countByType) sum.addCount(type, n);
      sum.total = sum.total.plus(r.total);
      if (r.lastSeq > sum.lastSeq) {
        sum.latest = r.latest;
        sum.lastSeq = r.lastSeq;
      }
    }
    for (const [key, b] of member.balances) {
      const total = balances.get(key);
      if (total) total.exact = total.exact.plus(b.exact);
      else balances.set(key, new Balance(b.asset, b.exact));
    }
    partialCount += member.partialCount;
    if (
      member.lastReceivedAt !== null &&
      (lastReceivedAt === null || member.lastReceivedAt > lastReceivedAt)
    ) {
      lastReceivedAt = member.lastReceivedAt;
    }
    const h = member.histogram;
    if (!h) continue;
    if (!histogram)
      histogram = { buckets: new Array<number>(h.buckets.length).fill(0), sum: Exact.ZERO, count: 0 };
    for (let i = 0; i < h.buckets.length; i++)
      histogram.buckets[i] = (histogram.buckets[i] ?? 0) + (h.buckets[i] ?? 0);
    histogram.sum = histogram.sum.plus(h.sum);
    histogram.count += h.count;
  }
  return { assets, balances, partialCount, lastReceivedAt, histogram, revision };
}
