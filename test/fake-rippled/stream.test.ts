import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { loadFixture } from '../support/fixtures.js';
import { RawClient } from './raw-client.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

const V2_PAYMENT = 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json';
const V1_OFFER = 'xrpl.js/rippled/streams/transaction.json';
const XRP_PAYMENT = 'explorer/Payment/PaymentWithDestinationTag.json';
const FAILED_SELF_PAYMENT = 'explorer/Payment/PaymentWithConvert.json';

let fake: FakeRippled;
let clients: RawClient[];

beforeEach(async () => {
  fake = await FakeRippled.start();
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  await fake.close();
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(fake.url);
  clients.push(c);
  return c;
}

/** A request/response round trip after publishing: everything published before it has arrived. */
async function barrier(c: RawClient): Promise<void> {
  await c.request({ command: 'ping' });
}

describe('transaction stream shapes', () => {
  it('publishes the dev-portal v2 payment message exactly, to an API v2 subscriber', async () => {
    const expected = loadFixture<Json>(V2_PAYMENT);
    fake = await restartAt(expected.ledger_index - 1, new Date('2024-11-01T23:58:57Z'));
    const c = await client();
    await c.request({ command: 'subscribe', accounts: [expected.tx_json.Destination], api_version: 2 });
    const header = fake.addLedger([expected], { closeTime: new Date(expected.close_time_iso) });
    await fake.publishNext();
    const message = await c.waitFor((m) => m.type === 'transaction');

    // The fake makes its own ledger hash and puts the tx first in its ledger; all else is rippled's.
    const want = { ...expected, ledger_hash: header.hash, meta: { ...expected.meta, TransactionIndex: 0 } };
    expect(message).toEqual(want);
    expect(Object.keys(message)).toEqual(Object.keys(expected));
    expect(Object.keys(message.tx_json)).toEqual(Object.keys(expected.tx_json));
  });

  it('gives an API v1 subscriber `transaction` with hash, date, Amount and DeliverMax, and no top-level hash', async () => {
    const v2 = loadFixture<Json>(V2_PAYMENT);
    const c = await client();
    await c.request({ command: 'subscribe', accounts: [v2.tx_json.Destination] });
    const header = fake.addLedger([v2]);
    await fake.publishNext();
    const message = await c.waitFor((m) => m.type === 'transaction');

    const realV1 = loadFixture<Json>(V1_OFFER);
    for (const key of Object.keys(realV1)) expect(message).toHaveProperty(key);
    expect(message.hash).toBeUndefined();
    expect(message.tx_json).toBeUndefined();
    const { DeliverMax, ...rest } = v2.tx_json;
    expect(message.transaction).toEqual({
      ...rest,
      Amount: DeliverMax,
      DeliverMax,
      date: header.closeTime,
      hash: v2.hash,
    });
    expect(message.close_time_iso).toBe(header.closeTimeIso);
    expect(message.ledger_index).toBe(header.index);
    expect(message.meta.delivered_amount).toBe('20000000');
  });

  it('inserts delivered_amount from the tx Amount when the metadata has none', async () => {
    const fixture = loadFixture<Json>(XRP_PAYMENT);
    delete fixture.meta.delivered_amount;
    const c = await client();
    await c.request({ command: 'subscribe', accounts: [fixture.tx.Destination], api_version: 2 });
    fake.addLedger([fixture]);
    await fake.publishNext();
    const message = await c.waitFor((m) => m.type === 'transaction');
    expect(message.meta.delivered_amount).toBe(fixture.tx.Amount);
    expect(message.tx_json.DeliverMax).toBe(fixture.tx.Amount);
    expect(message.tx_json.Amount).toBeUndefined();
  });

  it('uses the api_version of the connection’s last subscribe for every stream', async () => {
    const fixture = loadFixture<Json>(XRP_PAYMENT);
    const c = await client();
    await c.request({ command: 'subscribe', accounts: [fixture.tx.Destination], api_version: 2 });
    await c.request({ command: 'subscribe', streams: ['ledger'], api_version: 1 });
    fake.addLedger([fixture]);
    await fake.publishNext();
    const message = await c.waitFor((m) => m.type === 'transaction');
    expect(message.transaction).toBeDefined();
    expect(message.tx_json).toBeUndefined();
  });
});

describe('which transactions reach which subscriber', () => {
  it('sends ledgerClosed first, then only the transactions touching the subscribed accounts, once each', async () => {
    const payment = loadFixture<Json>(XRP_PAYMENT);
    const failed = loadFixture<Json>(FAILED_SELF_PAYMENT);
    const offer = loadFixture<Json>(V1_OFFER);
    const watcher = await client();
    // Both parties of the payment are watched: still one message for the tx.
    await watcher.request({
      command: 'subscribe',
      accounts: [payment.tx.Account, payment.tx.Destination],
      streams: ['ledger'],
      api_version: 2,
    });
    const bystander = await client();
    await bystander.request({ command: 'subscribe', streams: ['ledger'], api_version: 2 });
    const header = fake.addLedger([failed, payment, offer]);
    await fake.publishNext();
    await barrier(watcher);
    await barrier(bystander);

    const stream = watcher.stream();
    expect(stream.map((m) => m.type)).toEqual(['ledgerClosed', 'transaction']);
    expect(stream[0]).toMatchObject({ ledger_index: header.index, ledger_hash: header.hash, txn_count: 3 });
    expect(stream[1]!.hash).toBe(payment.hash);
    expect(stream[1]!.meta.TransactionIndex).toBe(1);
    expect(bystander.stream().map((m) => m.type)).toEqual(['ledgerClosed']);
  });

  it('does not send a failed payment to its destination (metadata does not touch it)', async () => {
    const fixture = loadFixture<Json>(XRP_PAYMENT);
    fixture.meta = {
      AffectedNodes: [
        fixture.meta.AffectedNodes.find(
          (n: Json) => n.ModifiedNode?.FinalFields?.Account === fixture.tx.Account,
        ),
      ],
      TransactionIndex: 0,
      TransactionResult: 'tecPATH_DRY',
    };
    const sender = await client();
    await sender.request({ command: 'subscribe', accounts: [fixture.tx.Account] });
    const destination = await client();
    await destination.request({ command: 'subscribe', accounts: [fixture.tx.Destination] });
    fake.addLedger([fixture]);
    await fake.publishNext();
    await barrier(sender);
    await barrier(destination);
    expect(sender.stream()).toHaveLength(1);
    expect(sender.stream()[0]).toMatchObject({ engine_result: 'tecPATH_DRY', engine_result_code: 128 });
    expect(sender.stream()[0]!.meta.delivered_amount).toBeUndefined();
    expect(destination.stream()).toHaveLength(0);
  });

  it('sends every transaction to a `transactions` stream subscriber, and nothing after unsubscribe', async () => {
    const c = await client();
    await c.request({ command: 'subscribe', streams: ['transactions'] });
    fake.addLedger([loadFixture(XRP_PAYMENT), loadFixture(V1_OFFER)]);
    await fake.publishNext();
    await barrier(c);
    expect(c.stream()).toHaveLength(2);
    await c.request({ command: 'unsubscribe', streams: ['transactions'] });
    fake.addLedger([loadFixture(FAILED_SELF_PAYMENT)]);
    await fake.publishNext();
    await barrier(c);
    expect(c.stream()).toHaveLength(2);
  });
});

async function restartAt(firstLedgerIndex: number, startTime: Date): Promise<FakeRippled> {
  await fake.close();
  return FakeRippled.start({ firstLedgerIndex, startTime });
}
