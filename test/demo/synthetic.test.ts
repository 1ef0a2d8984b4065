import Big from 'big.js';
import { encodeAccountID } from 'ripple-address-codec';
import { describe, expect, it } from 'vitest';
import { getBalanceChanges, hashes, type TransactionMetadata } from 'xrpl';
import { analyzeTransaction } from '../../src/accounting/index.js';
import { DEMO_ACCOUNTS } from '../../src/demo/config.js';
import { STARTING_DROPS } from '../../src/demo/source.js';
import { SYNTHETIC_CUSTOMERS, SYNTHETIC_ISSUER, SyntheticLedger } from '../../src/demo/synthetic.js';
import { accountRootIndex, rippleStateIndex } from '../../src/ledger-keys.js';
import { createRng } from '../../src/simulator/rng.js';

type Json = Record<string, unknown>;
const accounts = DEMO_ACCOUNTS.map((a) => a.address);
const TF_PARTIAL_PAYMENT = 0x00020000;

describe('ledger entry ids', () => {
  it('match xrpl.js for AccountRoot and RippleState, whichever side is low', () => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const a = encodeAccountID(rng.bytes(20));
      const b = encodeAccountID(rng.bytes(20));
      expect(accountRootIndex(a)).toBe(hashes.hashAccountRoot(a));
      for (const currency of ['USD', 'EUR']) {
        expect(rippleStateIndex(a, b, currency)).toBe(hashes.hashTrustline(a, b, currency));
        expect(rippleStateIndex(b, a, currency)).toBe(hashes.hashTrustline(a, b, currency));
      }
    }
  });
});

describe('synthetic transactions', () => {
  const ledger = new SyntheticLedger(accounts, createRng(11));
  const txs = Array.from({ length: 400 }, () => ledger.nextTransaction());

  it('start the demo accounts at the advertised balance', () => {
    expect([...ledger.startingBalances.entries()]).toEqual(accounts.map((a) => [a, STARTING_DROPS]));
  });

  it('credit the destination exactly the delivered amount, by our accounting and by xrpl.js', () => {
    const kinds = new Set<string>();
    for (const { tx, meta, hash } of txs) {
      const destination = tx.Destination as string;
      const partial = ((tx.Flags as number) & TF_PARTIAL_PAYMENT) !== 0;
      // What rippled reports as delivered_amount: DeliveredAmount when present, else Amount.
      const delivered = (meta.DeliveredAmount ?? tx.Amount) as string | { currency: string; value: string };
      const isXrp = typeof delivered === 'string';
      kinds.add(isXrp ? 'xrp' : partial ? 'partial token' : 'token');
      if (isXrp) expect(partial).toBe(false); // XRP-to-XRP partial payments are malformed (temBAD_SEND_XRP_PARTIAL)

      const analysis = analyzeTransaction({ tx, meta, hash }, new Set(accounts));
      expect(analysis.valid).toBe(true);
      expect(analysis.partialPayment).toBe(partial);
      const effect = analysis.accounts.find((a) => a.account === destination);
      expect(effect?.counted).toBe(true);
      expect(effect?.received).toHaveLength(1);
      const received = effect!.received[0]!;
      if (isXrp) {
        expect(received.asset).toEqual({ kind: 'xrp' });
        expect(received.value.times(1_000_000).toFixed()).toBe(delivered);
      } else {
        expect(received.asset).toEqual({
          kind: 'token',
          currency: delivered.currency,
          issuer: SYNTHETIC_ISSUER,
        });
        expect(received.value.eq(new Big(delivered.value))).toBe(true);
      }

      const oracle = getBalanceChanges(meta as unknown as TransactionMetadata);
      const changes = (account: string) => oracle.find((c) => c.account === account)?.balances ?? [];
      const destinationChanges = changes(destination);
      expect(destinationChanges).toHaveLength(1);
      expect(new Big(destinationChanges[0]!.value).eq(received.value)).toBe(true);
      const sender = changes(tx.Account as string);
      const xrpOut = sender.find((c) => c.currency === 'XRP')!.value;
      const fee = new Big(tx.Fee as string).div(1_000_000);
      expect(new Big(xrpOut).eq(isXrp ? received.value.plus(fee).neg() : fee.neg())).toBe(true);
      if (!isXrp) {
        const tokenOut = sender.find((c) => c.currency === delivered.currency)!;
        expect(new Big(tokenOut.value).eq(received.value.neg())).toBe(true);
        expect(tokenOut.issuer).toBe(SYNTHETIC_ISSUER);
      }
    }
    expect(kinds).toEqual(new Set(['xrp', 'token', 'partial token']));
  });

  it('deliver less than Amount on partial payments, never more than SendMax', () => {
    const partials = txs.filter((t) => ((t.tx.Flags as number) & TF_PARTIAL_PAYMENT) !== 0);
    expect(partials.length).toBeGreaterThan(10);
    for (const { tx, meta } of partials) {
      const delivered = new Big((meta.DeliveredAmount as { value: string }).value);
      expect(delivered.lt((tx.Amount as { value: string }).value)).toBe(true);
      expect(delivered.lte((tx.SendMax as { value: string }).value)).toBe(true);
    }
  });

  it('chain every ledger entry: each change starts where the previous one ended; sequences advance', () => {
    const last = new Map<string, string>();
    const sequences = new Map<string, number>();
    for (const { tx, meta } of txs) {
      const nodes = meta.AffectedNodes as Array<{ ModifiedNode: Json }>;
      const ids = nodes.map((n) => n.ModifiedNode.LedgerIndex as string);
      expect(ids).toEqual([...ids].sort());
      for (const { ModifiedNode: node } of nodes) {
        const id = node.LedgerIndex as string;
        const balance = (fields: unknown) => JSON.stringify((fields as Json).Balance);
        const before = balance(node.PreviousFields);
        if (last.has(id)) expect(before).toBe(last.get(id));
        last.set(id, balance(node.FinalFields));
        if (node.LedgerEntryType === 'AccountRoot') {
          expect(BigInt((node.FinalFields as Json).Balance as string) >= 0n).toBe(true);
        }
      }
      const sender = tx.Account as string;
      if (sequences.has(sender)) expect(tx.Sequence).toBe(sequences.get(sender));
      sequences.set(sender, (tx.Sequence as number) + 1);
      expect(SYNTHETIC_CUSTOMERS).toContain(sender);
      expect(accounts).toContain(tx.Destination);
    }
    expect(new Set(txs.map((t) => t.hash)).size).toBe(txs.length);
  });

  it('make ledgers of zero to three transactions, mostly non-empty', () => {
    const source = new SyntheticLedger(accounts, createRng(5));
    const counts = Array.from({ length: 200 }, () => source.nextLedger().length);
    expect(Math.max(...counts)).toBe(3);
    expect(Math.min(...counts)).toBe(0);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThan(150);
  });
});
