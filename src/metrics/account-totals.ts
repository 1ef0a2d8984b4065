import type Big from 'big.js';
import type { Asset } from '../accounting/types.js';
import { Exact } from './exact.js';
import type { SizeHistogram } from './size-histogram.js';
import { SmallMap } from './small-map.js';
import type { TotalsSnapshot } from './totals-snapshot.js';

/** Everything received in one asset by one account. */
export class AssetReceipts {
  /** Payments of this asset per transaction type, in first-seen order. */
  readonly countByType = new SmallMap<string, number>();
  count = 0;
  total = Exact.ZERO;
  latest = Exact.ZERO;
  /** Global receipt sequence of `latest`: orders "last" across accounts (group aggregation). */
  lastSeq = 0;
  /** Ledger close time of `latest`, Unix seconds, when known. */
  latestAt: number | null = null;

  constructor(readonly asset: Asset) {}

  get sum(): Big {
    return this.total.big;
  }

  get last(): Big {
    return this.latest.big;
  }

  get sumFloat(): number {
    return this.total.float;
  }

  get lastFloat(): number {
    return this.latest.float;
  }

  addCount(type: string, n: number): void {
    this.countByType.set(type, (this.countByType.get(type) ?? 0) + n);
    this.count += n;
  }
}

export class Balance {
  constructor(
    readonly asset: Asset,
    public exact: Exact,
  ) {}

  get value(): Big {
    return this.exact.big;
  }

  get float(): number {
    return this.exact.float;
  }
}

export interface AccountTotals {
  readonly account: string;
  /** By assetKey, in first-seen order. */
  readonly assets: SmallMap<string, AssetReceipts>;
  partialCount: number;
  /** Close time of the newest receipt, Unix seconds. */
  lastReceivedAt: number | null;
  /** Null until the first XRP receipt. */
  histogram: SizeHistogram | null;
  readonly balances: SmallMap<string, Balance>;
  /** Bumped on every change; equal revisions mean equal content (caches key on it). */
  revision: number;
}

export function accountSnapshot(totals: Readonly<AccountTotals>): TotalsSnapshot['accounts'][string] {
  return {
    received: [...totals.assets.values()].map((r) => ({
      asset: plainAsset(r.asset),
      countByType: Object.fromEntries(r.countByType),
      sum: r.total.text,
      last: r.latest.text,
      lastSeq: r.lastSeq,
      lastAt: r.latestAt,
    })),
    partialCount: totals.partialCount,
    lastReceivedAt: totals.lastReceivedAt,
    sizeHistogram: totals.histogram && {
      buckets: [...totals.histogram.buckets],
      sum: totals.histogram.sum.text,
      count: totals.histogram.count,
    },
    balances: [...totals.balances.values()].map((b) => ({ asset: plainAsset(b.asset), value: b.exact.text })),
  };
}

/** Only the fields that identify the asset, in a fixed order: the snapshot is compared as text. */
function plainAsset(asset: Asset): Asset {
  switch (asset.kind) {
    case 'xrp':
      return { kind: 'xrp' };
    case 'token':
      return { kind: 'token', currency: asset.currency, issuer: asset.issuer };
    case 'mpt':
      return { kind: 'mpt', mptIssuanceId: asset.mptIssuanceId };
  }
}
