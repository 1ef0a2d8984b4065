import { describe, expect, it } from 'vitest';
import { boundRange, LedgerCursor } from '../../src/pipeline/cursor.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';

describe('LedgerCursor', () => {
  it('completes ledger N-1 when ledgerClosed N follows N-1', () => {
    const cursor = new LedgerCursor(null);
    expect(cursor.onLedgerClosed(100)).toEqual({ kind: 'first' });
    expect(cursor.onLedgerClosed(101)).toEqual({ kind: 'next', completed: 100 });
    expect(cursor.checkpoint).toBe(100);
  });

  it('reports the skipped ledgers as a gap and does not complete past them', () => {
    const cursor = new LedgerCursor(99);
    cursor.onLedgerClosed(100);
    expect(cursor.onLedgerClosed(104)).toEqual({ kind: 'gap', missing: { from: 101, to: 103 } });
    expect(cursor.checkpoint).toBe(99);
  });

  it('ignores duplicate and backwards ledger indexes', () => {
    const cursor = new LedgerCursor(null);
    cursor.onLedgerClosed(10);
    expect(cursor.onLedgerClosed(10)).toEqual({ kind: 'stale' });
    expect(cursor.onLedgerClosed(7)).toEqual({ kind: 'stale' });
    expect(cursor.lastClosed).toBe(10);
  });

  it('never moves the checkpoint backwards', () => {
    const cursor = new LedgerCursor(50);
    expect(cursor.complete(40)).toBe(50);
    expect(cursor.complete(51)).toBe(51);
  });

  it.each([
    { checkpoint: null, session: 500, range: null },
    { checkpoint: 500, session: 500, range: null },
    { checkpoint: 600, session: 500, range: null },
    { checkpoint: 490, session: 500, range: { from: 491, to: 500 } },
  ])(
    'catch-up after checkpoint $checkpoint at session ledger $session is $range',
    ({ checkpoint, session, range }) => {
      expect(new LedgerCursor(checkpoint).catchUpRange(session)).toEqual(range);
    },
  );

  it('forgets what the previous session saw', () => {
    const cursor = new LedgerCursor(null);
    cursor.onLedgerClosed(10);
    cursor.resetSession();
    expect(cursor.onLedgerClosed(8)).toEqual({ kind: 'first' });
  });
});

describe('boundRange', () => {
  it.each([
    { range: { from: 1, to: 10 }, max: 10, backfill: { from: 1, to: 10 }, skipped: null },
    { range: { from: 1, to: 10 }, max: 4, backfill: { from: 7, to: 10 }, skipped: { from: 1, to: 6 } },
    { range: { from: 1, to: 10 }, max: 0, backfill: null, skipped: { from: 1, to: 10 } },
  ])('keeps the newest $max ledgers of $range', ({ range, max, backfill, skipped }) => {
    expect(boundRange(range, max)).toEqual({ backfill, skipped });
  });
});

describe('DedupeWindow', () => {
  it('claims a (hash, account) pair once', () => {
    const window = new DedupeWindow();
    expect(window.claim(5, 'AB', 'rA')).toBe(true);
    expect(window.claim(5, 'AB', 'rA')).toBe(false);
    expect(window.claim(5, 'AB', 'rB')).toBe(true);
  });

  it('forgets ledgers at or below the checkpoint and survives a snapshot round trip', () => {
    const window = new DedupeWindow();
    window.claim(5, 'A', 'r1');
    window.claim(6, 'B', 'r1');
    window.prune(5);
    expect(window.size).toBe(1);
    const restored = DedupeWindow.restore(JSON.parse(JSON.stringify(window.snapshot())));
    expect(restored.claim(6, 'B', 'r1')).toBe(false);
    expect(restored.claim(5, 'A', 'r1')).toBe(true);
  });

  it('restores nothing from garbage', () => {
    expect(DedupeWindow.restore({ not: 'an array' }).size).toBe(0);
    expect(
      DedupeWindow.restore([
        [1, 'x'],
        ['a', []],
      ]).size,
    ).toBe(0);
  });
});
