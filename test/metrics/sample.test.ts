import { describe, expect, test } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';

const A = { address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'treasury', group: null };
const B = { address: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', name: 'shop', group: null };

function metrics() {
  return createMetrics({
    accounts: [A, B],
    rules: ['big'],
    servers: ['ws://a'],
    paymentSizeBucketsXrp: [1],
    processMetrics: false,
    build: { version: '0', revision: 'x', nodeVersion: 'v20.19.0' },
  });
}

describe('ExporterMetrics.sample: what the status page evaluates the shipped alerts on', () => {
  test('the series as the exposition has them, labels as text', async () => {
    const m = metrics();
    m.emailFailed('big');
    m.emailFailed('big');
    m.setUp(true);
    const sample = await m.sample(['xrpl_alert_email_failures_total', 'xrpl_up', 'no_such_metric']);
    expect(sample.get('xrpl_alert_email_failures_total')).toEqual([{ labels: { rule: 'big' }, value: 2 }]);
    expect(sample.get('xrpl_up')).toEqual([{ labels: {}, value: 1 }]);
    expect(sample.has('no_such_metric')).toBe(false);
    expect((await m.render()).body).toContain('xrpl_alert_email_failures_total{rule="big"} 2');
  });

  test('xrpl_account_unverified: exactly the series the exposition shows at 1, none of the 0s', async () => {
    const m = metrics();
    expect((await m.sample(['xrpl_account_unverified'])).get('xrpl_account_unverified')).toEqual([]);
    m.verification.setAccountState(A.address, { unverified: true, verifiedLedger: 10 });
    m.verification.setAccountState(B.address, { unverified: false, verifiedLedger: 12 });
    const body = (await m.render()).body;
    const ones = body
      .split('\n')
      .filter((line) => line.startsWith('xrpl_account_unverified{') && line.endsWith(' 1'));
    expect(ones).toEqual([`xrpl_account_unverified{account="${A.address}",name="treasury"} 1`]);
    expect((await m.sample(['xrpl_account_unverified'])).get('xrpl_account_unverified')).toEqual([
      { labels: { account: A.address, name: 'treasury' }, value: 1 },
    ]);
    // Repaired, or no longer watched: gone.
    m.verification.setAccountState(A.address, { unverified: false, verifiedLedger: 20 });
    m.verification.setAccountState(B.address, { unverified: true, verifiedLedger: 12 });
    m.verification.setAccounts([A]);
    expect((await m.sample(['xrpl_account_unverified'])).get('xrpl_account_unverified')).toEqual([]);
  });
});
