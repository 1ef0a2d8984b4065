import Big from 'big.js';
import { isValidClassicAddress } from 'ripple-address-codec';
import { afterEach, describe, expect, it } from 'vitest';
import { getBalanceChanges, type TransactionMetadata } from 'xrpl';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import {
  addressesIn,
  buildHistory,
  createRng,
  fixtureTransactions,
  fixtureTx,
  paymentsScenario,
  remapAddresses,
} from '../support/history.js';
import { RawClient } from './raw-client.js';

describe('createRng', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.int(1000));
    expect(Array.from({ length: 20 }, () => b.int(1000))).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.int(1000))).not.toEqual(seqA);
    expect(seqA.every((n) => n >= 0 && n < 1000)).toBe(true);
  });
});

describe('remapAddresses', () => {
  it('replaces every occurrence of a mapped address and nothing else', () => {
    const original = fixtureTx('explorer/Payment/Payment.json');
    const sender = 'rNQEMJA4PsoSrZRn9J6RajAYhcDzzhf8ok';
    const target = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
    const remapped = remapAddresses(original, new Map([[sender, target]]), 'AB'.repeat(32));
    expect(addressesIn(remapped)).not.toContain(sender);
    expect(remapped.tx.Account).toBe(target);
    expect(getAffectedAccounts(remapped.meta)).toContain(target);
    expect(remapped.tx.Destination).toBe(original.tx.Destination);
    expect(remapped.hash).toBe('AB'.repeat(32));
    expect(JSON.stringify(remapped.meta).split(target).length - 1).toBe(
      JSON.stringify(original.meta).split(sender).length - 1,
    );
  });
});

describe('buildHistory', () => {
  const history = buildHistory({ seed: 7, ledgers: 500, transactions: 2000, accounts: 5 });
  const all = history.ledgers.flatMap((l) => l.transactions);

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(buildHistory({ seed: 7, ledgers: 500, transactions: 2000, accounts: 5 }))).toBe(
      JSON.stringify(history),
    );
    expect(buildHistory({ seed: 8, ledgers: 20, transactions: 50 }).accounts).not.toEqual(history.accounts);
  });

  it('has the requested size, fresh unique hashes, valid accounts and some empty ledgers', () => {
    expect(history.ledgers).toHaveLength(500);
    expect(all).toHaveLength(2000);
    expect(new Set(all.map((t) => t.hash)).size).toBe(2000);
    expect(all.every((t) => /^[0-9A-F]{64}$/.test(t.hash))).toBe(true);
    expect(history.accounts).toHaveLength(5);
    expect(history.accounts.every((a) => isValidClassicAddress(a))).toBe(true);
    expect(history.ledgers.some((l) => l.transactions.length === 0)).toBe(true);
  });

  it('touches a watched account in every transaction, across many types and XRP, token and MPT entries', () => {
    const watched = new Set(history.accounts);
    const types = new Set<string>();
    const entryKinds = new Set<string>();
    for (const t of all) {
      expect(getAffectedAccounts(t.meta).some((a) => watched.has(a))).toBe(true);
      types.add(String(t.tx.TransactionType));
      // biome-ignore lint/suspicious/noExplicitAny: walking raw metadata; a wrong path fails the assertions.
      for (const node of t.meta.AffectedNodes as Array<Record<string, Record<string, any>>>) {
        const inner = Object.values(node)[0]!;
        const fields = { ...inner.NewFields, ...inner.FinalFields };
        const parties = [fields.Account, fields.LowLimit?.issuer, fields.HighLimit?.issuer];
        if (parties.some((p) => watched.has(p))) entryKinds.add(inner.LedgerEntryType);
      }
    }
    expect(types.size).toBeGreaterThanOrEqual(15);
    expect(entryKinds).toContain('AccountRoot');
    expect(entryKinds).toContain('RippleState');
    expect(entryKinds).toContain('MPToken');
    const perAccount = history.accounts.map(
      (a) => all.filter((t) => getAffectedAccounts(t.meta).includes(a)).length,
    );
    expect(Math.min(...perAccount)).toBeGreaterThan(100);
  });

  it('draws on every fixture transaction', () => {
    expect(new Set(all.map((t) => t.source)).size).toBe(fixtureTransactions().length);
  });
});

describe('paymentsScenario', () => {
  let fake: FakeRippled | undefined;
  afterEach(async () => fake?.close());

  it('credits exactly the expected receipts, as xrpl.js getBalanceChanges sees them', () => {
    const s = paymentsScenario();
    expect(s.ledgers).toHaveLength(7);
    expect(s.ledgers[4]!.transactions).toHaveLength(0);
    for (const receipt of s.expected) {
      const tx = s.ledgers.flatMap((l) => l.transactions).find((t) => t.hash === receipt.hash)!;
      const changes = getBalanceChanges(tx.meta as unknown as TransactionMetadata);
      const mine = changes.find((c) => c.account === receipt.account)!.balances;
      const match = mine.find((b) => b.currency === receipt.currency && b.issuer === receipt.issuer);
      expect(match && new Big(match.value).eq(receipt.value)).toBe(true);
    }
  });

  it('delivers to each watched account only its own transactions through the fake', async () => {
    const s = paymentsScenario();
    fake = await FakeRippled.start();
    fake.addLedgers(s.ledgers);
    const [a, b] = await Promise.all([RawClient.connect(fake.url), RawClient.connect(fake.url)]);
    await a.request({ command: 'subscribe', accounts: [s.accounts[0]], api_version: 2 });
    await b.request({ command: 'subscribe', accounts: [s.accounts[1]], api_version: 2 });
    await fake.publishAll();
    await a.request({ command: 'ping' });
    await b.request({ command: 'ping' });
    const hashes = (c: RawClient) => c.stream().map((m) => m.hash);
    const at = (i: number) => s.ledgers[i]!.transactions[0]!.hash;
    expect(hashes(a)).toEqual([at(0), at(2), at(6)]);
    expect(hashes(b)).toEqual([at(1), at(3)]);
    a.close();
    b.close();
  });
});
