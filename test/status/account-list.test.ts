import { describe, expect, test } from 'vitest';
import { chooseAccounts, type RankedAccount } from '../../src/status/account-list.js';

const ranked = (
  name: string,
  attention = 0,
  lastReceivedAt: number | null = null,
): RankedAccount<string> => ({
  account: name,
  name,
  address: `r${name.toUpperCase()}xyz`,
  attention,
  lastReceivedAt,
});

describe('chooseAccounts', () => {
  test('few quiet accounts: all of them, in configuration order', () => {
    const all = ['b', 'a', 'c'].map((n) => ranked(n));
    expect(chooseAccounts(all, null)).toEqual({ shown: ['b', 'a', 'c'], matching: 3 });
  });

  test('attention first, then the most recently paid, then configuration order; at most the limit', () => {
    const all = [
      ranked('quiet1'),
      ranked('paid-old', 0, 100),
      ranked('importing', 1),
      ranked('quiet2'),
      ranked('failing', 2, 50),
      ranked('paid-new', 0, 200),
    ];
    expect(chooseAccounts(all, null).shown).toEqual([
      'failing',
      'importing',
      'paid-new',
      'paid-old',
      'quiet1',
      'quiet2',
    ]);
    expect(chooseAccounts(all, null, 3)).toEqual({
      shown: ['failing', 'importing', 'paid-new'],
      matching: 6,
    });
  });

  test('a search matches name or address, case-insensitive, and counts what it matched', () => {
    const all = [ranked('treasury'), ranked('deposits-1', 0, 5), ranked('deposits-2')];
    expect(chooseAccounts(all, '  DEPOSITS ')).toEqual({ shown: ['deposits-1', 'deposits-2'], matching: 2 });
    expect(chooseAccounts(all, 'rTREASURY')).toEqual({ shown: ['treasury'], matching: 1 });
    expect(chooseAccounts(all, 'nothing')).toEqual({ shown: [], matching: 0 });
    expect(chooseAccounts(all, '')).toEqual({ shown: ['deposits-1', 'treasury', 'deposits-2'], matching: 3 });
  });

  test('100,000 accounts: the page gets the limit, the count says how many there are', () => {
    const all = Array.from({ length: 100_000 }, (_, i) => ranked(`a${i}`, 0, i % 7 === 0 ? i : null));
    const choice = chooseAccounts(all, null);
    expect(choice.matching).toBe(100_000);
    expect(choice.shown).toHaveLength(100);
    expect(choice.shown[0]).toBe('a99995');
  });
});
