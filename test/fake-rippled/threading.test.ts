import { afterEach, describe, expect, it } from 'vitest';
import { openEnvelope } from '../../src/accounting/envelope.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { entryTouches, WatchIndex } from '../../src/verification/links.js';
import { buildHistory } from '../support/history.js';
import { RawClient } from './raw-client.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

let fake: FakeRippled;
let client: RawClient;

afterEach(async () => {
  client?.close();
  await fake?.close();
});

async function allAccountTx(account: string): Promise<Json[]> {
  const out: Json[] = [];
  let marker: unknown;
  do {
    const r = await client.request({
      command: 'account_tx',
      account,
      forward: true,
      api_version: 2,
      ...(marker ? { marker } : {}),
    });
    out.push(...r.result.transactions);
    marker = r.result.marker;
  } while (marker);
  return out;
}

describe('threading of replayed fixtures', () => {
  it('links every entry of every account to the transaction that last modified it, and account_info / account_objects agree at every ledger', async () => {
    fake = await FakeRippled.start({ firstLedgerIndex: 1000 });
    const history = buildHistory({ seed: 7, ledgers: 60, transactions: 250, accounts: 3 });
    fake.addLedgers(history.ledgers);
    await fake.publishAll();
    client = await RawClient.connect(fake.url);
    const watch = new WatchIndex(history.accounts);
    let links = 0;
    for (const account of history.accounts) {
      const last = new Map<string, { tx: string; ledger: number; drops: bigint | null }>();
      const entries = await allAccountTx(account);
      for (const [i, entry] of entries.entries()) {
        const meta = openEnvelope(entry).meta!;
        for (const t of entryTouches(meta, watch)) {
          if (t.account !== account) continue;
          const known = last.get(t.entry);
          if (t.previous) {
            if (known)
              expect(t.previous, `${entry.hash} ${t.entry}`).toEqual({ tx: known.tx, ledger: known.ledger });
            else expect(t.previous.ledger).toBeLessThan(1000);
            links++;
          }
          last.set(t.entry, { tx: entry.hash, ledger: entry.ledger_index, drops: t.xrpDropsAfter });
        }
        // The state at that ledger shows the AccountRoot as its last transaction left it.
        if (entries[i + 1]?.ledger_index === entry.ledger_index) continue;
        const info = await client.request({
          command: 'account_info',
          account,
          ledger_index: entry.ledger_index,
        });
        const root = [...last].find(([id]) => id === info.result?.account_data?.index)?.[1];
        if (root) {
          expect(info.result.account_data.PreviousTxnID).toBe(root.tx);
          if (root.drops !== null) expect(BigInt(info.result.account_data.Balance)).toBe(root.drops);
        }
      }
      const objects = await client.request({
        command: 'account_objects',
        account,
        type: 'state',
        ledger_index: 'validated',
        limit: 400,
      });
      for (const object of objects.result.account_objects) {
        expect(last.get(object.index)?.tx, object.index).toBe(object.PreviousTxnID);
      }
    }
    expect(links).toBeGreaterThan(100);
  });

  it('serves tx by hash, account_info at an older ledger, and lies about omitted transactions', async () => {
    fake = await FakeRippled.start({ firstLedgerIndex: 1000 });
    const history = buildHistory({ seed: 3, ledgers: 10, transactions: 30, accounts: 2 });
    fake.addLedgers(history.ledgers);
    await fake.publishAll();
    client = await RawClient.connect(fake.url);
    const [first] = await allAccountTx(history.accounts[0]!);
    const byHash = await client.request({ command: 'tx', transaction: first!.hash, api_version: 2 });
    expect(byHash.result).toMatchObject({
      hash: first!.hash,
      ledger_index: first!.ledger_index,
      validated: true,
    });
    expect((await client.request({ command: 'tx', transaction: '0'.repeat(64) })).error).toBe('txnNotFound');
    expect(
      (await client.request({ command: 'account_info', account: history.accounts[0], ledger_index: 5 }))
        .error,
    ).toBe('lgrNotFound');

    const before = await client.request({
      command: 'account_info',
      account: history.accounts[0],
      ledger_index: 'validated',
    });
    fake.omitTransactions([first!.hash]);
    expect((await client.request({ command: 'tx', transaction: first!.hash })).error).toBe('txnNotFound');
    expect((await allAccountTx(history.accounts[0]!)).map((e) => e.hash)).not.toContain(first!.hash);
    const ledger = await client.request({
      command: 'ledger',
      ledger_index: first!.ledger_index,
      transactions: true,
    });
    expect(ledger.result.ledger.transactions).not.toContain(first!.hash);
    // The state still holds what the omitted transaction did.
    const after = await client.request({
      command: 'account_info',
      account: history.accounts[0],
      ledger_index: 'validated',
    });
    expect(after.result.account_data).toEqual(before.result.account_data);
  });

  it('leaves omitted transactions out of the stream', async () => {
    fake = await FakeRippled.start({ firstLedgerIndex: 1000, networkId: 21337 });
    const history = buildHistory({ seed: 5, ledgers: 5, transactions: 20, accounts: 1 });
    const hidden = history.ledgers.flatMap((l) => l.transactions.map((t) => t.hash)).slice(0, 3);
    fake.omitTransactions(hidden);
    client = await RawClient.connect(fake.url);
    const sub = await client.request({
      command: 'subscribe',
      accounts: history.accounts,
      streams: ['ledger'],
    });
    expect(sub.result.network_id).toBe(21337);
    fake.addLedgers(history.ledgers);
    await fake.publishAll();
    await client.waitFor((m) => m.type === 'ledgerClosed' && m.ledger_index === fake.validatedLedgerIndex);
    const sent = client.messages.filter((m) => m.type === 'transaction').map((m) => m.transaction.hash);
    expect(sent.length).toBeGreaterThan(0);
    for (const hash of hidden) expect(sent).not.toContain(hash);
  });
});
