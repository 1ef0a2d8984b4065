import { describe, expect, it } from 'vitest';
import { RequestConnection } from '../../src/rippled/request-connection.js';
import type { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { closedAfterEach } from '../support/exporter-harness.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { waitFor } from '../support/processes.js';
import { h, payment, WATCHED } from '../support/watched-payments.js';

/** The XRP balance a server's account_info gives on its newest validated ledger, in XRP. */
async function accountInfoXrp(fake: FakeRippled, account: string): Promise<number> {
  const connection = await RequestConnection.connect(fake.url, { apiVersion: 2 });
  try {
    const result = (await connection.request({
      command: 'account_info',
      account,
      ledger_index: 'validated',
    })) as { account_data: { Balance: string } };
    return Number(result.account_data.Balance) / 1_000_000;
  } finally {
    await connection.close();
  }
}

/** Issue 13, L2b: the balance after a ledger is the one after its last transaction, whatever the arrival order. */
describe('the built exporter, two payments to one account in one ledger', () => {
  const run = closedAfterEach();

  it('keeps the balance after the later one (TransactionIndex) when a repair delivers the earlier one last', async () => {
    const liar = await run.fake();
    const honest = await run.fake();
    const config = configFile('balance-order', [
      ...watcherYaml([liar.url, honest.url], { watched: WATCHED }),
      'verification:',
      '  interval: 1s',
    ]);
    const base = await run.start(config);
    // One ledger: payment 1 at TransactionIndex 0, payment 2 at 1 (the fake numbers them in order).
    for (const fake of [liar, honest]) {
      fake.addLedger([payment(1), payment(2)]);
      fake.addLedger([]);
    }
    // The stream brings payment 2 only; the link in its metadata leads the repair to payment 1.
    liar.omitTransactions([h(1)]);
    await Promise.all([liar.publishAll(), honest.publishAll()]);
    const labels = { account: WATCHED, name: 'watched' };
    const samples = await waitFor(
      'the hidden payment repaired',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_verification_repaired_transactions_total') === 1 &&
          sampleValue(s, 'xrpl_received_amount_total', { ...labels, currency: 'XRP' }) === 40
          ? s
          : undefined;
      },
      20_000,
    );
    const expected = await accountInfoXrp(honest, WATCHED);
    expect(sampleValue(samples, 'xrpl_balance', { ...labels, currency: 'XRP' })).toBe(expected);
  });
});
