import { gunzipSync } from 'node:zlib';
import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import type { Asset } from '../../src/accounting/types.js';
import { createMetrics, type MetricsTopology, ReceiptTotals } from '../../src/metrics/index.js';
import { BUCKETS, options, promtoolCheckMetrics, samples, sampleValue } from './support.js';

const A = { address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'a', group: 'exchange' };
const B = { address: 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh', name: 'b', group: 'exchange' };
const C = { address: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K', name: 'c', group: 'treasury' };
const XRP: Asset = { kind: 'xrp' };
const USD: Asset = { kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' };

function pay(account: string, value: string, asset: Asset = XRP, closeTime = 1000, partial = false) {
  return { account, txType: 'Payment', partial, closeTime, received: [{ asset, value: new Big(value) }] };
}

const topology = (over: Partial<MetricsTopology>): MetricsTopology => ({
  accounts: [A, B],
  rules: ['r1'],
  servers: ['wss://s1'],
  paymentSizeBucketsXrp: BUCKETS,
  ...over,
});

describe('reconfigure (hot reload)', () => {
  test('new accounts appear at 0, removed ones disappear, and their totals come back with them', async () => {
    const metrics = createMetrics(options(topology({})));
    metrics.recordReceipts(pay(B.address, '5'));
    metrics.reconfigure(topology({ accounts: [A, C] }));
    let { body } = await metrics.render();
    expect(body).not.toContain(B.address);
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${C.address}",name="c",currency="XRP",issuer=""}`,
      ),
    ).toBe('0');
    expect(body).toContain('xrpl_watched_accounts 2\n');

    metrics.reconfigure(topology({ accounts: [A, C, B] }));
    ({ body } = await metrics.render());
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${B.address}",name="b",currency="XRP",issuer=""}`,
      ),
    ).toBe('5');
  });

  test('a renamed account keeps its totals under the new name', async () => {
    const metrics = createMetrics(options(topology({})));
    metrics.recordReceipts(pay(A.address, '2'));
    metrics.reconfigure(topology({ accounts: [{ ...A, name: 'renamed' }, B] }));
    const { body } = await metrics.render();
    expect(body).not.toContain('name="a"');
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${A.address}",name="renamed",currency="XRP",issuer=""}`,
      ),
    ).toBe('2');
  });

  test('servers and rules follow the configuration; existing counts are kept', async () => {
    const metrics = createMetrics(
      options(topology({ servers: ['wss://s1', 'wss://s2'], rules: ['r1', 'r2'] })),
    );
    metrics.incReconnects('wss://s1');
    metrics.incConnectFailures('wss://s2');
    metrics.incConnectFailures('wss://s1');
    metrics.emailSent('r1');
    metrics.emailFailed('r2');
    metrics.reconfigure(topology({ servers: ['wss://s1', 'wss://s3'], rules: ['r1', 'r3'] }));
    const { body } = await metrics.render();
    expect(samples(body, 'xrpl_reconnects_total')).toEqual([
      'xrpl_reconnects_total{server="wss://s1"} 1',
      'xrpl_reconnects_total{server="wss://s3"} 0',
    ]);
    expect(samples(body, 'xrpl_connection_attempts_failed_total')).toEqual([
      'xrpl_connection_attempts_failed_total{server="wss://s1"} 1',
      'xrpl_connection_attempts_failed_total{server="wss://s3"} 0',
    ]);
    expect(samples(body, 'xrpl_stream_connected')).toEqual([
      'xrpl_stream_connected{server="wss://s1"} 0',
      'xrpl_stream_connected{server="wss://s3"} 0',
    ]);
    expect(samples(body, 'xrpl_alert_emails_sent_total')).toEqual([
      'xrpl_alert_emails_sent_total{rule="r1"} 1',
      'xrpl_alert_emails_sent_total{rule="r3"} 0',
    ]);
    expect(samples(body, 'xrpl_alert_email_failures_total')).toEqual([
      'xrpl_alert_email_failures_total{rule="r1"} 0',
      'xrpl_alert_email_failures_total{rule="r3"} 0',
    ]);
  });

  test('an email of a rule removed by a reload is still counted until the next reload', async () => {
    const metrics = createMetrics(options(topology({ rules: ['r1'] })));
    metrics.reconfigure(topology({ rules: [] }));
    metrics.emailSent('r1');
    expect(samples((await metrics.render()).body, 'xrpl_alert_emails_sent_total')).toEqual([
      'xrpl_alert_emails_sent_total{rule="r1"} 1',
    ]);
    metrics.reconfigure(topology({ rules: [] }));
    expect(samples((await metrics.render()).body, 'xrpl_alert_emails_sent_total')).toEqual([]);
  });

  test('a scrape after a change shows the change (the render cache follows the totals)', async () => {
    const metrics = createMetrics(options(topology({})));
    const series = `xrpl_received_amount_total{account="${A.address}",name="a",currency="XRP",issuer=""}`;
    expect(sampleValue((await metrics.render()).body, series)).toBe('0');
    metrics.recordReceipts(pay(A.address, '1.25'));
    expect(sampleValue((await metrics.render()).body, series)).toBe('1.25');
    metrics.setBalance(A.address, XRP, new Big('99'));
    expect(
      sampleValue(
        (await metrics.render()).body,
        `xrpl_balance{account="${A.address}",name="a",currency="XRP",issuer=""}`,
      ),
    ).toBe('99');
  });

  test('with hundreds of accounts, a scrape after changes equals a fresh render of the same totals', async () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      address: `r${String(i).padStart(24, '0')}`,
      name: `n${i}`,
      group: null,
    }));
    const cached = createMetrics(options(topology({ accounts: many })));
    await cached.render();
    for (const [round, indexes] of [
      [0, [0, 300]],
      [1, [599]],
      [2, [255, 256, 511, 512]],
    ] as const) {
      for (const i of indexes) cached.recordReceipts(pay(many[i]!.address, `${round + 1}.5`));
      const fresh = createMetrics(options({ ...topology({ accounts: many }), totals: cached.totals }));
      expect((await cached.render()).body).toBe((await fresh.render()).body);
    }
    const { body } = await cached.render();
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${many[599]!.address}",name="n599",currency="XRP",issuer=""}`,
      ),
    ).toBe('2.5');
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${many[512]!.address}",name="n512",currency="XRP",issuer=""}`,
      ),
    ).toBe('3.5');
  });

  test('operational record functions set what they say', async () => {
    const metrics = createMetrics(options(topology({})));
    metrics.setUp(true);
    metrics.setValidatedLedger(42, 1_700_000_001);
    metrics.setValidatedLedger(43, null);
    metrics.incLedgerGaps();
    metrics.incBackfilled(7);
    metrics.incInvalidMessages(2);
    metrics.setEmailsQueued(3);
    metrics.setConfigReload(true, 1_700_000_000);
    metrics.setConfigReload(false, 1_700_000_100);
    const { body } = await metrics.render();
    for (const line of [
      'xrpl_up 1',
      'xrpl_validated_ledger_index 43',
      'xrpl_validated_ledger_close_timestamp_seconds 1700000001',
      'xrpl_ledger_gaps_total 1',
      'xrpl_backfilled_transactions_total 7',
      'xrpl_invalid_messages_total 2',
      'xrpl_alert_emails_queued 3',
      'xrpl_exporter_config_last_reload_successful 0',
      'xrpl_exporter_config_last_reload_success_timestamp_seconds 1700000000',
    ]) {
      expect(body.split('\n')).toContain(line);
    }
  });
});

describe('status page view', () => {
  test('accountStatus gives exact strings with the metric label text', () => {
    const metrics = createMetrics(options(topology({})));
    const xcoin: Asset = {
      kind: 'token',
      currency: '78436F696E000000000000000000000000000000',
      issuer: USD.issuer,
    };
    metrics.recordReceipts(pay(A.address, '0.1', XRP, 100));
    metrics.recordReceipts(pay(A.address, '0.2', XRP, 200, true));
    metrics.recordReceipts(pay(A.address, '1e-15', xcoin, 300));
    metrics.setBalance(A.address, XRP, new Big('20.000001'));
    expect(metrics.accountStatus(A.address)).toEqual({
      received: [
        { currency: 'XRP', issuer: '', value: '0.3', count: 2 },
        { currency: 'xCoin', issuer: USD.issuer, value: '0.000000000000001', count: 1 },
      ],
      balances: [{ currency: 'XRP', issuer: '', value: '20.000001' }],
      partialCount: 1,
      lastReceivedAt: 300,
      lastReceived: { currency: 'xCoin', issuer: USD.issuer, value: '0.000000000000001' },
    });
    expect(metrics.accountStatus(C.address)).toEqual({
      received: [],
      balances: [],
      partialCount: 0,
      lastReceivedAt: null,
      lastReceived: null,
    });
  });
});

describe('aggregation by group', () => {
  const grouped = () => createMetrics(options(topology({ accounts: [A, B, C], aggregateBy: 'group' })));

  test("a group's XRP balance is exposed only once every member's is known", async () => {
    const metrics = grouped();
    const balance = async () =>
      sampleValue((await metrics.render()).body, 'xrpl_balance{group="exchange",currency="XRP",issuer=""}');
    expect(await balance()).toBeUndefined();
    metrics.setBalance(A.address, XRP, new Big('5'));
    // B's is unknown: 5 would pass for the group's balance.
    expect(await balance()).toBeUndefined();
    metrics.setBalance(B.address, XRP, new Big('2.5'));
    expect(await balance()).toBe('7.5');
    metrics.forgetBalances(B.address);
    expect(await balance()).toBeUndefined();
  });

  test('payment metrics carry a group label and exact sums over its accounts; totals stay per account', async () => {
    const metrics = grouped();
    metrics.recordReceipts(pay(A.address, '0.1', XRP, 100));
    metrics.recordReceipts(pay(B.address, '0.2', XRP, 300, true));
    metrics.recordReceipts(pay(A.address, '7', USD, 200));
    metrics.recordReceipts(pay(C.address, '1000'));
    metrics.setBalance(A.address, XRP, new Big('0.1'));
    metrics.setBalance(B.address, XRP, new Big('0.2'));
    const { body } = await metrics.render();
    // The per-account verification families (spec: labels account, name) follow the payment families.
    const paymentFamilies = body.slice(0, body.indexOf('# HELP xrpl_verification_breaks_total '));
    expect(paymentFamilies).toContain('xrpl_received_payment_size_xrp_count{group=');
    expect(paymentFamilies).not.toContain('account=');
    const ex = 'group="exchange"';
    expect(sampleValue(body, `xrpl_received_amount_total{${ex},currency="XRP",issuer=""}`)).toBe('0.3');
    expect(
      sampleValue(body, `xrpl_payments_received_total{${ex},currency="XRP",issuer="",type="Payment"}`),
    ).toBe('2');
    expect(sampleValue(body, `xrpl_received_amount_total{${ex},currency="USD",issuer="${USD.issuer}"}`)).toBe(
      '7',
    );
    expect(sampleValue(body, `xrpl_balance{${ex},currency="XRP",issuer=""}`)).toBe('0.3');
    expect(sampleValue(body, `xrpl_partial_payments_received_total{${ex}}`)).toBe('1');
    expect(sampleValue(body, `xrpl_last_received_timestamp_seconds{${ex}}`)).toBe('300');
    expect(sampleValue(body, `xrpl_last_received_amount{${ex},currency="XRP",issuer=""}`)).toBe('0.2');
    expect(sampleValue(body, `xrpl_received_payment_size_xrp_bucket{${ex},le="1"}`)).toBe('2');
    expect(sampleValue(body, `xrpl_received_payment_size_xrp_sum{${ex}}`)).toBe('0.3');
    expect(sampleValue(body, `xrpl_received_amount_total{group="treasury",currency="XRP",issuer=""}`)).toBe(
      '1000',
    );
    expect(metrics.totals.snapshot().accounts[A.address]?.received[0]?.sum).toBe('0.1');
    expect(promtoolCheckMetrics(body).status).toBe(0);
  });

  test('every group has its XRP series at 0 from start-up, and changes show on the next scrape', async () => {
    const metrics = grouped();
    let { body } = await metrics.render();
    expect(samples(body, 'xrpl_received_amount_total')).toEqual([
      'xrpl_received_amount_total{group="exchange",currency="XRP",issuer=""} 0',
      'xrpl_received_amount_total{group="treasury",currency="XRP",issuer=""} 0',
    ]);
    metrics.recordReceipts(pay(A.address, '1'));
    metrics.recordReceipts(pay(B.address, '2'));
    ({ body } = await metrics.render());
    expect(sampleValue(body, 'xrpl_received_amount_total{group="exchange",currency="XRP",issuer=""}')).toBe(
      '3',
    );
    metrics.recordReceipts(pay(A.address, '4'));
    ({ body } = await metrics.render());
    expect(sampleValue(body, 'xrpl_received_amount_total{group="exchange",currency="XRP",issuer=""}')).toBe(
      '7',
    );
  });

  test('a group of hundreds of accounts sums exactly across its blocks, scrape after scrape', async () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      address: `r${String(i).padStart(24, '0')}`,
      name: `n${i}`,
      group: i % 2 === 0 ? 'even' : 'odd',
    }));
    const metrics = createMetrics(options(topology({ accounts: many, aggregateBy: 'group' })));
    const series = 'xrpl_received_amount_total{group="even",currency="XRP",issuer=""}';
    let expected = new Big(0);
    for (const indexes of [[0], [2, 598], [300, 302, 304], [596]]) {
      for (const i of indexes) {
        metrics.recordReceipts(pay(many[i]!.address, '0.1', XRP, 1000 + i));
        expected = expected.plus('0.1');
      }
      const { body } = await metrics.render();
      expect(sampleValue(body, series)).toBe(expected.toFixed());
    }
    const { body } = await metrics.render();
    expect(
      sampleValue(body, 'xrpl_payments_received_total{group="even",currency="XRP",issuer="",type="Payment"}'),
    ).toBe('7');
    expect(sampleValue(body, 'xrpl_last_received_timestamp_seconds{group="even"}')).toBe('1598');
    expect(sampleValue(body, 'xrpl_last_received_amount{group="even",currency="XRP",issuer=""}')).toBe('0.1');
    expect(sampleValue(body, 'xrpl_received_amount_total{group="odd",currency="XRP",issuer=""}')).toBe('0');
  });

  test('switching between account and group exposition on reload keeps the totals', async () => {
    const metrics = createMetrics(options(topology({ accounts: [A, B, C] })));
    metrics.recordReceipts(pay(A.address, '1'));
    metrics.reconfigure(topology({ accounts: [A, B, C], aggregateBy: 'group' }));
    metrics.recordReceipts(pay(B.address, '2'));
    let { body } = await metrics.render();
    expect(sampleValue(body, 'xrpl_received_amount_total{group="exchange",currency="XRP",issuer=""}')).toBe(
      '3',
    );
    metrics.reconfigure(topology({ accounts: [A, B, C], aggregateBy: 'account' }));
    ({ body } = await metrics.render());
    expect(
      sampleValue(
        body,
        `xrpl_received_amount_total{account="${B.address}",name="b",currency="XRP",issuer=""}`,
      ),
    ).toBe('2');
  });
});

describe('cached compressed exposition', () => {
  test.each(['account', 'group'] as const)(
    'by %s: equals a fresh render after changes in different blocks, plain and gzip-compressed',
    async (aggregateBy) => {
      // 600 accounts in two groups of 300: more than one block of accounts, of units and of group members.
      const accounts = Array.from({ length: 600 }, (_, i) => ({
        address: `r${String(i).padStart(33, 'x')}`,
        name: `acct-${i}`,
        group: `g${i % 2}`,
      }));
      const topology = {
        aggregateBy,
        accounts,
        rules: ['r'],
        servers: ['ws://a'],
        paymentSizeBucketsXrp: [1, 10],
        build: { version: 't', revision: 't', nodeVersion: 'v' },
        processMetrics: false,
      };
      const metrics = createMetrics(topology);
      const xrp = { kind: 'xrp' } as const;
      for (const round of [0, 1, 2]) {
        for (const i of [0, 300, 599]) {
          metrics.recordReceipts({
            account: accounts[(i + round) % 600]!.address,
            txType: 'Payment',
            partial: false,
            closeTime: 1,
            received: [{ asset: xrp, value: new Big(`${round}.5`) }],
          });
        }
        // Nothing cached: the same totals rendered by a new instance.
        const fresh = createMetrics({
          ...topology,
          totals: ReceiptTotals.restore(metrics.totals.snapshot()),
        });
        const expected = (await fresh.render()).body;
        expect((await metrics.render()).body).toBe(expected);
        const plain = await metrics.renderForScrape(false);
        expect(plain.encoding).toBe('identity');
        const plainBody = Buffer.concat(plain.body);
        expect(plainBody.equals(Buffer.from(expected))).toBe(true);
        const gzip = await metrics.renderForScrape(true);
        expect(gzip.encoding).toBe('gzip');
        const gzipBody = Buffer.concat(gzip.body);
        expect(gunzipSync(gzipBody).equals(Buffer.from(expected))).toBe(true);
        expect(gzipBody.length).toBeLessThan(plainBody.length / (aggregateBy === 'group' ? 1 : 4));
      }
    },
  );
});

describe('per-account verification series', () => {
  test('exist at 0 for every account and follow changes through the cached blocks; a rename restarts them', async () => {
    const accounts = Array.from({ length: 300 }, (_, i) => ({
      address: `r${String(i).padStart(33, 'v')}`,
      name: `acct-${i}`,
      group: null,
    }));
    const metrics = createMetrics(options({ accounts }));
    const series = (family: string, i: number, name = `acct-${i}`) =>
      `${family}{account="${accounts[i]!.address}",name="${name}"}`;
    let { body } = await metrics.render();
    expect(samples(body, 'xrpl_verification_breaks_total')).toHaveLength(300);
    expect(sampleValue(body, series('xrpl_account_unverified', 299))).toBe('0');

    metrics.verification.incBreaks(accounts[200]!.address, 2);
    metrics.verification.setAccountState(accounts[299]!.address, {
      unverified: true,
      verifiedLedger: 93_000_123,
    });
    metrics.verification.incBreaks('rNotWatched', 1);
    ({ body } = await metrics.render());
    expect(sampleValue(body, series('xrpl_verification_breaks_total', 200))).toBe('2');
    expect(sampleValue(body, series('xrpl_account_unverified', 299))).toBe('1');
    expect(sampleValue(body, series('xrpl_account_verified_ledger', 299))).toBe('93000123');
    expect(samples(body, 'xrpl_verification_breaks_total')).toHaveLength(300);

    const renamed = accounts.map((a, i) => (i === 200 ? { ...a, name: 'renamed' } : a));
    metrics.reconfigure({ accounts: renamed, rules: [], servers: [], paymentSizeBucketsXrp: BUCKETS });
    ({ body } = await metrics.render());
    expect(sampleValue(body, series('xrpl_verification_breaks_total', 200, 'renamed'))).toBe('0');
    expect(sampleValue(body, series('xrpl_verification_breaks_total', 200))).toBeUndefined();
    expect(sampleValue(body, series('xrpl_account_unverified', 299))).toBe('1');
    expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: '' });
  });
});
