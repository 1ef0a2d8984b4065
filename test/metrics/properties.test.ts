import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Asset } from '../../src/accounting/types.js';
import { createMetrics, ReceiptTotals } from '../../src/metrics/index.js';
import { options, promtoolCheckMetrics, sampleValue } from './support.js';

const ACCOUNTS = [
  { address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'a', group: 'g1' },
  { address: 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh', name: 'b', group: 'g1' },
  { address: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K', name: 'c', group: 'g2' },
];
const ASSETS: Asset[] = [
  { kind: 'xrp' },
  { kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' },
  { kind: 'mpt', mptIssuanceId: '000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F' },
];

/** Amounts as the ledger has them: XRP to the drop, tokens with up to 15 decimals, MPT integers. */
const amount = (asset: Asset) => {
  const digits = asset.kind === 'xrp' ? 6 : asset.kind === 'token' ? 15 : 0;
  return fc
    .bigInt({ min: 1n, max: 10n ** 17n })
    .map((units) => new Big(units.toString()).div(new Big(10).pow(digits)));
};

const receiptArb = fc
  .record({
    account: fc.constantFrom(...ACCOUNTS.map((a) => a.address)),
    asset: fc.constantFrom(...ASSETS),
    txType: fc.constantFrom('Payment', 'CheckCash', 'EscrowFinish'),
    partial: fc.boolean(),
    closeTime: fc.integer({ min: 700_000_000, max: 2_000_000_000 }),
  })
  .chain((r) => amount(r.asset).map((value) => ({ ...r, value })));

const label = (asset: Asset) =>
  asset.kind === 'xrp'
    ? 'currency="XRP",issuer=""'
    : asset.kind === 'token'
      ? `currency="USD",issuer="${asset.issuer}"`
      : 'currency="000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F",issuer="rsC4dnxCb66FQT4XmCUeuQ7dYeqNio4rWg"';

describe('properties over random receipt sequences', () => {
  test('exposed totals are the exact sums rounded once; group totals are the exact sums of their members', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(receiptArb, { maxLength: 60 }), async (receipts) => {
        const perAccount = createMetrics(options({ accounts: ACCOUNTS }));
        const perGroup = createMetrics(options({ accounts: ACCOUNTS, aggregateBy: 'group' }));
        const exact = new Map<string, Big>();
        for (const r of receipts) {
          const event = { ...r, received: [{ asset: r.asset, value: r.value }] };
          perAccount.recordReceipts(event);
          perGroup.recordReceipts(event);
          for (const key of [`${r.account}|${label(r.asset)}`, `${groupOf(r.account)}|${label(r.asset)}`]) {
            exact.set(key, (exact.get(key) ?? new Big(0)).plus(r.value));
          }
        }
        const accountText = (await perAccount.render()).body;
        const groupText = (await perGroup.render()).body;
        for (const [key, sum] of exact) {
          const [unit, assetLabels] = key.split('|') as [string, string];
          const series = unit.startsWith('r')
            ? `xrpl_received_amount_total{account="${unit}",name="${nameOf(unit)}",${assetLabels}}`
            : `xrpl_received_amount_total{group="${unit}",${assetLabels}}`;
          const text = unit.startsWith('r') ? accountText : groupText;
          expect(Number(sampleValue(text, series))).toBe(Number(sum.toFixed()));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('snapshot → JSON → restore → snapshot is the identity, and continuing after restore equals never stopping', () => {
    fc.assert(
      fc.property(fc.array(receiptArb, { maxLength: 40 }), fc.nat(40), (receipts, cut) => {
        const buckets = { paymentSizeBucketsXrp: [1, 10, 100] };
        const straight = new ReceiptTotals(buckets);
        let resumed = new ReceiptTotals(buckets);
        receipts.forEach((r, i) => {
          const event = { ...r, received: [{ asset: r.asset, value: r.value }] };
          if (i === cut) resumed = ReceiptTotals.restore(JSON.parse(JSON.stringify(resumed.snapshot())));
          straight.recordReceipts(event);
          resumed.recordReceipts(event);
        });
        expect(resumed.snapshot()).toEqual(straight.snapshot());
      }),
      { numRuns: 100 },
    );
  });

  test('snapshotText is always exactly JSON.stringify(snapshot()), while its per-account cache follows changes', () => {
    fc.assert(
      fc.property(fc.array(receiptArb, { maxLength: 40 }), (receipts) => {
        const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10, 100] });
        expect(totals.snapshotText()).toBe(JSON.stringify(totals.snapshot()));
        receipts.forEach((r, i) => {
          totals.recordReceipts({ ...r, received: [{ asset: r.asset, value: r.value }] });
          if (i % 3 === 0) totals.setBalance(r.account, r.asset, r.value.times(2));
          if (i % 4 === 0) expect(totals.snapshotText()).toBe(JSON.stringify(totals.snapshot()));
        });
        totals.setPaymentSizeBuckets([5]);
        expect(totals.snapshotText()).toBe(JSON.stringify(totals.snapshot()));
      }),
      { numRuns: 60 },
    );
  });

  test('any sequence renders an exposition promtool accepts', async () => {
    const [sample] = fc.sample(fc.array(receiptArb, { minLength: 30, maxLength: 30 }), {
      numRuns: 1,
      seed: 7,
    });
    const metrics = createMetrics(options({ accounts: ACCOUNTS }));
    for (const r of sample ?? [])
      metrics.recordReceipts({ ...r, received: [{ asset: r.asset, value: r.value }] });
    expect(promtoolCheckMetrics((await metrics.render()).body)).toEqual({ status: 0, output: '' });
  });
});

function groupOf(address: string): string {
  return ACCOUNTS.find((a) => a.address === address)!.group;
}

function nameOf(address: string): string {
  return ACCOUNTS.find((a) => a.address === address)!.name;
}
