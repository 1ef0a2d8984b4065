import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../src/backfill/index.js';
import { silentLogger } from '../../src/log.js';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { LedgerCursor } from '../../src/pipeline/cursor.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { TransactionProcessor } from '../../src/pipeline/processor.js';
import { StreamSequencer } from '../../src/pipeline/sequencer.js';
import { RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';
import { loadFixture } from '../support/fixtures.js';

/** A real v2 stream message: an XRP payment of 20 XRP to rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN. */
const REAL = loadFixture(
  'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
) as Record<string, unknown>;
const WATCHED = 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN';

/** The live path of the exporter (sequencer -> processor -> exact totals) without sockets. */
function pipeline() {
  const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10, 100] });
  const invalid: string[] = [];
  const processor = new TransactionProcessor(new Set([WATCHED]), new DedupeWindow(), {
    onBalances: () => {},
    onReceipt: ({ analysis, effect }) =>
      totals.recordReceipts({
        account: effect.account,
        txType: analysis.transactionType ?? '',
        partial: analysis.partialPayment,
        closeTime: analysis.closeTime,
        received: effect.received,
      }),
    onInvalid: (reason) => invalid.push(reason),
    onBackfilled: () => {},
  });
  const sequencer = new StreamSequencer({
    cursor: new LedgerCursor(null),
    maxBackfillLedgers: 1000,
    process: (tx, ledger, source) => processor.process(tx, ledger, source),
    backfill: async (): Promise<BackfillResult> => ({ transactions: [], uncovered: null, retry: null }),
    onLedger: () => {},
    onCheckpoint: () => {},
    onGap: () => {},
    onInvalid: (reason) => invalid.push(reason),
    onUntrusted: (reason) => invalid.push(reason),
    logger: silentLogger,
  });
  const ledgerAt = (index: number) => ({
    type: 'ledgerClosed',
    ledger_index: index,
    ledger_time: 783820741 + (index - 1969852) * 4,
  });
  sequencer.onSubscribed({
    subscribe: { index: 1969850, closeTime: 783820741 - 8 + RIPPLE_EPOCH_OFFSET },
    serverInfo: null,
  });
  sequencer.onLedgerClosed(ledgerAt(1969851));
  sequencer.onLedgerClosed(ledgerAt(1969852));
  const received = () => totals.get(WATCHED)?.assets.get('XRP')?.sum.toString() ?? '0';
  return { sequencer, invalid, received, ledgerAt };
}

const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'meta',
  'tx_json',
  'hash',
);
const hostileValue = fc.oneof(
  fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }),
  fc.dictionary(hostileKey, fc.anything({ maxDepth: 3 })),
  fc.constantFrom('9'.repeat(400), -1, Number.NaN, 1e308, '1e99999', [], {}, null),
);

describe('hostile stream messages', () => {
  it('a real validated payment in a closed ledger is counted (control)', () => {
    const p = pipeline();
    p.sequencer.onTransaction(structuredClone(REAL));
    expect(p.received()).toBe('20');
    expect(p.invalid).toEqual([]);
  });

  it('arbitrary and adversarial messages never throw and never count value', () => {
    fc.assert(
      fc.property(fc.array(hostileValue, { maxLength: 30 }), (messages) => {
        const p = pipeline();
        for (const msg of messages) {
          const asObject =
            typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>) : { value: msg };
          p.sequencer.onTransaction({ ...asObject, type: 'transaction' });
          p.sequencer.onLedgerClosed({ ...asObject, type: 'ledgerClosed' });
        }
        expect(p.received()).toBe('0');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('a real transaction with a mutated field is either counted exactly or rejected, never mis-valued', () => {
    const paths = [
      ['meta', 'delivered_amount'],
      ['ledger_index'],
      ['validated'],
      ['hash'],
      ['meta', 'TransactionResult'],
      ['meta', 'AffectedNodes'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), hostileValue, (path, value) => {
        const p = pipeline();
        const msg = structuredClone(REAL);
        let target = msg as Record<string, unknown>;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path.at(-1)!] = value;
        p.sequencer.onTransaction(msg);
        expect(['0', '20']).toContain(p.received());
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    [
      'a transaction for a ledger that has not closed',
      (p: ReturnType<typeof pipeline>) => {
        p.sequencer.onTransaction({ ...structuredClone(REAL), ledger_index: 1969853 });
      },
      'transaction for ledger 1969853, which has not closed yet',
    ],
    [
      'a ledger index far ahead of its close time',
      (p: ReturnType<typeof pipeline>) => {
        p.sequencer.onLedgerClosed({
          type: 'ledgerClosed',
          ledger_index: 4_000_000_000,
          ledger_time: 783820745,
        });
      },
      'ledgerClosed 4000000000 jumps 3998030148 ledgers in 4 s',
    ],
    [
      'a ledger index going backwards',
      (p: ReturnType<typeof pipeline>) => {
        p.sequencer.onLedgerClosed(p.ledgerAt(1969840));
      },
      'ledgerClosed 1969840 is not after ledger 1969852',
    ],
    [
      'a close time going backwards',
      (p: ReturnType<typeof pipeline>) => {
        p.sequencer.onLedgerClosed({ type: 'ledgerClosed', ledger_index: 1969853, ledger_time: 783000000 });
      },
      'ledgerClosed 1969853 closes before ledger 1969852',
    ],
  ])('%s is counted as invalid and changes nothing', (_name, act, reason) => {
    const p = pipeline();
    act(p);
    expect(p.invalid.join('\n')).toContain(reason.replace(/ \(.*$/, ''));
    // The real ledger stream goes on undisturbed: the next real payment still counts.
    p.sequencer.onTransaction(structuredClone(REAL));
    expect(p.received()).toBe('20');
  });
});
