import { describe, expect, test } from 'vitest';
import { ReceiptTrends, TREND_MINUTES } from '../../src/status/trends.js';

const A = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const B = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';
/** A whole minute, so minute boundaries are easy to read. */
const T0 = 1_790_000_040;

describe('ReceiptTrends', () => {
  test('counts per minute over the last hour, oldest first, the current minute last', () => {
    const trends = new ReceiptTrends();
    trends.add(A, T0 - 59 * 60); // the oldest minute still in the hour
    trends.add(A, T0 - 60 * 60); // one minute too old
    trends.add(A, T0 - 61);
    trends.add(A, T0);
    trends.add(A, T0 + 59);
    const counts = trends.perMinute(A, T0 + 30)!;
    expect(counts).toHaveLength(TREND_MINUTES);
    expect(counts[0]).toBe(1);
    expect(counts[57]).toBe(1);
    expect(counts[58]).toBe(0);
    expect(counts[59]).toBe(2);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  });

  test('receipts arriving out of order (backfill) land in their own minute', () => {
    const trends = new ReceiptTrends();
    trends.add(A, T0);
    trends.add(A, T0 - 600);
    trends.add(A, T0 - 300);
    trends.add(A, T0 - 600);
    const counts = trends.perMinute(A, T0)!;
    expect([counts[49], counts[54], counts[59]]).toEqual([2, 1, 1]);
  });

  test('an account with nothing in the hour has no trend; the hour moves on with now', () => {
    const trends = new ReceiptTrends();
    trends.add(A, T0);
    expect(trends.perMinute(B, T0)).toBeNull();
    expect(trends.perMinute(A, T0 + 59 * 60)).not.toBeNull();
    expect(trends.perMinute(A, T0 + 60 * 60)).toBeNull();
  });

  test('memory follows activity: accounts quiet for an hour are dropped as newer receipts arrive', () => {
    const trends = new ReceiptTrends();
    for (let i = 0; i < 1000; i++) trends.add(`r${i}`, T0);
    expect(trends.size).toBe(1000);
    trends.add(A, T0 + 2 * 3600);
    expect(trends.size).toBe(1);
  });
});
