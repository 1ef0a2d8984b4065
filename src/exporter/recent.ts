import { formatValue } from '../accounting/index.js';
import type { AssetAmount } from '../accounting/types.js';
import { naturalAssetLabels } from '../metrics/labels.js';
import { type PaymentStatus, RECENT_PAYMENTS_LIMIT } from '../server/index.js';
import { ReceiptTrends } from '../status/index.js';

/**
 * The newest payments for the status page, newest first, never more than the page shows, each
 * account's newest one (the list may have rolled past it), and each account's receipts per minute over
 * the last hour.
 */
export class RecentPayments {
  private readonly items: PaymentStatus[] = [];
  private readonly lastByAccount = new Map<string, PaymentStatus>();
  private readonly trends = new ReceiptTrends();

  add(item: PaymentStatus): void {
    this.items.unshift(item);
    if (this.items.length > RECENT_PAYMENTS_LIMIT) this.items.length = RECENT_PAYMENTS_LIMIT;
    this.lastByAccount.set(item.accountAddress, item);
    this.trends.add(item.accountAddress, item.time);
  }

  /** Receipts per minute over the hour up to `now` (Unix seconds), oldest first; null when none. */
  trend(account: string, now: number): number[] | null {
    return this.trends.perMinute(account, now);
  }

  list(): readonly PaymentStatus[] {
    return this.items;
  }

  lastFor(account: string): PaymentStatus | undefined {
    return this.lastByAccount.get(account);
  }
}

/** Currency and issuer as the metrics labels show them, with the exact value. */
export function displayAmount(amount: AssetAmount): { currency: string; issuer: string; amount: string } {
  const labels = naturalAssetLabels(amount.asset);
  return { currency: labels.currency, issuer: labels.issuer, amount: formatValue(amount.value) };
}

export function explorerLink(template: string | null, hash: string): string | null {
  return template === null ? null : template.replaceAll('{hash}', hash);
}
