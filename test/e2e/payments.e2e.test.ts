import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { paymentsScenario } from '../support/history.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');

describe.each([1, 2] as const)('the built exporter against a fake rippled speaking API v%i', (apiVersion) => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;

  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
  });

  it('counts exactly the scripted receipts of two watched accounts and nothing else', async () => {
    const history = paymentsScenario(7);
    const [alice, bob] = history.accounts as [string, string];
    fake = await FakeRippled.start();
    fake.setAccountBalance(alice, 50_000_000_000n);
    fake.setAccountBalance(bob, 20_000_000n);
    const config = configFile('e2e', watcherYaml([fake.url], { alice, bob }, [`api_version: ${apiVersion}`]));
    const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
    // Starting balances come from account_info before any payment.
    await waitFor(
      'starting balance',
      async () => {
        const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(samples, 'xrpl_balance', { name: 'bob', currency: 'XRP' }) === 20
          ? true
          : undefined;
      },
      10_000,
    );

    fake.addLedgers(history.ledgers);
    fake.addLedger([]); // closes the last scripted ledger
    await fake.publishAll();

    const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
    const samples = await waitFor(
      'the last receipt',
      async () => {
        const s = await scrape();
        return sampleValue(s, 'xrpl_partial_payments_received_total', { name: 'alice' }) === 1
          ? s
          : undefined;
      },
      15_000,
    );
    const a = { account: alice, name: 'alice' };
    const b = { account: bob, name: 'bob' };
    const usd = { currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' };
    const xrp = { currency: 'XRP', issuer: '' };
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...a, ...xrp })).toBe(1531.271456);
    expect(sampleValue(samples, 'xrpl_payments_received_total', { ...a, ...xrp, type: 'Payment' })).toBe(2);
    expect(sampleValue(samples, 'xrpl_last_received_amount', { ...a, ...xrp })).toBe(0.004456);
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...b, ...usd })).toBe(0.01);
    expect(sampleValue(samples, 'xrpl_payments_received_total', { ...b, ...usd, type: 'Payment' })).toBe(1);
    // Bob's failed payment and Alice's outgoing payment count nothing.
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...b, ...xrp })).toBe(0);
    expect(sampleValue(samples, 'xrpl_partial_payments_received_total', b)).toBe(0);
    expect(sampleValue(samples, 'xrpl_received_payment_size_xrp_count', a)).toBe(2);
    expect(sampleValue(samples, 'xrpl_received_payment_size_xrp_bucket', { ...a, le: '1' })).toBe(1);
    expect(sampleValue(samples, 'xrpl_received_payment_size_xrp_bucket', { ...a, le: '10000' })).toBe(2);
    expect(sampleValue(samples, 'xrpl_up')).toBe(1);
    expect(sampleValue(samples, 'xrpl_validated_ledger_index')).toBe(fake.lastLedgerIndex);
    expect(sampleValue(samples, 'xrpl_invalid_messages_total')).toBe(0);
    expect(sampleValue(samples, 'xrpl_ledger_gaps_total')).toBe(0);
    expect(sampleValue(samples, 'xrpl_stream_connected', { server: fake.url })).toBe(1);
    // Alice's balance follows the metadata of her last transaction (her outgoing payment).
    const lastBalance = sampleValue(samples, 'xrpl_balance', { ...a, ...xrp });
    expect(lastBalance).not.toBe(50_000);

    // Garbage from the server is counted and logged, never counted as value and never fatal.
    fake.sendRaw('{"this is": not json');
    fake.sendRaw(JSON.stringify({ type: 'surprise', ledger_index: 'x' }));
    fake.respondToUnknownId();
    fake.sendRaw(
      JSON.stringify({ type: 'transaction', validated: true, ledger_index: fake.lastLedgerIndex + 5 }),
    );
    const afterGarbage = await waitFor(
      'invalid messages counted',
      async () => {
        const s = await scrape();
        return sampleValue(s, 'xrpl_invalid_messages_total') === 4 ? s : undefined;
      },
      10_000,
    );
    expect(sampleValue(afterGarbage, 'xrpl_received_amount_total', { ...a, ...xrp })).toBe(1531.271456);
    expect(sampleValue(afterGarbage, 'xrpl_up')).toBe(1);

    const body = await (await fetch(`${base}/metrics`)).text();
    expect(() =>
      execFileSync('promtool', ['check', 'metrics'], { input: body, stdio: ['pipe', 'pipe', 'pipe'] }),
    ).not.toThrow();
  });
});
