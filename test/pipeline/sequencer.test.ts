import { describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../src/backfill/index.js';
import { silentLogger } from '../../src/log.js';
import { LedgerCursor, type LedgerRange } from '../../src/pipeline/cursor.js';
import { StreamSequencer } from '../../src/pipeline/sequencer.js';

/** A sequencer whose backfills are answered by the test, recording everything it decides. */
function harness(checkpoint: number | null, maxBackfillLedgers = 1000) {
  const events: string[] = [];
  const backfills: Array<{ range: LedgerRange; resolve: (r: BackfillResult) => void }> = [];
  const sequencer = new StreamSequencer({
    retryDelayMs: 1,
    cursor: new LedgerCursor(checkpoint),
    maxBackfillLedgers,
    process: (tx, ledger, source) => events.push(`${source} ${ledger} ${(tx as { hash: string }).hash}`),
    backfill: (range) =>
      new Promise((resolve) => {
        events.push(`backfill ${range.from}-${range.to}`);
        backfills.push({ range, resolve });
      }),
    onLedger: () => {},
    onCheckpoint: (c) => events.push(`checkpoint ${c}`),
    onGap: (range, reason) => events.push(`gap ${range.from}-${range.to} ${reason}`),
    onInvalid: (reason) => events.push(`invalid ${reason}`),
    logger: silentLogger,
  });
  const ledger = (n: number) =>
    sequencer.onLedgerClosed({ type: 'ledgerClosed', ledger_index: n, ledger_time: 1 });
  const tx = (n: number, hash: string) =>
    sequencer.onTransaction({ type: 'transaction', ledger_index: n, hash });
  const history = (...items: Array<[number, string]>): BackfillResult => ({
    transactions: items.map(([ledgerIndex, hash], i) => ({
      entry: { hash },
      hash,
      ledgerIndex,
      transactionIndex: i,
    })),
    uncovered: null,
    retry: null,
  });
  return { sequencer, events, backfills, ledger, tx, history };
}

describe('StreamSequencer', () => {
  it('on a first run starts counting after the subscribed ledger and completes ledgers as the next closes', () => {
    const h = harness(null);
    h.sequencer.onSubscribed(100);
    h.ledger(101);
    h.tx(101, 'A');
    h.ledger(102);
    expect(h.events).toEqual(['checkpoint 100', 'live 101 A', 'checkpoint 101']);
  });

  it('after a restart backfills from the checkpoint and replays held live messages in order afterwards', async () => {
    const h = harness(90);
    h.sequencer.onSubscribed(100);
    h.ledger(101);
    h.tx(101, 'LIVE');
    expect(h.events).toEqual(['backfill 91-100']);
    h.backfills[0]!.resolve(h.history([95, 'OLD1'], [100, 'OLD2']));
    await h.sequencer.whenIdle();
    expect(h.events).toEqual([
      'backfill 91-100',
      'backfill 95 OLD1',
      'backfill 100 OLD2',
      'checkpoint 100',
      'live 101 LIVE',
    ]);
  });

  it('treats ledgers announced before the subscription completed as incomplete', async () => {
    const h = harness(90);
    h.ledger(101); // announced while later subscribe chunks were still in flight
    h.tx(101, 'PARTIAL');
    h.sequencer.onSubscribed(100);
    expect(h.events).toEqual(['backfill 91-101']);
    h.backfills[0]!.resolve(h.history([101, 'PARTIAL'], [101, 'MISSED']));
    await h.sequencer.whenIdle();
    h.ledger(102);
    expect(h.events.slice(1)).toEqual(['backfill 101 PARTIAL', 'backfill 101 MISSED', 'checkpoint 101']);
  });

  it('backfills ledgers the stream skipped', async () => {
    const h = harness(null);
    h.sequencer.onSubscribed(100);
    h.ledger(101);
    h.ledger(104);
    h.tx(104, 'AFTER');
    expect(h.events).toEqual(['checkpoint 100', 'backfill 102-103']);
    h.backfills[0]!.resolve(h.history([102, 'GAP']));
    await h.sequencer.whenIdle();
    expect(h.events.slice(2)).toEqual(['backfill 102 GAP', 'checkpoint 103', 'live 104 AFTER']);
  });

  it('drops a replayed transaction of a completed ledger and refuses one for a ledger not yet closed', () => {
    const h = harness(null);
    h.sequencer.onSubscribed(100);
    h.ledger(101);
    h.tx(100, 'OLD');
    h.tx(105, 'FUTURE');
    h.tx(101, 'NOW');
    expect(h.events).toEqual([
      'checkpoint 100',
      'invalid transaction for ledger 105, which has not closed yet',
      'live 101 NOW',
    ]);
  });

  it('reports a range no server covers as a gap and goes on', async () => {
    const h = harness(50);
    h.sequencer.onSubscribed(60);
    h.backfills[0]!.resolve({ transactions: [], uncovered: 'server holds 55-60', retry: null });
    await h.sequencer.whenIdle();
    expect(h.events).toEqual(['backfill 51-60', 'gap 51-60 server holds 55-60', 'checkpoint 60']);
  });

  it('bounds a catch-up by max_backfill_ledgers and reports the rest as a gap', async () => {
    const h = harness(0, 10);
    h.sequencer.onSubscribed(100);
    expect(h.events).toEqual([
      'gap 1-90 more than state.max_backfill_ledgers (10) behind',
      'backfill 91-100',
    ]);
  });

  it('discards a backfill whose session ended, without counting a gap', async () => {
    const h = harness(90);
    h.sequencer.onSubscribed(100);
    h.sequencer.onDisconnected();
    h.backfills[0]!.resolve({ transactions: [], uncovered: null, retry: 'socket closed' });
    await h.sequencer.whenIdle();
    expect(h.events).toEqual(['backfill 91-100']);
    h.sequencer.onSubscribed(105);
    expect(h.events.at(-1)).toBe('backfill 91-105');
  });

  it('reads a range again when a server failed to answer, instead of giving it up', async () => {
    const h = harness(50);
    h.sequencer.onSubscribed(60);
    h.backfills[0]!.resolve({ transactions: [], uncovered: null, retry: 'account_tx timed out' });
    await new Promise((r) => setTimeout(r, 20));
    expect(h.events).toEqual(['backfill 51-60', 'backfill 51-60']);
    h.backfills[1]!.resolve(h.history([55, 'FOUND']));
    await h.sequencer.whenIdle();
    expect(h.events.slice(2)).toEqual(['backfill 55 FOUND', 'checkpoint 60']);
  });

  it('counts a ledgerClosed without an index as invalid', () => {
    const h = harness(null);
    h.sequencer.onLedgerClosed({ type: 'ledgerClosed', ledger_index: 'x' });
    expect(h.events).toEqual(['invalid ledgerClosed without a valid ledger_index']);
  });
});
