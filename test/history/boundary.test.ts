import { describe, expect, it } from 'vitest';
import { ImportBook } from '../../src/history/progress.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { type Receipt, TransactionProcessor } from '../../src/pipeline/processor.js';
import { loadFixture } from '../support/fixtures.js';

/** A brokered NFT sale at ledger 76208251 paying two accounts: the seller 2325 XRP, the issuer 175 XRP. */
const BROKER = loadFixture('explorer/NFTokenAcceptOffer/NFTokenAcceptOffer_Broker.json') as Record<
  string,
  unknown
>;
const SELLER = 'rnp9DA6H2tLH7YFkgpjoVREB2yccYv56Sg';
const ISSUER = 'rpbjkoncKiv1LkPWShzZksqYPzKXmUhTW7';
const LEDGER = 76208251;

function setup(watchStart: number | null) {
  const book = new ImportBook();
  book.beginNew([{ address: SELLER, since: { kind: 'ledger', index: 1 } }], () => false);
  if (watchStart !== null) book.fixWatchStart(watchStart);
  const receipts: Receipt[] = [];
  const balances: string[] = [];
  const processor = new TransactionProcessor(
    new Set([SELLER, ISSUER]),
    new DedupeWindow(),
    {
      onBalances: (account) => balances.push(account),
      onReceipt: (receipt) => receipts.push(receipt),
      onInvalid: (reason) => {
        throw new Error(reason);
      },
      onBackfilled: () => {},
    },
    book,
  );
  const counted = () => receipts.map((r) => `${r.source}:${r.effect.account}:${r.effect.received[0]?.value}`);
  return { processor, counted, balances };
}

describe('the split between an import and the stream', () => {
  it('the stream leaves an importing account its ledgers up to the watch start, and counts the others', () => {
    const { processor, counted, balances } = setup(LEDGER);
    processor.process({ ...BROKER, validated: true }, LEDGER, 'live');
    expect(counted()).toEqual([`live:${ISSUER}:175`]);
    // The newest balances still apply: they are not counts.
    expect(balances).toEqual([SELLER, ISSUER]);
  });

  it('after the watch start the stream counts the importing account too', () => {
    const { processor, counted } = setup(LEDGER - 1);
    processor.process({ ...BROKER, validated: true }, LEDGER, 'backfill');
    expect(counted()).toEqual([`backfill:${SELLER}:2325`, `backfill:${ISSUER}:175`]);
  });

  it('while the watch start is not fixed, nothing of the importing account comes from the stream', () => {
    const { processor, counted } = setup(null);
    processor.process({ ...BROKER, validated: true }, LEDGER, 'live');
    expect(counted()).toEqual([`live:${ISSUER}:175`]);
  });

  it('history counts only the importing account, with no dedupe entry, and never twice with the stream', () => {
    const { processor, counted } = setup(LEDGER);
    processor.process({ ...BROKER, validated: true }, LEDGER, 'history', SELLER);
    processor.process({ ...BROKER, validated: true }, LEDGER, 'live');
    expect(counted()).toEqual([`history:${SELLER}:2325`, `live:${ISSUER}:175`]);
  });
});
