import { describe, expect, it } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import { AFTER_LEDGER, BalanceClock } from '../../src/balances/index.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { TransactionProcessor } from '../../src/pipeline/processor.js';
import { fixtureTx } from '../support/history.js';

const ACCOUNT = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const LEDGER = 95_000_000;

/** A real XRP payment re-addressed to ACCOUNT, validated in LEDGER at this TransactionIndex. */
function inLedger(fixture: string, destination: string, hash: string, transactionIndex: number) {
  const entry = fixtureTx(fixture, { map: { [destination]: ACCOUNT }, hash });
  return {
    tx: entry.tx,
    meta: { ...entry.meta, TransactionIndex: transactionIndex },
    hash,
    ledger_index: LEDGER,
    validated: true,
  };
}

/** 1531.267 XRP to ACCOUNT, the ledger's fourth transaction. */
const EARLIER = inLedger(
  'explorer/Payment/PaymentWithDestinationTag.json',
  'rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt',
  'A'.repeat(64),
  3,
);
/** 20 XRP to ACCOUNT, the ledger's eighth transaction: its Balance is the one after the ledger. */
const LATER = inLedger(
  'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
  'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
  'B'.repeat(64),
  7,
);

function xrpAfter(input: unknown): string | undefined {
  const effect = analyzeTransaction(input, new Set([ACCOUNT])).accounts[0];
  return effect?.balancesAfter.find((b) => b.asset.kind === 'xrp')?.value.toString();
}

/** ACCOUNT's XRP balance as the exporter keeps it: the processor's balances, through a BalanceClock. */
function derivedBalance(arrivals: readonly unknown[]): string | null {
  const clock = new BalanceClock();
  let balance: string | null = null;
  const processor = new TransactionProcessor(new Set([ACCOUNT]), new DedupeWindow(), {
    onBalances: (account, effect, ledger, transactionIndex) => {
      const xrp = effect.balancesAfter.find((b) => b.asset.kind === 'xrp');
      if (xrp && clock.advance(account, 'XRP', ledger, transactionIndex)) balance = xrp.value.toString();
    },
    onReceipt: () => {},
    onInvalid: (reason) => {
      throw new Error(reason);
    },
    onBackfilled: () => {},
  });
  for (const tx of arrivals) processor.process(tx, LEDGER, 'backfill');
  return balance;
}

describe('BalanceClock: the balance after a ledger is the one after its last transaction', () => {
  it('the fixtures differ in the balance they leave', () => {
    expect(xrpAfter(EARLIER)).toBeDefined();
    expect(xrpAfter(LATER)).toBeDefined();
    expect(xrpAfter(EARLIER)).not.toBe(xrpAfter(LATER));
  });

  it.each([
    { name: 'in ledger order', arrivals: [EARLIER, LATER] },
    {
      name: 'the later one first (a repair or backfill delivering out of order)',
      arrivals: [LATER, EARLIER],
    },
  ])('two payments in one ledger, $name', ({ arrivals }) => {
    expect(derivedBalance(arrivals)).toBe(xrpAfter(LATER));
  });

  const at = (ledger: number, transactionIndex: number | null) => ({ ledger, transactionIndex });
  it.each([
    { name: 'a later transaction of the same ledger', known: at(10, 3), next: at(10, 7), newer: true },
    { name: 'an earlier transaction of the same ledger', known: at(10, 7), next: at(10, 3), newer: false },
    { name: 'the same transaction again', known: at(10, 7), next: at(10, 7), newer: true },
    { name: 'a transaction of a later ledger', known: at(10, AFTER_LEDGER), next: at(11, 0), newer: true },
    { name: 'account_info on an older ledger', known: at(11, 0), next: at(10, AFTER_LEDGER), newer: false },
    { name: 'account_info on the same ledger', known: at(10, 7), next: at(10, AFTER_LEDGER), newer: true },
    {
      name: 'a transaction of a ledger account_info already read',
      known: at(10, AFTER_LEDGER),
      next: at(10, 7),
      newer: false,
    },
    {
      name: 'a transaction without TransactionIndex: arrival order',
      known: at(10, 7),
      next: at(10, null),
      newer: true,
    },
  ])('$name', ({ known, next, newer }) => {
    const clock = new BalanceClock();
    expect(clock.advance(ACCOUNT, 'XRP', known.ledger, known.transactionIndex)).toBe(true);
    expect(clock.advance(ACCOUNT, 'XRP', next.ledger, next.transactionIndex)).toBe(newer);
    // Each asset has its own clock.
    expect(clock.advance(ACCOUNT, 'USD', known.ledger - 1, 0)).toBe(true);
  });
});
