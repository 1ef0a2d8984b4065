import Big from 'big.js';
import { XRP } from '../accounting/receipts.js';
import type { Asset, AssetAmount } from '../accounting/types.js';
import { type AccountTotals, AssetReceipts, accountSnapshot, Balance } from './account-totals.js';
import { Exact } from './exact.js';
import { assetKey } from './labels.js';
import { BucketBounds, emptyHistogram, observe } from './size-histogram.js';
import { SmallMap } from './small-map.js';
import { parseTotalsSnapshot, type TotalsSnapshot } from './totals-snapshot.js';

export type { AccountTotals } from './account-totals.js';
export { AssetReceipts, Balance } from './account-totals.js';
export type { TotalsSnapshot } from './totals-snapshot.js';

/** What one watched account received in one transaction. */
export interface ReceiptEvent {
  readonly account: string;
  /** The TransactionType, e.g. "Payment", "CheckCash". */
  readonly txType: string;
  /** A Payment with tfPartialPayment set. */
  readonly partial: boolean;
  /** Ledger close time, Unix seconds. */
  readonly closeTime: number | null;
  /** Positive amounts received, at most one per asset. */
  readonly received: readonly AssetAmount[];
}

export interface ReceiptTotalsOptions {
  /** Upper bounds of the XRP payment-size histogram buckets, strictly increasing. */
  readonly paymentSizeBucketsXrp: readonly number[];
}

/**
 * The exact truth behind the payment metrics: per account and asset, counts, exact sums (big.js),
 * last amounts, the XRP payment-size histogram and balances. Floats exist only as caches for the
 * exposition. Plain-JSON snapshot/restore for the durable state file.
 */
export class ReceiptTotals {
  private readonly accounts = new Map<string, AccountTotals>();
  private bounds: BucketBounds;
  private revision = 0;
  private seq = 0;
  private readonly jsonCache = new Map<string, { readonly revision: number; readonly text: string }>();
  private touchListener: ((account: string) => void) | null = null;

  constructor(options: ReceiptTotalsOptions) {
    this.bounds = new BucketBounds(options.paymentSizeBucketsXrp);
  }

  /** `listener` is told the account whenever its totals change (group sums follow them). */
  onTouch(listener: (account: string) => void): void {
    this.touchListener = listener;
  }

  get paymentSizeBucketsXrp(): readonly number[] {
    return this.bounds.values;
  }

  /**
   * Records one transaction's receipts for one watched account. Each received asset counts one
   * payment of the transaction's type; a partial payment counts once per transaction.
   * Non-positive amounts are not receipts and are ignored.
   */
  recordReceipts(e: ReceiptEvent): void {
    const received = e.received.filter((r) => r.value.gt(0));
    if (received.length === 0) return;
    const totals = this.getOrCreate(e.account);
    this.seq += 1;
    for (const { asset, value } of received) {
      const receipts = this.assetReceipts(totals, asset);
      receipts.addCount(e.txType, 1);
      receipts.total = receipts.total.plus(value);
      // An older receipt (history imported after live payments arrived) counts, but is not the last one.
      if (e.closeTime === null || receipts.latestAt === null || e.closeTime >= receipts.latestAt) {
        receipts.latest = Exact.of(value);
        receipts.lastSeq = this.seq;
        if (e.closeTime !== null) receipts.latestAt = e.closeTime;
      }
      if (asset.kind === 'xrp') {
        totals.histogram ??= emptyHistogram(this.bounds.values.length);
        observe(totals.histogram, this.bounds, value);
      }
    }
    if (e.partial) totals.partialCount += 1;
    // Backfill can deliver an older ledger late: the timestamp only moves forward.
    if (e.closeTime !== null && (totals.lastReceivedAt === null || e.closeTime > totals.lastReceivedAt)) {
      totals.lastReceivedAt = e.closeTime;
    }
    this.touch(totals);
  }

  /** Sets an absolute balance (from account_info or a transaction's `balancesAfter`). */
  setBalance(account: string, asset: Asset, value: Big): void {
    const totals = this.getOrCreate(account);
    const key = assetKey(asset);
    const existing = totals.balances.get(key);
    if (existing?.exact.eq(value)) return;
    if (existing) existing.exact = Exact.of(value);
    // One XRP asset object for every account's XRP balance, not one each.
    else totals.balances.set(key, new Balance(asset.kind === 'xrp' ? XRP : asset, Exact.of(value)));
    this.touch(totals);
  }

  /** The account is no longer watched: its balances go stale, so they are not known any more. */
  forgetBalances(account: string): void {
    const totals = this.accounts.get(account);
    if (!totals || totals.balances.size === 0) return;
    totals.balances.clear();
    this.touch(totals);
  }

  /**
   * Sets the balances a transaction left (AccountEffect.balancesAfter). A trust-line balance below
   * 0 is this account's obligation as the issuing side of that line, not a holding: it shows as 0
   * where the line was shown before and never creates a series (an issuer with thousands of
   * holders would otherwise get a series per holder).
   */
  applyBalancesAfter(account: string, balances: readonly AssetAmount[]): void {
    for (const { asset, value } of balances) {
      if (asset.kind !== 'token' || value.gte(0)) this.setBalance(account, asset, value);
      else if (this.accounts.get(account)?.balances.has(assetKey(asset)))
        this.setBalance(account, asset, new Big(0));
    }
  }

  /** Applies new histogram buckets. Past observations cannot be re-bucketed, so the histograms restart at 0. */
  setPaymentSizeBuckets(bounds: readonly number[]): void {
    if (this.bounds.sameAs(bounds)) return;
    this.bounds = new BucketBounds(bounds);
    for (const totals of this.accounts.values()) {
      if (totals.histogram === null) continue;
      totals.histogram = null;
      this.touch(totals);
    }
  }

  get(account: string): Readonly<AccountTotals> | undefined {
    return this.accounts.get(account);
  }

  /** The newest receipt of the account across assets, for the status page. */
  lastReceived(account: string): { asset: Asset; value: Big; closeTime: number | null } | null {
    const totals = this.accounts.get(account);
    if (!totals) return null;
    let newest: AssetReceipts | null = null;
    for (const receipts of totals.assets.values()) {
      if (receipts.count > 0 && (newest === null || receipts.lastSeq > newest.lastSeq)) newest = receipts;
    }
    return newest && { asset: newest.asset, value: newest.latest.big, closeTime: totals.lastReceivedAt };
  }

  snapshot(): TotalsSnapshot {
    const accounts: Record<string, TotalsSnapshot['accounts'][string]> = {};
    for (const [account, totals] of this.accounts) {
      // defineProperty: an own property even for a hostile key such as "__proto__".
      Object.defineProperty(accounts, account, { value: accountSnapshot(totals), enumerable: true });
    }
    return { version: 1, paymentSizeBucketsXrp: [...this.bounds.values], seq: this.seq, accounts };
  }

  /**
   * Exactly `JSON.stringify(this.snapshot())`, built from per-account JSON kept until that account
   * changes: writing the state of 100,000 accounts after every ledger then serialises only the
   * accounts the ledger touched.
   */
  snapshotText(): string {
    const parts: string[] = [];
    for (const [account, totals] of this.accounts) {
      let cached = this.jsonCache.get(account);
      if (cached?.revision !== totals.revision) {
        cached = {
          revision: totals.revision,
          text: `${JSON.stringify(account)}:${JSON.stringify(accountSnapshot(totals))}`,
        };
        this.jsonCache.set(account, cached);
      }
      parts.push(cached.text);
    }
    const head = `{"version":1,"paymentSizeBucketsXrp":${JSON.stringify(this.bounds.values)},"seq":${this.seq}`;
    return `${head},"accounts":{${parts.join(',')}}}`;
  }

  /**
   * Rebuilds totals from a snapshot. Throws an Error naming the problem when the snapshot is not
   * one this version wrote. When `options` has other buckets than the snapshot, histograms restart.
   */
  static restore(snapshot: unknown, options?: ReceiptTotalsOptions): ReceiptTotals {
    const parsed = parseTotalsSnapshot(snapshot);
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: parsed.paymentSizeBucketsXrp });
    totals.seq = parsed.seq;
    for (const [account, a] of Object.entries(parsed.accounts)) {
      const t = totals.getOrCreate(account);
      for (const r of a.received) {
        const receipts = totals.assetReceipts(t, r.asset);
        for (const [type, n] of Object.entries(r.countByType)) receipts.addCount(type, n);
        receipts.total = Exact.parse(r.sum);
        receipts.latest = Exact.parse(r.last);
        receipts.lastSeq = r.lastSeq;
        receipts.latestAt = r.lastAt ?? null;
      }
      t.partialCount = a.partialCount;
      t.lastReceivedAt = a.lastReceivedAt;
      if (a.sizeHistogram) {
        const { buckets, sum, count } = a.sizeHistogram;
        t.histogram = { buckets: [...buckets], sum: Exact.parse(sum), count };
      }
      for (const b of a.balances)
        t.balances.set(assetKey(b.asset), new Balance(b.asset, Exact.parse(b.value)));
      totals.touch(t);
    }
    if (options) totals.setPaymentSizeBuckets(options.paymentSizeBucketsXrp);
    return totals;
  }

  private getOrCreate(account: string): AccountTotals {
    let totals = this.accounts.get(account);
    if (!totals) {
      totals = {
        account,
        assets: new SmallMap(),
        partialCount: 0,
        lastReceivedAt: null,
        histogram: null,
        balances: new SmallMap(),
        revision: 0,
      };
      this.accounts.set(account, totals);
    }
    return totals;
  }

  private assetReceipts(totals: AccountTotals, asset: Asset): AssetReceipts {
    const key = assetKey(asset);
    let receipts = totals.assets.get(key);
    if (!receipts) {
      receipts = new AssetReceipts(asset);
      totals.assets.set(key, receipts);
    }
    return receipts;
  }

  private touch(totals: AccountTotals): void {
    this.revision += 1;
    totals.revision = this.revision;
    this.touchListener?.(totals.account);
  }
}
