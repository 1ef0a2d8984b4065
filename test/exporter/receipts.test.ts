import { describe, expect, it } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import type { AccountConfig } from '../../src/config/types.js';
import { receiptOutcome } from '../../src/exporter/receipts.js';
import type { Receipt, TransactionSource } from '../../src/pipeline/processor.js';
import { loadFixture } from '../support/fixtures.js';

/** A real v2 stream message: 20 XRP to rfdGuu…, closed at 1730505541, no memo. */
const XRP_PAYMENT = {
  file: 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
  address: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
};
/** A real partial payment of xCoin with a memo, as an explorer stores it: no close time of its own. */
const PARTIAL_WITH_MEMO = {
  file: 'explorer/Payment/PaymentWithPartial.json',
  address: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j',
};

function receipt(fixture: { file: string; address: string }, source: TransactionSource): Receipt {
  const analysis = analyzeTransaction(loadFixture(fixture.file), new Set([fixture.address]));
  const effect = analysis.accounts.find((e) => e.account === fixture.address)!;
  return { analysis, effect, hash: analysis.hash!, ledgerIndex: analysis.ledgerIndex!, source };
}

function account(address: string): AccountConfig {
  return { address, name: 'treasury', group: null, since: null };
}

const never = () => {
  throw new Error('the transaction has its own close time');
};

describe('receiptOutcome', () => {
  it('counts a live XRP payment and makes one status row and one alert input of it', () => {
    const { counted, payments } = receiptOutcome(receipt(XRP_PAYMENT, 'live'), account(XRP_PAYMENT.address), {
      explorerUrl: 'https://livenet.xrpl.org/transactions/{hash}',
      closeTimeFallback: never,
    });
    expect(counted).toMatchObject({ account: XRP_PAYMENT.address, txType: 'Payment', partial: false });
    expect(counted.closeTime).toBe(1730505541);
    expect(counted.received.map((r) => r.value.toString())).toEqual(['20']);
    expect(payments).toHaveLength(1);
    const hash = '6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED';
    expect(payments[0]!.status).toEqual({
      time: 1730505541,
      accountName: 'treasury',
      accountAddress: XRP_PAYMENT.address,
      amount: '20',
      currency: 'XRP',
      issuer: '',
      sender: 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8',
      type: 'Payment',
      hash,
      link: `https://livenet.xrpl.org/transactions/${hash}`,
      partial: false,
      memo: null,
    });
    const alert = payments[0]!.alert;
    expect({ ...alert, value: alert.value.toString() }).toEqual({
      account: XRP_PAYMENT.address,
      accountName: 'treasury',
      asset: { kind: 'xrp' },
      value: '20',
      sender: 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8',
      destinationTag: null,
      txType: 'Payment',
      hash,
      ledgerIndex: 1969852,
      closeTime: 1730505541,
      partial: false,
      memos: [],
    });
  });

  it.each(['backfill', 'repair'] as const)('treats a %s receipt like a live one', (source) => {
    const live = receiptOutcome(receipt(XRP_PAYMENT, 'live'), account(XRP_PAYMENT.address), {
      explorerUrl: null,
      closeTimeFallback: never,
    });
    const other = receiptOutcome(receipt(XRP_PAYMENT, source), account(XRP_PAYMENT.address), {
      explorerUrl: null,
      closeTimeFallback: never,
    });
    expect(other).toEqual(live);
    expect(other.payments[0]!.status.link).toBeNull();
  });

  it('counts history without news or alerts', () => {
    const { counted, payments } = receiptOutcome(
      receipt(XRP_PAYMENT, 'history'),
      account(XRP_PAYMENT.address),
      {
        explorerUrl: null,
        closeTimeFallback: never,
      },
    );
    expect(counted.received.map((r) => r.value.toString())).toEqual(['20']);
    expect(payments).toEqual([]);
  });

  it('dates a payment without a close time by the fallback, and carries its partial flag and memo', () => {
    let asked = 0;
    const { counted, payments } = receiptOutcome(
      receipt(PARTIAL_WITH_MEMO, 'live'),
      account(PARTIAL_WITH_MEMO.address),
      {
        explorerUrl: null,
        closeTimeFallback: () => {
          asked += 1;
          return 1700000000;
        },
      },
    );
    expect(asked).toBe(1);
    // The totals keep what the transaction says (no close time); only the news is dated by the fallback.
    expect(counted.closeTime).toBeNull();
    expect(counted.partial).toBe(true);
    const memo = "Good job! You solved the puzzle. :) You can't use the faucet for the next 24 hours";
    expect(payments).toHaveLength(1);
    expect(payments[0]!.status).toMatchObject({ time: 1700000000, partial: true, memo, type: 'Payment' });
    expect(payments[0]!.alert).toMatchObject({
      closeTime: 1700000000,
      partial: true,
      memos: [memo],
      destinationTag: 0,
    });
    expect(payments[0]!.alert.asset).toEqual({
      kind: 'token',
      currency: '78436F696E000000000000000000000000000000',
      issuer: 'rXCoYSUnkpygdtfpz3Df8dKQuRZjM9UFi',
    });
  });
});
