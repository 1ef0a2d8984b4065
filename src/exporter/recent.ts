import { formatValue } from '../accounting/index.js';
import type { AssetAmount } from '../accounting/types.js';
import { naturalAssetLabels } from '../metrics/labels.js';
import { type PaymentStatus, RECENT_PAYMENTS_LIMIT } from '../server/index.js';

/**
 * The newest payments for the status page, newest first, never more than the page shows, and each
 * account's newest one (the list may have rolled past it).
 */
export class RecentPayments {
  private readonly items: PaymentStatus[] = [];
  private readonly lastByAccount = new Map<string, PaymentStatus>();

  add(item: PaymentStatus): void {
    this.items.unshift(item);
    if (this.items.length > RECENT_PAYMENTS_LIMIT) this.items.length = RECENT_PAYMENTS_LIMIT;
    this.lastByAccount.set(item.accountAddress, item);
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
