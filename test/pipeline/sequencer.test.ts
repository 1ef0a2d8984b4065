import { describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../src/backfill/index.js';
import { silentLogger } from '../../src/log.js';
import { formatGap, LedgerCursor, type LedgerRange } from '../../src/pipeline/cursor.js';
import { StreamSequencer } from '../../src/pipeline/sequencer.js';
import { RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';

/** A sequencer whose backfills are answered by the test, recording everything it decides. */
function harness(
  checkpoint: number | null,
  maxBackfillLedgers = 1000,
  maxHeldMessages?: number,
  lostState?: { checkpoint: number | null },
  /** The host clock (ms); the real one by default, which is long after the harness's close times. */
  now?: () => number,
) {
  const events: string[] = [];
  /** Ledgers reported as new and trusted (what moves xrpl_validated_ledger_index). */
  const announced: number[] = [];
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
    onLedger: (index) => announced.push(index),
    onCheckpoint: (c) => events.push(`checkpoint ${c}`),
    onGap: (range, reason) => events.push(`gap ${formatGap(range)} ${reason}`),
    onInvalid: (reason) => events.push(`invalid ${reason}`),
    onUntrusted: (reason) => events.push(`untrusted ${reason}`),
    logger: silentLogger,
    ...(maxHeldMessages === undefined ? {} : { maxHeldMessages }),
    ...(lostState === undefined ? {} : { lostState }),
    ...(now === undefined ? {} : { now }),
  });
  // Ledgers close every 4 s, as the fake rippled's do.
  const closeTime = (n: number) => 800_000_000 + n * 4;
  const ledger = (n: number, time = closeTime(n)) =>
    sequencer.onLedgerClosed({ type: 'ledgerClosed', ledger_index: n, ledger_time: time });
  const subscribed = (n: number, serverInfo: number | null = null) =>
    sequencer.onSubscribed({
      subscribe: { index: n, closeTime: closeTime(n) + RIPPLE_EPOCH_OFFSET },
      serverInfo: serverInfo === null ? null : { index: serverInfo, closeTime: null },
    });
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
  return { sequencer, events, announced, backfills, ledger, subscribed, tx, history };
}

describe('StreamSequencer', () => {
  it('on a first run starts counting after the subscribed ledger and completes ledgers as the next closes', () => {
    const h = harness(null);
    h.subscribed(100);
    h.ledger(101);
    h.tx(101, 'A');
    h.ledger(102);
    expect(h.events).toEqual(['checkpoint 100', 'live 101 A', 'checkpoint 101']);
  });

  it('after a restart backfills from the checkpoint and replays held live messages in order afterwards', async () => {
    const h = harness(90);
    h.subscribed(100);
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
    h.subscribed(100);
    expect(h.events).toEqual(['backfill 91-101']);
    h.backfills[0]!.resolve(h.history([101, 'PARTIAL'], [101, 'MISSED']));
    await h.sequencer.whenIdle();
    h.ledger(102);
    expect(h.events.slice(1)).toEqual(['backfill 101 PARTIAL', 'backfill 101 MISSED', 'checkpoint 101']);
  });

  it('backfills ledgers the stream skipped', async () => {
    const h = harness(null);
    h.subscribed(100);
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
    h.subscribed(100);
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
    h.subscribed(60);
    h.backfills[0]!.resolve({ transactions: [], uncovered: 'server holds 55-60', retry: null });
    await h.sequencer.whenIdle();
    expect(h.events).toEqual(['backfill 51-60', 'gap 51-60 server holds 55-60', 'checkpoint 60']);
  });

  it('bounds a catch-up by max_backfill_ledgers and reports the rest as a gap', async () => {
    const h = harness(0, 10);
    h.subscribed(100);
    expect(h.events).toEqual([
      'gap 1-90 more than state.max_backfill_ledgers (10) behind',
      'backfill 91-100',
    ]);
  });

  it('discards a backfill whose session ended, without counting a gap', async () => {
    const h = harness(90);
    h.subscribed(100);
    h.sequencer.onDisconnected();
    h.backfills[0]!.resolve({ transactions: [], uncovered: null, retry: 'socket closed' });
    await h.sequencer.whenIdle();
    expect(h.events).toEqual(['backfill 91-100']);
    h.subscribed(105);
    expect(h.events.at(-1)).toBe('backfill 91-105');
  });

  it('reads a range again when a server failed to answer, instead of giving it up', async () => {
    const h = harness(50);
    h.subscribed(60);
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

describe('StreamSequencer: which ledger announcements are believed', () => {
  it('ignores a far-ahead ledgerClosed without a close time: counted invalid, no effect anywhere', () => {
    const h = harness(null);
    h.subscribed(100);
    expect(h.ledger(101)).toBe(true);
    expect(h.sequencer.onLedgerClosed({ type: 'ledgerClosed', ledger_index: 4_000_000_000 })).toBe(false);
    h.ledger(102);
    h.tx(102, 'STILL-COUNTED');
    h.ledger(103);
    expect(h.events).toEqual([
      'checkpoint 100',
      'invalid ledgerClosed 4000000000 jumps 3999999899 ledgers past 101 without close times to prove it',
      'checkpoint 101',
      'live 102 STILL-COUNTED',
      'checkpoint 102',
    ]);
    expect(h.announced).toEqual([101, 102, 103]);
  });

  it("refuses the transactions of a refused ledger, even before the session's first trusted ledgerClosed", () => {
    const h = harness(null);
    h.subscribed(100);
    h.ledger(4_000_000_000, 800_000_000 + 101 * 4);
    h.tx(4_000_000_000, 'JUNK');
    h.ledger(101);
    h.tx(101, 'A');
    h.ledger(102);
    expect(h.events).toEqual([
      'checkpoint 100',
      'invalid ledgerClosed 4000000000 jumps 3999999900 ledgers in 4 s',
      'invalid transaction for ledger 4000000000, which has not closed yet',
      'live 101 A',
      'checkpoint 101',
    ]);
  });

  it('judges the first ledgerClosed of a session against the ledger the subscribe answer named', () => {
    const h = harness(null);
    h.subscribed(100);
    // A plausible close time (4 s after the subscribe answer's ledger) cannot carry 3e9 ledgers.
    expect(h.ledger(3_000_000_000, 800_000_000 + 101 * 4)).toBe(false);
    h.ledger(101);
    h.tx(101, 'A');
    h.ledger(102);
    expect(h.events).toEqual([
      'checkpoint 100',
      'invalid ledgerClosed 3000000000 jumps 2999999900 ledgers in 4 s',
      'live 101 A',
      'checkpoint 101',
    ]);
    expect(h.announced).toEqual([101, 102]);
  });

  it('does not start a catch-up towards an implausible ledger after a restart', () => {
    const h = harness(90);
    h.subscribed(100);
    h.ledger(3_000_000_000, 800_000_000 + 101 * 4);
    expect(h.events).toEqual([
      'backfill 91-100',
      'invalid ledgerClosed 3000000000 jumps 2999999900 ledgers in 4 s',
    ]);
    expect(h.sequencer.checkpoint).toBe(90);
  });

  it('leaves a session whose subscribe answer and server_info disagree, and counts nothing from it', () => {
    const h = harness(90);
    h.subscribed(3_000_000_000, 100);
    h.ledger(3_000_000_001);
    h.tx(3_000_000_001, 'JUNK');
    expect(h.events).toEqual([
      'invalid subscribe answered ledger 3000000000 but server_info said 100',
      'untrusted subscribe answered ledger 3000000000 but server_info said 100',
    ]);
    expect(h.announced).toEqual([]);
    expect(h.sequencer.checkpoint).toBe(90);
    // The next (honest) session catches up as usual.
    h.sequencer.onDisconnected();
    h.subscribed(100, 99);
    expect(h.events.at(-1)).toBe('backfill 91-100');
  });

  it('leaves a later session that starts implausibly far ahead of the newest trusted ledger', () => {
    const h = harness(null);
    h.subscribed(100);
    h.ledger(101);
    h.sequencer.onDisconnected();
    h.sequencer.onSubscribed({ subscribe: { index: 3_000_000_000, closeTime: null }, serverInfo: null });
    expect(h.events.slice(1)).toEqual([
      'invalid the server starts at 3000000000 jumps 2999999899 ledgers past 101 without close times to prove it',
      'untrusted the server starts at 3000000000 jumps 2999999899 ledgers past 101 without close times to prove it',
    ]);
    // A server somewhat behind is merely late, not lying.
    h.sequencer.onDisconnected();
    h.subscribed(95);
    h.ledger(96);
    expect(h.events.at(-1)).toBe(
      'untrusted the server starts at 3000000000 jumps 2999999899 ledgers past 101 without close times to prove it',
    );
    expect(h.sequencer.checkpoint).toBe(100);
  });

  it('rejects a backwards or repeated ledgerClosed without moving anything (and it is not fresh)', () => {
    const h = harness(null);
    h.subscribed(1000);
    h.ledger(1001);
    h.ledger(1002);
    expect(h.ledger(997)).toBe(false);
    expect(h.ledger(1002)).toBe(false);
    h.ledger(1003);
    expect(h.announced).toEqual([1001, 1002, 1003]);
    expect(h.events).toEqual([
      'checkpoint 1000',
      'checkpoint 1001',
      'invalid ledgerClosed 997 is not after ledger 1002',
      'invalid ledgerClosed 1002 is not after ledger 1002',
      'checkpoint 1002',
    ]);
  });

  describe('on a host whose clock is 5 minutes behind', () => {
    /** When ledger n of the harness closes, ms since the Unix epoch. */
    const closesAt = (n: number) => (800_000_000 + n * 4 + RIPPLE_EPOCH_OFFSET) * 1000;

    it('refuses the ledgers closing "in the future", then backfills them once the clock is right', async () => {
      let clock = closesAt(100);
      const h = harness(null, 1000, undefined, undefined, () => clock);
      h.subscribed(100);
      clock = closesAt(101) - 300_000;
      expect(h.ledger(101)).toBe(false);
      h.tx(101, 'A');
      expect(h.ledger(102)).toBe(false);
      h.tx(102, 'B');
      clock = closesAt(103);
      expect(h.ledger(103)).toBe(true);
      h.tx(103, 'C');
      expect(h.events).toEqual([
        'checkpoint 100',
        'invalid ledgerClosed 101 closes 300 s after the local clock (is the host clock behind?)',
        'invalid transaction for ledger 101, which has not closed yet',
        'invalid ledgerClosed 102 closes 304 s after the local clock (is the host clock behind?)',
        'invalid transaction for ledger 102, which has not closed yet',
        'backfill 101-102',
      ]);
      h.backfills[0]!.resolve(h.history([101, 'A'], [102, 'B']));
      await h.sequencer.whenIdle();
      h.ledger(104);
      expect(h.events.slice(6)).toEqual([
        'backfill 101 A',
        'backfill 102 B',
        'checkpoint 102',
        'live 103 C',
        'checkpoint 103',
      ]);
      // Refused ledgers had no effect: xrpl_validated_ledger_index and freshness skipped them.
      expect(h.announced).toEqual([103, 104]);
    });

    it('leaves a session starting on such a ledger; the next one catches up from the checkpoint', () => {
      let clock = closesAt(100) - 300_000;
      const h = harness(90, 1000, undefined, undefined, () => clock);
      h.subscribed(100);
      h.tx(100, 'A');
      const reason =
        'the server starts at 100 closes 300 s after the local clock (is the host clock behind?)';
      expect(h.events).toEqual([`invalid ${reason}`, `untrusted ${reason}`]);
      expect(h.sequencer.checkpoint).toBe(90);
      h.sequencer.onDisconnected();
      clock = closesAt(101);
      h.subscribed(101);
      expect(h.events.slice(2)).toEqual(['backfill 91-101']);
    });
  });

  it("takes the subscribe answer's own ledger announced once more as a harmless race", () => {
    const h = harness(null);
    h.subscribed(100);
    expect(h.ledger(100)).toBe(false);
    h.ledger(101);
    expect(h.events).toEqual(['checkpoint 100']);
  });
});

describe('StreamSequencer: bounded held messages', () => {
  it('spills held live messages to a re-read of their ledgers and loses none', async () => {
    const h = harness(90, 1000, 5);
    h.subscribed(100);
    h.ledger(101);
    h.tx(101, 'A');
    h.tx(101, 'B');
    h.ledger(102);
    h.tx(102, 'C');
    h.tx(102, 'D'); // the sixth held message: over the bound of 5
    h.ledger(103);
    h.tx(103, 'E');
    expect(h.events).toEqual(['backfill 91-100']);
    h.backfills[0]!.resolve(h.history([95, 'OLD']));
    await new Promise((r) => setTimeout(r, 0));
    // The catch-up is extended over every ledger whose messages were dropped.
    expect(h.events.slice(1)).toEqual(['backfill 95 OLD', 'checkpoint 100', 'backfill 101-103']);
    h.ledger(104);
    h.tx(104, 'F');
    h.backfills[1]!.resolve(h.history([101, 'A'], [101, 'B'], [102, 'C'], [102, 'D'], [103, 'E']));
    await h.sequencer.whenIdle();
    h.ledger(105);
    expect(h.events.slice(4)).toEqual([
      'backfill 101 A',
      'backfill 101 B',
      'backfill 102 C',
      'backfill 102 D',
      'backfill 103 E',
      'checkpoint 103',
      'live 104 F',
      'checkpoint 104',
    ]);
    expect(h.announced).toEqual([101, 102, 103, 104, 105]);
  });

  it('holds up to the bound without spilling', async () => {
    const h = harness(90, 1000, 5);
    h.subscribed(100);
    h.ledger(101);
    h.tx(101, 'A');
    h.tx(101, 'B');
    h.ledger(102);
    h.tx(102, 'C');
    h.backfills[0]!.resolve(h.history());
    await h.sequencer.whenIdle();
    expect(h.events).toEqual([
      'backfill 91-100',
      'checkpoint 100',
      'live 101 A',
      'live 101 B',
      'checkpoint 101',
      'live 102 C',
    ]);
  });
});

describe('StreamSequencer: a start after the saved state was lost', () => {
  it.each([
    {
      name: 'names the ledgers from the lost checkpoint to where counting restarts',
      lost: 90,
      events: [
        'gap 91-100 the saved state was lost (it had counted up to ledger 90); counting restarts from 0 after ledger 100',
        'checkpoint 100',
      ],
    },
    {
      name: 'says "up to" when the lost checkpoint is unknown',
      lost: null,
      events: [
        'gap up to 100 the saved state was lost (its checkpoint is unknown); counting restarts from 0 after ledger 100',
        'checkpoint 100',
      ],
    },
    {
      name: 'counts no gap when the server is behind the lost checkpoint',
      lost: 120,
      events: ['checkpoint 100'],
    },
  ])('$name', ({ lost, events }) => {
    const h = harness(null, 1000, undefined, { checkpoint: lost });
    h.subscribed(100);
    h.ledger(101);
    h.ledger(102);
    expect(h.events).toEqual([...events, 'checkpoint 101']);
  });
});
