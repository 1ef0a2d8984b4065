import { describe, expect, it } from 'vitest';
import type { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { type ConfigFile, configFile } from '../support/config-file.js';
import { closedAfterEach } from '../support/exporter-harness.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { h, payment, WATCHED } from '../support/watched-payments.js';

const LABELS = { account: WATCHED, name: 'watched' };

/** Repairs that take several attempts, a restart, and imported history (the built exporter). */
describe('self-verification repairs (the built exporter)', () => {
  const run = closedAfterEach();

  /** One account (YAML flow mapping) on these servers, with a state file and a check every second. */
  function configLines(servers: readonly FakeRippled[], account: string): string[] {
    return [
      'xrpl:',
      `  servers: [${servers.map((s) => `"${s.url}"`).join(', ')}]`,
      'accounts:',
      `  - ${account}`,
      'state:',
      '  path: ./state.json',
      'verification:',
      '  interval: 1s',
    ];
  }

  function config(servers: readonly FakeRippled[], account: string): ConfigFile {
    return configFile('verify-repair', configLines(servers, account));
  }

  async function metrics(base: string) {
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    return {
      received: sampleValue(samples, 'xrpl_received_amount_total', { ...LABELS, currency: 'XRP' }),
      unverified: sampleValue(samples, 'xrpl_account_unverified', LABELS),
      verifiedLedger: sampleValue(samples, 'xrpl_account_verified_ledger', LABELS) ?? 0,
      breaks: sampleValue(samples, 'xrpl_verification_breaks_total', LABELS),
      repaired: sampleValue(samples, 'xrpl_verification_repaired_transactions_total'),
    };
  }

  /** Waits for `rounds` more periodic checks (each reads account_objects) on the fake. */
  async function rounds(server: FakeRippled, rounds: number): Promise<void> {
    const count = () => server.requests.filter((r) => r.command === 'account_objects').length;
    const seen = count();
    await waitFor(`${rounds} check rounds`, () => (count() >= seen + rounds ? true : undefined), 20_000);
  }

  it('counts, logs and shows a break only the periodic check finds (the last payment left out)', async () => {
    const liar = await run.fake();
    const base = await run.start(config([liar], `{ address: ${WATCHED}, name: watched }`));
    const first = liar.addLedger([payment(1)]).index;
    liar.addLedger([]);
    const hidden = liar.addLedger([payment(2)]).index;
    liar.addLedger([]);
    liar.omitTransactions([h(2)]);
    await liar.publishAll();
    await waitFor(
      'the break counted',
      async () => ((await metrics(base)).breaks === 1 ? true : undefined),
      20_000,
    );
    await rounds(liar, 3);
    // Found again in every round: still one break.
    expect(await metrics(base)).toMatchObject({ received: 20, unverified: 1, breaks: 1, repaired: 0 });
    expect(run.exporter.output()).toMatch(
      new RegExp(`account state differs from the processed transactions.*ledgers=${first + 1}-${hidden}`),
    );
    expect(await (await fetch(`${base}/`)).text()).toContain(`ledgers ${first + 1}-${hidden}`);
  });

  it('a repair the server lets through in parts, across a restart, counts every payment once', async () => {
    const liar = await run.fake();
    const file = config([liar], `{ address: ${WATCHED}, name: watched }`);
    let base = await run.start(file);
    liar.addLedger([payment(1)]);
    for (const n of [2, 3, 4, 5]) liar.addLedger([payment(n)]);
    liar.addLedger([]);
    liar.omitTransactions([h(2), h(3), h(4)]);
    await liar.publishAll();
    await waitFor(
      'the break found',
      async () => ((await metrics(base)).breaks === 1 ? true : undefined),
      20_000,
    );

    // The server now holds the newest missing payment only: repaired, but the hole below it stays open.
    liar.revealTransactions([h(4)]);
    await waitFor(
      'payment 4 repaired',
      async () => ((await metrics(base)).received === 60 ? true : undefined),
      20_000,
    );
    await rounds(liar, 3);
    expect(await metrics(base)).toMatchObject({ received: 60, unverified: 1, repaired: 1 });

    // Stopped with the break open; started again once the server holds everything.
    await run.exporter.stop();
    liar.revealTransactions([h(2), h(3)]);
    base = await run.start(file);
    await waitFor(
      'the break repaired and the account verified',
      async () => ((await metrics(base)).unverified === 0 ? true : undefined),
      20_000,
    );
    await rounds(liar, 2);
    // Payments 2 and 3 repaired after the restart, payment 4 not counted again.
    expect(await metrics(base)).toMatchObject({ received: 100, unverified: 0, repaired: 2 });
  });

  it('an account dropped from the config across a restart and added again later is not repaired over the pause', async () => {
    const server = await run.fake();
    const watched = `{ address: ${WATCHED}, name: watched }`;
    const file = config([server], watched);
    let base = await run.start(file);
    server.addLedger([payment(1)]);
    server.addLedger([]);
    await server.publishAll();
    await waitFor(
      'payment 1',
      async () => ((await metrics(base)).received === 20 ? true : undefined),
      20_000,
    );
    await run.exporter.stop();

    // A run without it (another account watched): payments 2 and 3 go by unwatched.
    file.write(configLines([server], '{ address: rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt, name: other }'));
    base = await run.start(file);
    server.addLedger([payment(2)]);
    server.addLedger([payment(3)]);
    server.addLedger([]);
    await server.publishAll();
    const seen = server.validatedLedgerIndex;
    await waitFor(
      'the run without it past payment 3',
      async () => {
        const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return (sampleValue(samples, 'xrpl_validated_ledger_index') ?? 0) >= seen ? true : undefined;
      },
      20_000,
    );
    await run.exporter.stop();

    // Watched again: payment 4 links to payment 3, which nobody watched for it.
    file.write(configLines([server], watched));
    base = await run.start(file);
    server.addLedger([payment(4)]);
    server.addLedger([]);
    await server.publishAll();
    const last = server.validatedLedgerIndex - 1;
    await waitFor(
      'payment 4 and the account verified past it',
      async () => ((await metrics(base)).verifiedLedger >= last ? true : undefined),
      20_000,
    );
    await rounds(server, 2);
    const m = await metrics(base);
    // Payments 1 (its totals are kept in the state file) and 4, never 2 or 3.
    expect(m).toMatchObject({ received: 40, unverified: 0, breaks: 0, repaired: 0 });
  });

  it('proves an imported history: a payment its server left out is repaired from another, once', async () => {
    const liar = await run.fake();
    const honest = await run.fake();
    let since = 0;
    for (const server of [liar, honest]) {
      server.addLedger([payment(10)]);
      since = server.addLedger([payment(11)]).index;
      for (const n of [12, 13, 14]) server.addLedger([payment(n)]);
      server.addLedger([]);
      await server.publishAll();
    }
    liar.omitTransactions([h(12)]);
    const base = await run.start(
      config([liar, honest], `{ address: ${WATCHED}, name: watched, since: ${since} }`),
    );
    await waitFor(
      'the imported history',
      async () => ((await metrics(base)).received === 80 ? true : undefined),
      20_000,
    );
    for (const server of [liar, honest]) {
      server.addLedger([payment(15)]);
      server.addLedger([]);
      await server.publishAll();
    }
    const last = liar.validatedLedgerIndex - 1;
    await waitFor(
      'the live payment and the account verified past it',
      async () => {
        const m = await metrics(base);
        return m.received === 100 && m.verifiedLedger >= last ? true : undefined;
      },
      20_000,
    );
    // Payments 11-15, once each (10 is before since); the gap was one break, repaired once.
    expect(await metrics(base)).toMatchObject({ received: 100, unverified: 0, breaks: 1, repaired: 1 });
    expect(run.exporter.output()).toMatch(/break in an account’s transaction thread/);
  });
});
