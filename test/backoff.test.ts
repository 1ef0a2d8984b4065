import { describe, expect, it } from 'vitest';
import { doublingDelay } from '../src/backoff.js';

describe('doublingDelay', () => {
  it.each([
    { failures: 1, delay: 1000 },
    { failures: 2, delay: 2000 },
    { failures: 3, delay: 4000 },
    { failures: 9, delay: 256_000 },
    { failures: 10, delay: 300_000 },
    { failures: 1000, delay: 300_000 },
  ])('after $failures failures waits $delay ms (first 1 s, at most 5 min)', ({ failures, delay }) => {
    expect(doublingDelay(failures, 1000, 300_000)).toBe(delay);
  });

  it('stays finite however long the failures go on', () => {
    expect(doublingDelay(1e9, 1, Number.MAX_VALUE)).toBe(2 ** 52);
  });
});
