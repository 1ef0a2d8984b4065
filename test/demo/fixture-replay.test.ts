import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import type { AssetAmount } from '../../src/accounting/types.js';
import { DEMO_ACCOUNTS } from '../../src/demo/config.js';
import { loadFixturePool } from '../../src/demo/fixture-pool.js';
import { FixtureReplay, rebaseXrpBalance } from '../../src/demo/fixture-replay.js';
import { STARTING_DROPS } from '../../src/demo/source.js';
import { remapText } from '../../src/simulator/remap.js';
import { createRng } from '../../src/simulator/rng.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

type Json = Record<string, unknown>;
const accounts = DEMO_ACCOUNTS.map((a) => a.address);
const pool = loadFixturePool(FIXTURES_DIR);

/** Received amounts as comparable text. */
function receivedText(received: readonly AssetAmount[]): string[] {
  return received.map((r) => `${JSON.stringify(r.asset)} ${r.value.toFixed()}`).sort();
}

/** The demo account's AccountRoot ModifiedNode balances, [before, after] in drops, if it has one. */
function rootBalances(meta: Json, account: string): [string | undefined, string] | null {
  for (const wrapper of meta.AffectedNodes as Json[]) {
    const node = wrapper.ModifiedNode as Json | undefined;
    const final = node?.FinalFields as Json | undefined;
    if (node?.LedgerEntryType === 'AccountRoot' && final?.Account === account) {
      return [
        (node.PreviousFields as Json | undefined)?.Balance as string | undefined,
        final.Balance as string,
      ];
    }
  }
  return null;
}

describe('the fixture pool', () => {
  it('finds the real transactions that credit someone, across transaction types', () => {
    expect(pool.files).toBeGreaterThanOrEqual(60);
    expect(pool.transactions.length).toBeGreaterThanOrEqual(40);
    const types = new Set(pool.transactions.map((t) => t.transactionType));
    for (const type of [
      'Payment',
      'CheckCash',
      'EscrowFinish',
      'AMMWithdraw',
      'AccountDelete',
      'NFTokenAcceptOffer',
    ]) {
      expect(types).toContain(type);
    }
    // The partial payment of the fixtures is replayable.
    expect(pool.transactions.map((t) => t.name)).toContain(
      'xrpl.js/rippled/streams/partialPaymentTransaction.json',
    );
    // Failed transactions credit nobody.
    expect(pool.transactions.map((t) => t.name)).not.toContain('explorer/Payment/PaymentWithConvert.json');
    for (const t of pool.transactions) expect(t.receivers.length).toBeGreaterThan(0);
  });

  it('gives every replayed receiver exactly what the original receiver got', () => {
    let checked = 0;
    for (const source of pool.transactions) {
      const { tx, meta } = JSON.parse(source.text) as { tx: Json; meta: Json };
      const original = analyzeTransaction({ tx, meta }, 'all');
      for (const receiver of source.receivers) {
        const demo = accounts[checked % accounts.length]!;
        const replay = remapText(source.text, new Map([[receiver, demo]]), 'AB'.repeat(32));
        // All the XRP there is (1e17 drops), so no original delta can overdraw it.
        const running = 10n ** 17n - BigInt(checked);
        expect(rebaseXrpBalance(replay.meta, demo, running)).not.toBeNull();
        const analysis = analyzeTransaction({ ...replay }, new Set([demo]));
        const before = original.accounts.find((a) => a.account === receiver)!;
        const after = analysis.accounts.find((a) => a.account === demo);
        expect(after?.counted, `${source.name} -> ${receiver}`).toBe(true);
        expect(receivedText(after!.received), source.name).toEqual(receivedText(before.received));
        expect(analysis.hash).toBe('AB'.repeat(32));
        const balances = rootBalances(replay.meta, demo);
        if (balances?.[0] !== undefined) expect(balances[0]).toBe(running.toString());
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(pool.transactions.length);
  });

  it('skips what it cannot use and says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-fixtures-'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'broken.json'), '{"tx": ');
    writeFileSync(
      join(dir, 'nested', 'ledger.json'),
      JSON.stringify({ type: 'ledgerClosed', ledger_index: 5 }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not json at all');
    const loaded = loadFixturePool(dir);
    expect(loaded.files).toBe(2);
    expect(loaded.transactions).toEqual([]);
    expect(loaded.skipped.map((s) => s.file).sort()).toEqual(['broken.json', join('nested', 'ledger.json')]);
    expect(loaded.skipped.find((s) => s.file === 'broken.json')?.reason).toMatch(/JSON/);
  });
});

describe('FixtureReplay', () => {
  it('replays to the demo accounts with fresh hashes and a running XRP balance per account', () => {
    const replay = new FixtureReplay(pool.transactions, accounts, createRng(21));
    const running = new Map(accounts.map((a) => [a, STARTING_DROPS]));
    const hashes = new Set<string>();
    let credited = 0;
    for (let ledger = 0; ledger < 150; ledger++) {
      for (const tx of replay.nextLedger()) {
        expect(hashes.has(tx.hash)).toBe(false);
        hashes.add(tx.hash);
        const analysis = analyzeTransaction({ ...tx }, new Set(accounts));
        const counted = analysis.accounts.filter((a) => a.counted);
        expect(counted.length).toBeGreaterThanOrEqual(1);
        credited += counted.length;
        for (const account of accounts) {
          const balances = rootBalances(tx.meta, account);
          if (!balances) continue;
          if (balances[0] !== undefined) expect(balances[0]).toBe(running.get(account)!.toString());
          expect(BigInt(balances[1]) >= 0n).toBe(true);
          running.set(account, BigInt(balances[1]));
        }
      }
    }
    expect(hashes.size).toBeGreaterThan(150);
    expect(credited).toBeGreaterThanOrEqual(hashes.size);
  });

  it('rebases a balance by the original delta, and refuses to overdraw', () => {
    const [a, b] = accounts as [string, string];
    const meta = () => ({
      AffectedNodes: [
        {
          ModifiedNode: {
            LedgerEntryType: 'AccountRoot',
            FinalFields: { Account: a, Balance: '100' },
            PreviousFields: { Balance: '300' },
          },
        },
      ],
    });
    const spent = meta();
    expect(rebaseXrpBalance(spent, a, 1000n)).toBe(800n);
    expect(rootBalances(spent, a)).toEqual(['1000', '800']);
    const refused = meta();
    expect(rebaseXrpBalance(refused, a, 150n)).toBeNull();
    expect(rootBalances(refused, a)).toEqual(['300', '100']);
    expect(rebaseXrpBalance(meta(), b, 42n)).toBe(42n);
  });

  it('refuses an empty pool', () => {
    expect(() => new FixtureReplay([], accounts, createRng(1))).toThrow(/at least one/);
  });
});
