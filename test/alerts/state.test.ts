import Big from 'big.js';
import { expect, test } from 'vitest';
import { evaluate, initialAlertState } from '../../src/alerts/rules.js';
import { restoreAlertState } from '../../src/alerts/state.js';
import { ALICE, CAROL, payment, rule } from './support/builders.js';

const T0 = 1_780_000_000;
const rules = [
  rule({
    name: 'w',
    kind: 'total',
    threshold: new Big(5),
    windowMs: 3_600_000,
    currency: 'XRP',
    cooldownMs: 0,
  }),
  rule({ name: 's', kind: 'silence', windowMs: 60_000, cooldownMs: 0 }),
];
const setup = {
  rules,
  accounts: [
    { address: ALICE, name: 'faucet' },
    { address: CAROL, name: 'carol' },
  ],
};

function persistedState() {
  let state = initialAlertState();
  state = evaluate(setup, state, { kind: 'tick' }, T0 * 1000).state;
  state = evaluate(setup, state, { kind: 'payment', payment: payment('10', T0 + 1) }, (T0 + 1) * 1000).state;
  state = evaluate(setup, state, { kind: 'tick' }, (T0 + 120) * 1000).state;
  return JSON.parse(JSON.stringify(state));
}

test('a state written by evaluate reads back unchanged', () => {
  const stored = persistedState();
  expect(stored.windows).toHaveLength(1);
  expect(stored.silences).toHaveLength(2);
  expect(restoreAlertState(stored)).toEqual({ state: stored, dropped: 0 });
});

test('nothing stored gives a fresh state', () => {
  expect(restoreAlertState(undefined)).toEqual({ state: initialAlertState(), dropped: 0 });
  expect(restoreAlertState(null)).toEqual({ state: initialAlertState(), dropped: 0 });
});

test.each([
  ['not an object', 'garbage'],
  ['another version', { version: 2, clock: 1, windows: [], silences: [] }],
  ['records instead of arrays', { version: 1, clock: 1, windows: {}, silences: {} }],
])('an unreadable state (%s) gives a fresh state and says so', (_name, value) => {
  expect(restoreAlertState(value)).toEqual({ state: initialAlertState(), dropped: 1 });
});

test('a bad entry is dropped, the good ones are kept, and evaluation goes on', () => {
  const stored = persistedState();
  stored.windows[0].events[0].value = '12abc';
  stored.silences[1].alarm = { episode: { id: 7 }, lastFiringAt: null };
  const { state, dropped } = restoreAlertState(stored);
  expect(dropped).toBe(2);
  expect(state.windows).toHaveLength(0);
  expect(state.silences).toHaveLength(1);
  expect(() => evaluate(setup, state, { kind: 'tick' }, (T0 + 500) * 1000)).not.toThrow();
});
