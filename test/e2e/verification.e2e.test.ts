import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../src/server/status.js';
import type { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { closedAfterEach } from '../support/exporter-harness.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { h, payment, WATCHED } from '../support/watched-payments.js';

describe('self-verification and network identity (the built exporter)', () => {
  const run = closedAfterEach();

  function start(servers: readonly FakeRippled[], extra: readonly string[] = []) {
    const config = configFile('verify', [
      ...watcherYaml(
        servers.map((s) => s.url),
        { watched: WATCHED },
        extra,
      ),
      'verification:',
      '  interval: 1s',
    ]);
    return run.start(config);
  }

  it('when the only server lies, ends unverified with the exact range, and never counts twice', async () => {
    const fake = await run.fake();
    const base = await start([fake]);
    const first = fake.addLedger([payment(1)]).index;
    fake.addLedger([]);
    const hidden = fake.addLedger([payment(2)]).index;
    fake.addLedger([]);
    fake.addLedger([payment(3)]);
    fake.addLedger([]);
    fake.omitTransactions([h(2)]);
    await fake.publishAll();

    const status = await waitFor(
      'the account reported unverified',
      async () => {
        const body = (await (await fetch(`${base}/api/status`)).json()) as {
          accounts: Array<{ address: string; verification: { unverifiedRanges: string[] } | null }>;
        };
        const account = body.accounts.find((a) => a.address === WATCHED);
        return account?.verification?.unverifiedRanges.length ? account.verification : undefined;
      },
      20_000,
    );
    // The hole: after the last transaction processed for the AccountRoot, up to the hidden one's ledger.
    expect(status.unverifiedRanges).toEqual([`${first + 1}-${hidden}`]);
    // Several check rounds later (interval 1s), still the two payments it saw, once each. A round reads
    // the account's objects; counting those reads proves the rounds ran, however slow the machine is.
    const rounds = () => fake.requests.filter((r) => r.command === 'account_objects').length;
    const seen = rounds();
    await waitFor('three more check rounds', () => (rounds() >= seen + 6 ? true : undefined), 20_000);
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const labels = { account: WATCHED, name: 'watched' };
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' })).toBe(40);
    expect(sampleValue(samples, 'xrpl_account_unverified', labels)).toBe(1);
    expect(sampleValue(samples, 'xrpl_verification_breaks_total', labels)).toBe(1);
    expect(sampleValue(samples, 'xrpl_verification_repaired_transactions_total')).toBe(0);
    expect(run.exporter.output()).toMatch(new RegExp(`break not repaired.*ledgers=${first + 1}-${hidden}`));
    // The health summary: XRPLAccountUnverified pending (it fires after 10 minutes), the account counted.
    const tile = await waitFor(
      'the accounts tile turning amber',
      async () => {
        const body = (await (await fetch(`${base}/api/status`)).json()) as StatusSnapshot;
        const accounts = body.health.find((h) => h.area === 'accounts');
        return accounts?.level === 'warning' ? accounts : undefined;
      },
      20_000,
    );
    expect(tile.summary).toBe('1 account watched: 0 verified, 1 unverified');
    expect(tile.alerts).toMatchObject([
      { alert: 'XRPLAccountUnverified', state: 'pending', labels: { account: WATCHED, name: 'watched' } },
    ]);
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain(`ledgers ${first + 1}-${hidden}`);
  });

  it('repairs from a second server what the first one hides, and proves the account', async () => {
    const liar = await run.fake();
    const honest = await run.fake();
    const base = await start([liar, honest]);
    for (const fake of [liar, honest]) {
      fake.addLedger([payment(1)]);
      fake.addLedger([payment(2)]);
      fake.addLedger([]);
    }
    // The hidden payment is the account's last one: only the state check can find it.
    liar.omitTransactions([h(2)]);
    await Promise.all([liar.publishAll(), honest.publishAll()]);
    const labels = { account: WATCHED, name: 'watched' };
    await waitFor(
      'the hidden payment repaired and the account verified',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' }) === 40 &&
          sampleValue(s, 'xrpl_account_unverified', labels) === 0 &&
          (sampleValue(s, 'xrpl_account_verified_ledger', labels) ?? 0) >= liar.validatedLedgerIndex - 1
          ? true
          : undefined;
      },
      20_000,
    );
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(samples, 'xrpl_verification_repaired_transactions_total')).toBe(1);
  });

  it('never repairs from a server of another network later in the list (side connections are checked)', async () => {
    const liar = await run.fake({ networkId: 0 });
    const testnet = await run.fake({ networkId: 1 });
    const base = await start([liar, testnet], ['network_id: 0']);
    for (const fake of [liar, testnet]) {
      fake.addLedger([payment(1)]);
      fake.addLedger([payment(2)]);
      fake.addLedger([]);
    }
    // Only the other network's server holds the hidden payment: repairing from it would count it.
    liar.omitTransactions([h(2)]);
    await Promise.all([liar.publishAll(), testnet.publishAll()]);
    const labels = { account: WATCHED, name: 'watched' };
    const samples = await waitFor(
      'the break left unrepaired and the other network refused',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_account_unverified', labels) === 1 &&
          sampleValue(s, 'xrpl_servers_refused_total', { server: testnet.url, reason: 'network_id' }) === 1
          ? s
          : undefined;
      },
      20_000,
    );
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' })).toBe(20);
    expect(sampleValue(samples, 'xrpl_verification_repaired_transactions_total')).toBe(0);
    // Asked who it is, then closed: never asked for ledger data.
    const asked = new Set(testnet.requests.map((r) => r.command));
    expect([...asked]).toEqual(['server_info']);
    expect(run.exporter.output()).toMatch(
      /server refused: another network.*network_id 1, xrpl.network_id is 0/,
    );
  });

  it('refuses a server of another network first in the list, and never counts its payments', async () => {
    const testnet = await run.fake({ networkId: 1 });
    const mainnet = await run.fake({ networkId: 0 });
    const base = await start([testnet, mainnet], ['network_id: 0']);
    testnet.addLedger([payment(7), payment(8), payment(9)]);
    mainnet.addLedger([payment(1)]);
    for (const fake of [testnet, mainnet]) fake.addLedger([]);
    await Promise.all([testnet.publishAll(), mainnet.publishAll()]);
    const labels = { account: WATCHED, name: 'watched' };
    await waitFor(
      'the mainnet payment',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' }) === 20
          ? true
          : undefined;
      },
      20_000,
    );
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(
      sampleValue(samples, 'xrpl_servers_refused_total', { server: testnet.url, reason: 'network_id' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'xrpl_stream_connected', { server: testnet.url })).toBe(0);
    // Never subscribed to: the refused server saw no subscribe request.
    expect(testnet.requests.filter((r) => r.command === 'subscribe')).toEqual([]);
    expect(run.exporter.output()).toMatch(
      /server refused: another network.*network_id 1, xrpl.network_id is 0/,
    );
  });

  it('judges a server that does not answer server_info by the network its ledger stream states', async () => {
    const testnet = await run.fake({ networkId: 1 });
    const mainnet = await run.fake({ networkId: 0 });
    // server_info times out: the subscribe answer and ledgerClosed (rippled 2.6+) still say network 1.
    testnet.ignoreRequests('server_info');
    const base = await start([testnet, mainnet], ['network_id: 0', 'request_timeout: 1s']);
    testnet.addLedger([payment(7), payment(8), payment(9)]);
    mainnet.addLedger([payment(1)]);
    for (const fake of [testnet, mainnet]) fake.addLedger([]);
    await Promise.all([testnet.publishAll(), mainnet.publishAll()]);
    const labels = { account: WATCHED, name: 'watched' };
    const samples = await waitFor(
      'the mainnet payment, and the testnet server refused',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' }) === 20 &&
          sampleValue(s, 'xrpl_servers_refused_total', { server: testnet.url, reason: 'network_id' }) === 1
          ? s
          : undefined;
      },
      20_000,
    );
    expect(sampleValue(samples, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' })).toBe(20);
    expect(run.exporter.output()).toMatch(
      /server refused: another network.*network_id 1, xrpl.network_id is 0/,
    );
  });
});
