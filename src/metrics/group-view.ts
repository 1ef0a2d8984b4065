import { type AccountTotals, AssetReceipts, Balance } from './account-totals.js';
import { Exact } from './exact.js';
import { assetKey } from './labels.js';
import type { SizeHistogram } from './size-histogram.js';
import { SmallMap } from './small-map.js';
import type { ReceiptTotals } from './totals.js';

/** What the payment exposition reads for one exposed unit: one account, or a group of them. */
export type UnitView = Pick<
  AccountTotals,
  'assets' | 'partialCount' | 'lastReceivedAt' | 'histogram' | 'balances' | 'revision'
>;

const XRP_KEY = assetKey({ kind: 'xrp' });

/** Members per partial sum: one payment re-adds one block, not a whole group of 10,000. */
const BLOCK_SIZE = 256;

interface GroupSums {
  readonly members: readonly string[];
  /** Partial sums per block of members; undefined while no member of the block has totals. */
  readonly blocks: (UnitView | undefined)[];
  /** Per block: every member's XRP balance is known. */
  readonly xrpKnown: boolean[];
  /** Blocks with a member that changed since they were summed. */
  readonly dirty: Set<number>;
  view: UnitView | undefined;
}

/**
 * Exact per-group sums of the per-account totals (metrics.aggregate_by: group), kept in two levels:
 * partial sums per block of members, then the group's sum of its blocks. ReceiptTotals says which
 * account changed (touched); only that account's block and group are summed again, at the next view.
 * A scrape of 100,000 accounts in 1,000 groups then reads 1,000 sums instead of 100,000 accounts.
 */
export class GroupAggregator {
  private groups = new Map<string, GroupSums>();
  private placeOf = new Map<string, { readonly sums: GroupSums; readonly block: number }>();

  constructor(private readonly totals: ReceiptTotals) {}

  /** New membership: every sum is computed afresh on its next view. */
  setGroups(members: ReadonlyMap<string, readonly string[]>): void {
    this.groups = new Map();
    this.placeOf = new Map();
    for (const [group, addresses] of members) {
      const blocks = Math.ceil(addresses.length / BLOCK_SIZE);
      const sums: GroupSums = {
        members: addresses,
        blocks: new Array<UnitView | undefined>(blocks).fill(undefined),
        xrpKnown: new Array<boolean>(blocks).fill(false),
        dirty: new Set(Array.from({ length: blocks }, (_, i) => i)),
        view: undefined,
      };
      this.groups.set(group, sums);
      addresses.forEach((address, i) => {
        this.placeOf.set(address, { sums, block: Math.floor(i / BLOCK_SIZE) });
      });
    }
  }

  /** One account's totals changed. */
  touched(account: string): void {
    const place = this.placeOf.get(account);
    place?.sums.dirty.add(place.block);
  }

  view(group: string): UnitView | undefined {
    const sums = this.groups.get(group);
    if (!sums) return undefined;
    if (sums.dirty.size === 0) return sums.view;
    for (const block of sums.dirty) {
      const present: UnitView[] = [];
      let xrpKnown = true;
      const end = Math.min((block + 1) * BLOCK_SIZE, sums.members.length);
      for (let i = block * BLOCK_SIZE; i < end; i++) {
        const totals = this.totals.get(sums.members[i]!);
        if (totals) present.push(totals);
        if (!totals?.balances.has(XRP_KEY)) xrpKnown = false;
      }
      sums.blocks[block] = sum(present);
      sums.xrpKnown[block] = xrpKnown;
    }
    sums.dirty.clear();
    sums.view = withoutPartialXrpBalance(
      sum(sums.blocks.filter((b): b is UnitView => b !== undefined)),
      sums.xrpKnown.every((known) => known),
    );
    return sums.view;
  }
}

/** A sum over some members' XRP balances would be too low: unknown until every member's is known. */
function withoutPartialXrpBalance(view: UnitView | undefined, xrpKnown: boolean): UnitView | undefined {
  if (!view || xrpKnown || !view.balances.has(XRP_KEY)) return view;
  const balances = new SmallMap(view.balances);
  balances.delete(XRP_KEY);
  return { ...view, balances };
}

/**
 * The sum of some views; a single view is its own sum. Its revision is the newest of the parts':
 * every change gives its account a new, higher global revision, so a changed sum has a higher one.
 */
function sum(parts: readonly UnitView[]): UnitView | undefined {
  if (parts.length <= 1) return parts[0];
  let newest = 0;
  for (const part of parts) if (part.revision > newest) newest = part.revision;
  return aggregate(parts, newest);
}

function aggregate(members: readonly UnitView[], revision: number): UnitView {
  const assets = new SmallMap<string, AssetReceipts>();
  const balances = new SmallMap<string, Balance>();
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
