import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import type { Asset } from '../../src/accounting/types.js';
import { createMetrics, ReceiptTotals } from '../../src/metrics/index.js';
import { BUCKETS, options, sampleValue } from './support.js';

const ALICE = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const XRP: Asset = { kind: 'xrp' };
const USD: Asset = { kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' };
const ID = `account="${ALICE}",name="alice"`;

function receipt(
  value: string,
  overrides: { asset?: Asset; txType?: string; partial?: boolean; closeTime?: number | null } = {},
) {
  return {
    account: ALICE,
    txType: overrides.txType ?? 'Payment',
    partial: overrides.partial ?? false,
    closeTime: overrides.closeTime === undefined ? 1_700_000_000 : overrides.closeTime,
    received: [{ asset: overrides.asset ?? XRP, value: new Big(value) }],
  };
}

describe('exact totals', () => {
  test('1000 payments of 12.345678 XRP expose exactly 12345.678 (a float sum would not)', async () => {
    const metrics = createMetrics(options({ accounts: [{ address: ALICE, name: 'alice', group: null }] }));
    let naive = 0;
    for (let i = 0; i < 1000; i++) {
      metrics.recordReceipts(receipt('12.345678'));
      naive += 12.345678;
    }
    expect(String(naive)).not.toBe('12345.678');
    const { body } = await metrics.render();
    expect(sampleValue(body, `xrpl_received_amount_total{${ID},currency="XRP",issuer=""}`)).toBe('12345.678');
    expect(sampleValue(body, `xrpl_received_payment_size_xrp_sum{${ID}}`)).toBe('12345.678');
    expect(
      sampleValue(body, `xrpl_payments_received_total{${ID},currency="XRP",issuer="",type="Payment"}`),
    ).toBe('1000');
    expect(metrics.totals.snapshot().accounts[ALICE]?.received[0]?.sum).toBe('12345.678');
  });

  test('token amounts keep every digit in the snapshot', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('0.000001041958042', { asset: USD }));
    totals.recordReceipts(receipt('9999999999999999e80', { asset: USD }));
    expect(totals.snapshot().accounts[ALICE]?.received[0]?.sum).toBe(
      new Big('9999999999999999e80').plus('0.000001041958042').toFixed(),
    );
  });

  test('each received asset counts one payment of the transaction type; a partial payment counts once', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts({
      account: ALICE,
      txType: 'Payment',
      partial: true,
      closeTime: 10,
      received: [
        { asset: XRP, value: new Big('1') },
        { asset: USD, value: new Big('2') },
      ],
    });
    totals.recordReceipts(receipt('3', { txType: 'CheckCash' }));
    const account = totals.snapshot().accounts[ALICE]!;
    expect(account.partialCount).toBe(1);
    expect(account.received.map((r) => [r.asset, r.countByType, r.sum, r.last])).toEqual([
      [XRP, { Payment: 1, CheckCash: 1 }, '4', '3'],
      [USD, { Payment: 1 }, '2', '2'],
    ]);
  });

  test('nothing received records nothing, not even a partial payment; non-positive amounts are ignored', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts({ account: ALICE, txType: 'Payment', partial: true, closeTime: 5, received: [] });
    totals.recordReceipts(receipt('0'));
    totals.recordReceipts(receipt('-1'));
    expect(totals.snapshot().accounts).toEqual({});
  });

  test('the last-received timestamp only moves forward (backfill can deliver an older ledger late)', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('1', { closeTime: 200 }));
    totals.recordReceipts(receipt('2', { closeTime: 100 }));
    totals.recordReceipts(receipt('3', { closeTime: null }));
    expect(totals.get(ALICE)?.lastReceivedAt).toBe(200);
    expect(totals.lastReceived(ALICE)).toEqual({ asset: XRP, value: new Big('3'), closeTime: 200 });
  });

  test('histogram buckets are inclusive upper bounds compared exactly', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [0.1, 1, 10] });
    for (const v of ['0.1', '0.100001', '1', '10', '10.000001']) totals.recordReceipts(receipt(v));
    expect(totals.snapshot().accounts[ALICE]?.sizeHistogram).toEqual({
      buckets: [1, 2, 1, 1],
      sum: '21.200002',
      count: 5,
    });
  });

  test('tokens do not enter the XRP payment-size histogram', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('5', { asset: USD }));
    expect(totals.snapshot().accounts[ALICE]?.sizeHistogram).toBeNull();
  });

  test('new histogram buckets restart the histograms and keep every other total', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('5'));
    totals.setPaymentSizeBuckets([1, 2, 3]);
    const account = totals.snapshot().accounts[ALICE]!;
    expect(account.sizeHistogram).toBeNull();
    expect(account.received[0]?.sum).toBe('5');
    totals.recordReceipts(receipt('2.5'));
    expect(totals.snapshot().accounts[ALICE]?.sizeHistogram?.buckets).toEqual([0, 0, 1, 0]);
  });

  test("a trust line's negative balance (an obligation) never creates a series and zeroes a shown one", () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    const otherHolder: Asset = {
      kind: 'token',
      currency: 'USD',
      issuer: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K',
    };
    totals.applyBalancesAfter(ALICE, [
      { asset: XRP, value: new Big('100') },
      { asset: USD, value: new Big('5') },
      { asset: otherHolder, value: new Big('-7') },
    ]);
    totals.applyBalancesAfter(ALICE, [{ asset: USD, value: new Big('-1') }]);
    expect(totals.snapshot().accounts[ALICE]?.balances).toEqual([
      { asset: XRP, value: '100' },
      { asset: USD, value: '0' },
    ]);
  });
});

describe('snapshot and restore', () => {
  test('a snapshot is plain JSON that restores to the same snapshot', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('1.5', { partial: true }));
    totals.recordReceipts(receipt('7', { asset: USD, txType: 'EscrowFinish' }));
    totals.setBalance(ALICE, XRP, new Big('123.456789'));
    const json = JSON.parse(JSON.stringify(totals.snapshot()));
    expect(ReceiptTotals.restore(json).snapshot()).toEqual(totals.snapshot());
  });

  test('restoring with other buckets restarts the histograms only', () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: BUCKETS });
    totals.recordReceipts(receipt('1.5'));
    const restored = ReceiptTotals.restore(totals.snapshot(), { paymentSizeBucketsXrp: [5] });
    expect(restored.paymentSizeBucketsXrp).toEqual([5]);
    expect(restored.snapshot().accounts[ALICE]?.sizeHistogram).toBeNull();
    expect(restored.snapshot().accounts[ALICE]?.received[0]?.sum).toBe('1.5');
  });

  const valid = () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10] });
    totals.recordReceipts(receipt('2'));
    return JSON.parse(JSON.stringify(totals.snapshot()));
  };
  test.each([
    ['not an object', () => 'garbage', 'invalid totals snapshot: (root):'],
    ['an unknown version', () => ({ ...valid(), version: 2 }), 'version:'],
    [
      'a float sum',
      () => {
        const s = valid();
        s.accounts[ALICE].received[0].sum = 1.5;
        return s;
      },
      `accounts.${ALICE}.received[0].sum:`,
    ],
    [
      'an exponent in a sum',
      () => {
        const s = valid();
        s.accounts[ALICE].received[0].sum = '1e3';
        return s;
      },
      'expected a non-negative exact decimal string',
    ],
    [
      'a histogram of the wrong size',
      () => {
        const s = valid();
        s.accounts[ALICE].sizeHistogram.buckets = [0, 1];
        return s;
      },
      'expected 3 bucket counts, found 2',
    ],
    [
      'a histogram count that does not add up',
      () => {
        const s = valid();
        s.accounts[ALICE].sizeHistogram.count = 9;
        return s;
      },
      'does not equal the sum of the bucket counts',
    ],
    [
      'an unknown asset kind',
      () => {
        const s = valid();
        s.accounts[ALICE].received[0].asset = { kind: 'nft' };
        return s;
      },
      `accounts.${ALICE}.received[0].asset.kind:`,
    ],
  ])('restore rejects %s with a message naming the problem', (_name, make, message) => {
    expect(() => ReceiptTotals.restore(make())).toThrow(message);
  });
});
