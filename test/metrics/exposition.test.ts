import { type IncomingHttpHeaders, request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import Big from 'big.js';
import { afterEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createMetrics, METRICS_CONTENT_TYPE, ReceiptTotals } from '../../src/metrics/index.js';
import { createHttpApp } from '../../src/server/app.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/listen.js';
import { sampleSnapshot } from '../server/support.js';
import { feedFixture, options, promtoolCheckMetrics, samples } from './support.js';

const ACCOUNTS = [
  { address: 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh', name: 'xrp-receiver', group: null },
  { address: 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K', name: 'usd-holder', group: null },
  { address: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q', name: 'usd-issuer', group: null },
  { address: 'rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu', name: 'mpt-holder', group: null },
  { address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'faucet', group: null },
  { address: 'raLHvSZXacoGiCoWrdBhVGstZm6GhF7oRr', name: 'check-casher', group: null },
  { address: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j', name: 'xcoin-holder', group: null },
  { address: 'rrrrrrrrrrrrrrrrrrrrrhoLvTp', name: 'idle', group: null },
];
const WATCHED = new Set(ACCOUNTS.map((a) => a.address));
const FIXTURES = [
  'explorer/Payment/Payment.json', // XRP payment
  'xrpl.js/utils/paymentToken.json', // USD token payment; the issuer's lines are obligations
  'explorer/Payment/PaymentMPT.json', // MPT payment
  'xrpl.js/rippled/streams/partialPaymentTransaction.json', // partial XRP payment
  'xrpl.js-2021/tx/checkCash.json', // XRP by CheckCash
  'explorer/Payment/PaymentWithPartial.json', // partial payment of a 40-hex token ("xCoin")
];
const SERVERS = ['wss://one.example:51233', 'wss://two.example:51233'];

function fedMetrics(processMetrics = false) {
  const metrics = createMetrics(
    options({
      accounts: ACCOUNTS,
      rules: ['large-xrp-payment'],
      alertmanagerRules: ['large-xrp-payment', 'quiet'],
      alertmanagerUrls: ['http://am1.example:9093', 'http://am:<secret>@am2.example:9093'],
      servers: SERVERS,
      processMetrics,
    }),
  );
  for (const file of FIXTURES) feedFixture(metrics, file, WATCHED);
  metrics.setUp(true);
  metrics.setStreamConnected(SERVERS[0]!, true);
  metrics.incReconnects(SERVERS[1]!);
  metrics.incConnectFailures(SERVERS[1]!);
  metrics.incConnectFailures(SERVERS[1]!);
  metrics.setValidatedLedger(93000000, 1764158400);
  metrics.incBackfilled(3);
  metrics.incHistoryImported(7);
  // A renamed account's import keeps one series; a finished import leaves none.
  metrics.setHistoryRemaining(ACCOUNTS[0]!.address, 'old-name', 500);
  metrics.setHistoryRemaining(ACCOUNTS[0]!.address, ACCOUNTS[0]!.name, 1200);
  metrics.setHistoryRemaining(ACCOUNTS[1]!.address, ACCOUNTS[1]!.name, 10);
  metrics.setHistoryRemaining(ACCOUNTS[1]!.address, ACCOUNTS[1]!.name, null);
  metrics.emailSent('large-xrp-payment');
  metrics.setEmailsQueued(0);
  metrics.emailRecipientRefused('large-xrp-payment');
  metrics.deadLetter('email', 'large-xrp-payment');
  metrics.alertmanagerSent('large-xrp-payment');
  metrics.alertmanagerSent('large-xrp-payment');
  metrics.alertmanagerError('http://am1.example:9093');
  metrics.setAlertmanagerQueued(1);
  metrics.setConfigReload(true, 1764158000);
  return metrics;
}

describe('/metrics exposition', () => {
  test('real fixtures render to the golden exposition', async () => {
    const { body } = await fedMetrics().render();
    await expect(body).toMatchFileSnapshot('./__golden__/metrics.prom');
  });

  test('the golden exposition is clean under promtool check metrics', async () => {
    const { body } = await fedMetrics().render();
    expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: '' });
  });

  test('with the process metrics the whole exposition is still clean under promtool', async () => {
    const { body } = await fedMetrics(true).render();
    expect(body).toMatch(/^process_cpu_seconds_total /m);
    expect(body).toMatch(/^# TYPE nodejs_active_handles gauge$/m);
    expect(body).not.toMatch(/nodejs_active_(handles|requests|resources)_total/);
    expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: '' });
  });

  test('promtool does catch a lint problem (the check above can fail)', () => {
    const bad = '# HELP x_total gauge with a counter suffix\n# TYPE x_total gauge\nx_total 1\n';
    expect(promtoolCheckMetrics(bad).status).toBe(3);
  });

  test('content type is exactly the Prometheus text format 0.0.4', async () => {
    const { contentType } = await createMetrics(options()).render();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(METRICS_CONTENT_TYPE).toBe(contentType);
  });

  test('every metric of the spec table is declared with its type', async () => {
    const metrics = createMetrics(options({ accounts: ACCOUNTS.slice(0, 1) }));
    const { body } = await metrics.render();
    const spec: Array<[string, string]> = [
      ['xrpl_payments_received_total', 'counter'],
      ['xrpl_received_amount_total', 'counter'],
      ['xrpl_partial_payments_received_total', 'counter'],
      ['xrpl_last_received_amount', 'gauge'],
      ['xrpl_last_received_timestamp_seconds', 'gauge'],
      ['xrpl_balance', 'gauge'],
      ['xrpl_received_payment_size_xrp', 'histogram'],
      ['xrpl_up', 'gauge'],
      ['xrpl_stream_connected', 'gauge'],
      ['xrpl_validated_ledger_index', 'gauge'],
      ['xrpl_validated_ledger_close_timestamp_seconds', 'gauge'],
      ['xrpl_reconnects_total', 'counter'],
      ['xrpl_ledger_gaps_total', 'counter'],
      ['xrpl_backfilled_transactions_total', 'counter'],
      ['xrpl_invalid_messages_total', 'counter'],
      ['xrpl_alert_emails_sent_total', 'counter'],
      ['xrpl_alert_email_failures_total', 'counter'],
      ['xrpl_alert_emails_queued', 'gauge'],
      ['xrpl_watched_accounts', 'gauge'],
      ['xrpl_exporter_build_info', 'gauge'],
      ['xrpl_exporter_config_last_reload_successful', 'gauge'],
    ];
    for (const [name, type] of spec) {
      expect(body).toContain(`# TYPE ${name} ${type}\n`);
      expect(metrics.familyNames()).toContain(name);
    }
  });

  test('every configured account has its XRP series at 0 from start-up', async () => {
    const metrics = createMetrics(options({ accounts: ACCOUNTS, rules: ['r1'], servers: SERVERS }));
    const { body } = await metrics.render();
    for (const { address, name } of ACCOUNTS) {
      const id = `account="${address}",name="${name}"`;
      const xrp = `${id},currency="XRP",issuer=""`;
      for (const series of [
        `xrpl_payments_received_total{${xrp},type="Payment"} 0`,
        `xrpl_received_amount_total{${xrp}} 0`,
        `xrpl_last_received_amount{${xrp}} 0`,
        `xrpl_partial_payments_received_total{${id}} 0`,
        `xrpl_last_received_timestamp_seconds{${id}} 0`,
        `xrpl_received_payment_size_xrp_bucket{${id},le="1"} 0`,
        `xrpl_received_payment_size_xrp_bucket{${id},le="+Inf"} 0`,
        `xrpl_received_payment_size_xrp_sum{${id}} 0`,
        `xrpl_received_payment_size_xrp_count{${id}} 0`,
      ]) {
        expect(body.split('\n')).toContain(series);
      }
      // The spec's XRP series from start-up are the received counters; a balance nobody has read yet
      // is unknown, and absent rather than a misleading 0.
      expect(body).not.toContain(`xrpl_balance{${id}`);
    }
    expect(body).not.toMatch(/\n\n\n|\n\n(?!#)/);
    for (const server of SERVERS) {
      expect(body).toContain(`xrpl_stream_connected{server="${server}"} 0\n`);
      expect(body).toContain(`xrpl_reconnects_total{server="${server}"} 0\n`);
      expect(body).toContain(`xrpl_connection_attempts_failed_total{server="${server}"} 0\n`);
    }
    expect(body).toContain('xrpl_alert_emails_sent_total{rule="r1"} 0\n');
    expect(body).toContain('xrpl_alert_email_failures_total{rule="r1"} 0\n');
    expect(body).toContain(`xrpl_watched_accounts ${ACCOUNTS.length}\n`);
    expect(body).toContain('xrpl_up 0\n');
    expect(body).toContain(
      'xrpl_exporter_build_info{version="0.1.0",revision="abc1234",nodeversion="v20.19.0"} 1\n',
    );
  });

  test('restoring the totals from a JSON snapshot reproduces the exposition exactly', async () => {
    const original = fedMetrics();
    const snapshot = JSON.parse(JSON.stringify(original.totals.snapshot()));
    const restored = createMetrics(
      options({
        accounts: ACCOUNTS,
        rules: ['large-xrp-payment'],
        servers: SERVERS,
        totals: ReceiptTotals.restore(snapshot),
      }),
    );
    const payments = (text: string) => text.slice(0, text.indexOf('# HELP xrpl_up '));
    expect(payments((await restored.render()).body)).toBe(payments((await original.render()).body));
  });

  test('label values from configuration are escaped', async () => {
    const metrics = createMetrics(
      options({
        accounts: [{ address: 'rrrrrrrrrrrrrrrrrrrrrhoLvTp', name: 'a "quoted"\\name\nx', group: null }],
      }),
    );
    const { body } = await metrics.render();
    expect(samples(body, 'xrpl_partial_payments_received_total')).toEqual([
      'xrpl_partial_payments_received_total{account="rrrrrrrrrrrrrrrrrrrrrhoLvTp",name="a \\"quoted\\"\\\\name\\nx"} 0',
    ]);
    expect(promtoolCheckMetrics(body).status).toBe(0);
  });

  test('two tokens whose names decode alike never share a series: the later one keeps its hex code', async () => {
    const holder = 'rrrrrrrrrrrrrrrrrrrrrhoLvTp';
    const issuer = 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q';
    const metrics = createMetrics(options({ accounts: [{ address: holder, name: 'h', group: null }] }));
    const upper = '78436F696E000000000000000000000000000000';
    for (const currency of [upper, upper.toLowerCase()]) {
      metrics.recordReceipts({
        account: holder,
        txType: 'Payment',
        partial: false,
        closeTime: 1,
        received: [{ asset: { kind: 'token', currency, issuer }, value: new Big(1) }],
      });
    }
    const { body } = await metrics.render();
    expect(samples(body, 'xrpl_received_amount_total').map((l) => /currency="([^"]*)"/.exec(l)?.[1])).toEqual(
      ['XRP', 'xCoin', upper.toLowerCase()],
    );
    expect(promtoolCheckMetrics(body).status).toBe(0);
  });
});

describe('/metrics over HTTP: gzip when the scraper accepts it', () => {
  let running: RunningHttpServer | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  /** node:http, which (unlike fetch) hands over the body exactly as sent. */
  function get(port: number, headers: Record<string, string>, method = 'GET') {
    return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/metrics', method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('negotiates, says so in Content-Encoding and Vary, and decompresses to the identical, promtool-clean text', async () => {
    const metrics = fedMetrics(true);
    const app = createHttpApp({
      renderMetrics: (gzip) => metrics.renderForScrape(gzip),
      isReady: () => true,
      getStatus: () => sampleSnapshot(),
      reload: async () => ({ ok: true }),
      version: '1',
      logger: silentLogger,
    });
    running = await startHttpServer({
      app,
      listenAddress: '127.0.0.1:0',
      webConfig: null,
      logger: silentLogger,
    });
    const { port } = running.address;

    // Prometheus' header; then the same exposition without compression (process metrics move between
    // scrapes, so the payment families and the exporter's own metrics are compared, see below).
    const gzip = await get(port, { 'Accept-Encoding': 'gzip' });
    const plain = await get(port, {});
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.headers.vary).toBe('Accept-Encoding');
    expect(gzip.headers['content-type']).toBe(METRICS_CONTENT_TYPE);
    expect(gzip.headers['content-length']).toBe(String(gzip.body.length));
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const text = gunzipSync(gzip.body).toString();
    const stable = (t: string) =>
      t.split('\n').filter((line) => line !== '' && !/^(# \w+ )?(process|nodejs)_/.test(line));
    expect(stable(text)).toEqual(stable(plain.body.toString()));
    expect(gzip.body.length).toBeLessThan(plain.body.length / 2);
    expect(promtoolCheckMetrics(text)).toEqual({ status: 0, output: '' });

    // Byte for byte: without process metrics nothing moves between scrapes.
    const still = fedMetrics();
    const expected = (await still.render()).body;
    expect(gunzipSync(Buffer.concat((await still.renderForScrape(true)).body)).toString()).toBe(expected);
    expect(Buffer.concat((await still.renderForScrape(false)).body).toString()).toBe(expected);

    for (const [accept, encoded] of [
      ['gzip, deflate, br', true],
      ['*', true],
      ['gzip;q=0', false],
      ['identity', false],
      ['deflate', false],
      ['gzip;q=0.5, identity', false],
    ] as const) {
      const response = await get(port, { 'Accept-Encoding': accept });
      expect(response.headers['content-encoding'], accept).toBe(encoded ? 'gzip' : undefined);
      const body = encoded ? gunzipSync(response.body) : response.body;
      expect(body.toString().startsWith('# HELP xrpl_payments_received_total'), accept).toBe(true);
    }
    const head = await get(port, { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(head.body.length).toBe(0);
  });
});
