import type { PaymentEvent } from '../alerts/types.js';
import type { AccountConfig } from '../config/types.js';
import type { ReceiptEvent } from '../metrics/totals.js';
import type { Receipt } from '../pipeline/processor.js';
import type { PaymentStatus } from '../server/index.js';
import { displayAmount, explorerLink } from './recent.js';

/** One received asset as the status page lists it and as the alert rules see it. */
export interface ReceivedPayment {
  readonly status: PaymentStatus;
  readonly alert: PaymentEvent;
}

/** What one receipt of a watched account becomes. */
export interface ReceiptOutcome {
  /** Always counted, whatever the source. */
  readonly counted: ReceiptEvent;
  /** One per asset received; none for history, which is neither news nor cause for an alert. */
  readonly payments: readonly ReceivedPayment[];
}

export interface ReceiptContext {
  /** `xrpl.explorer_url`: a template with `{hash}`, or null for no link. */
  readonly explorerUrl: string | null;
  /** Unix seconds dating a payment whose transaction carries no close time. Called only when needed. */
  readonly closeTimeFallback: () => number;
}

/** Decides what a receipt does to the totals, the recent payments list and the alert rules. */
export function receiptOutcome(
  { analysis, effect, hash, ledgerIndex, source }: Receipt,
  account: AccountConfig,
  context: ReceiptContext,
): ReceiptOutcome {
  const txType = analysis.transactionType ?? 'unknown';
  const counted: ReceiptEvent = {
    account: account.address,
    txType,
    partial: analysis.partialPayment,
    closeTime: analysis.closeTime,
    received: effect.received,
  };
  if (source === 'history') return { counted, payments: [] };
  const closeTime = analysis.closeTime ?? context.closeTimeFallback();
  const memos = analysis.memos ?? [];
  const payments = effect.received.map(
    (amount): ReceivedPayment => ({
      status: {
        time: closeTime,
        accountName: account.name,
        accountAddress: account.address,
        ...displayAmount(amount),
        sender: analysis.sender ?? '',
        type: txType,
        hash,
        link: explorerLink(context.explorerUrl, hash),
        partial: analysis.partialPayment,
        memo: memos[0] ?? null,
      },
      alert: {
        account: account.address,
        accountName: account.name,
        asset: amount.asset,
        value: amount.value,
        sender: analysis.sender,
        destinationTag: analysis.destinationTag,
        txType,
        hash,
        ledgerIndex,
        closeTime,
        partial: analysis.partialPayment,
        memos,
      },
    }),
  );
  return { counted, payments };
}
