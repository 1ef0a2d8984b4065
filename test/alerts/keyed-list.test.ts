import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { findEntry, withEntry } from '../../src/alerts/keyed-list.js';
import { evaluate, initialAlertState } from '../../src/alerts/rules.js';
import { ALICE, payment, rule } from './support/builders.js';

const e = (rule: string, account: string, v: number) => ({ rule, account, v });

describe('keyed list', () => {
  test('finds, replaces and appends without touching the input', () => {
    const a = withEntry(withEntry([], e('r', 'x', 1)), e('r', 'y', 2));
    const b = withEntry(a, e('r', 'x', 3));
    expect(a).toEqual([e('r', 'x', 1), e('r', 'y', 2)]);
    expect(b).toEqual([e('r', 'x', 3), e('r', 'y', 2)]);
    expect(findEntry(b, 'r', 'y')?.v).toBe(2);
    expect(findEntry(b, 's', 'y')).toBeUndefined();
  });

  test('stays right when an old list is reused after a newer one grew (branching histories)', () => {
    const base = withEntry([], e('r', 'x', 1));
    const left = withEntry(base, e('r', 'a', 2)); // a at index 1
    const right = withEntry(withEntry(base, e('r', 'b', 3)), e('r', 'a', 4)); // b at 1, a at 2
    expect(findEntry(left, 'r', 'a')?.v).toBe(2);
    expect(findEntry(right, 'r', 'a')?.v).toBe(4);
    expect(findEntry(left, 'r', 'b')).toBeUndefined();
    expect(withEntry(left, e('r', 'a', 5))).toEqual([e('r', 'x', 1), e('r', 'a', 5)]);
  });
});

test('evaluate never mutates the state it is given', () => {
  const deepFreeze = <T>(value: T): T => {
    if (typeof value === 'object' && value !== null) {
      for (const v of Object.values(value)) deepFreeze(v);
      Object.freeze(value);
    }
    return value;
  };
  const rules = [
    rule({
      name: 'w',
      kind: 'total',
      threshold: new Big(5),
      windowMs: 600_000,
      currency: 'XRP',
      cooldownMs: 0,
    }),
    rule({ name: 's', kind: 'silence', windowMs: 60_000, cooldownMs: 0 }),
  ];
  const setup = { rules, accounts: [{ address: ALICE, name: 'faucet' }] };
  let state = initialAlertState();
  const t = 1_780_000_000;
  const inputs = [
    { input: { kind: 'tick' as const }, now: t * 1000 },
    { input: { kind: 'payment' as const, payment: payment('10', t + 1) }, now: (t + 1) * 1000 },
    { input: { kind: 'tick' as const }, now: (t + 2000) * 1000 },
  ];
  for (const { input, now } of inputs) {
    const frozen = deepFreeze(JSON.parse(JSON.stringify(state)));
    const before = JSON.stringify(frozen);
    state = evaluate(setup, frozen, input, now).state;
    expect(JSON.stringify(frozen)).toBe(before);
  }
  expect(state.windows).toHaveLength(0);
});
