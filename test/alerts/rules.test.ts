import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { ALICE, BOB, CAROL, GATEHUB, payment, rule, usd, XRP } from './support/builders.js';
import { kinds, MIN, run, type Step, setupOf, T0 } from './support/run.js';

describe('payment rules', () => {
  const large = rule({ name: 'large', kind: 'payment', threshold: new Big(1000), currency: 'XRP' });

  test.each([
    ['999.999999', 0],
    ['1000', 1],
    ['1000.000001', 1],
    ['250000', 1],
  ])('a payment of %s XRP gives %i notification(s) for threshold 1000', (value, expected) => {
    const { all } = run(setupOf(large), [{ pay: payment(value, T0) }]);
    expect(all).toHaveLength(expected);
  });

  test('the notification carries the payment facts and the (rule, account, hash) key', () => {
    const p = payment('1500.5', T0, { destinationTag: 42, memos: ['<b>hi</b>'] });
    const [note] = run(setupOf(large), [{ pay: p }]).all;
    expect(note).toMatchObject({
      key: JSON.stringify(['payment', 'large', ALICE, p.hash]),
      kind: 'payment',
      account: ALICE,
      accountName: 'faucet',
      payment: { hash: p.hash, value: '1500.5', sender: BOB, destinationTag: 42, memos: ['<b>hi</b>'] },
      rule: { name: 'large', threshold: '1000', currency: 'XRP' },
    });
  });

  test('a replayed transaction gives the same idempotency key (the outbox drops the second)', () => {
    const p = payment('5000', T0);
    const { perStep } = run(setupOf(large), [{ pay: p }, { pay: p }]);
    expect(perStep[0]?.[0]?.key).toBe(perStep[1]?.[0]?.key);
  });

  test('a backfilled payment far older than the clock still fires exactly once', () => {
    const { all } = run(setupOf(large), [
      { tick: T0 + 86_400 },
      { pay: payment('2000', T0), now: T0 + 86_400 },
    ]);
    expect(kinds(all)).toEqual(['payment:large:0']);
  });

  test('values are compared exactly, beyond float precision', () => {
    const tiny = rule({
      name: 't',
      kind: 'payment',
      threshold: new Big('0.1000000000000000055511151231257827'),
      currency: 'XRP',
    });
    expect(run(setupOf(tiny), [{ pay: payment('0.1', T0) }]).all).toHaveLength(0);
  });
});

describe('total rules (sliding window sum)', () => {
  const inflow = rule({
    name: 'inflow',
    kind: 'total',
    threshold: new Big(1000),
    windowMs: 60 * MIN * 1000,
    currency: 'XRP',
    cooldownMs: 0,
  });

  test('fires once when the sum crosses the threshold, resolves when payments leave the window', () => {
    const p3 = payment('200', T0 + 20 * MIN);
    const { perStep } = run(setupOf(inflow), [
      { pay: payment('400', T0) },
      { pay: payment('400', T0 + 10 * MIN) },
      { pay: p3 },
      { pay: payment('50', T0 + 30 * MIN) },
      { tick: T0 + 59 * MIN },
      { tick: T0 + 60 * MIN }, // the first 400 leaves: 650 < 1000
    ]);
    expect(perStep.map(kinds)).toEqual([[], [], ['firing:inflow:0'], [], [], ['resolved:inflow:0']]);
    const firing = perStep[2]?.[0];
    expect(firing?.window).toMatchObject({ total: '1000', count: 3 });
    expect(firing?.window?.largest.map((p) => p.value)).toEqual(['400', '400', '200']);
    expect(firing?.payment?.hash).toBe(p3.hash);
    expect(firing?.episode).toBe(`${T0 + 20 * MIN}-${p3.hash}`);
    expect(perStep[5]?.[0]).toMatchObject({ episode: firing?.episode, window: { total: '650', count: 3 } });
  });

  test('a replayed transaction is not summed twice', () => {
    const big = payment('600', T0);
    const { all } = run(setupOf(inflow), [{ pay: big }, { pay: big }]);
    expect(all).toHaveLength(0);
  });

  test('a payment older than the window on the clock is ignored (no late episode)', () => {
    const { all, state } = run(setupOf(inflow), [
      { tick: T0 + 5 * 60 * MIN },
      { pay: payment('5000', T0), now: T0 + 5 * 60 * MIN },
    ]);
    expect(all).toHaveLength(0);
    expect(state.windows).toHaveLength(0);
  });

  test('a backfilled burst is judged in ledger time', () => {
    const { all } = run(setupOf(inflow), [
      { pay: payment('600', T0), now: T0 + 30 * MIN },
      { pay: payment('600', T0 + 5 * MIN), now: T0 + 30 * MIN },
    ]);
    expect(kinds(all)).toEqual(['firing:inflow:0']);
  });

  test('windows are per account', () => {
    const { all } = run(setupOf(inflow), [
      { pay: payment('600', T0) },
      { pay: payment('600', T0 + 1, { account: CAROL, accountName: 'carol' }) },
    ]);
    expect(all).toHaveLength(0);
  });

  test('the state stays bounded: events leave the window', () => {
    const steps: Step[] = [];
    for (let i = 0; i < 500; i++) steps.push({ pay: payment('1', T0 + i * 10 * MIN) });
    const { state } = run(setupOf(inflow), steps);
    const win = state.windows[0];
    expect(win?.events.length).toBeLessThanOrEqual(6);
  });
});

describe('cooldown and reminders', () => {
  const base = {
    name: 'inflow',
    kind: 'total' as const,
    threshold: new Big(100),
    windowMs: 60 * MIN * 1000,
    currency: 'XRP',
  };

  test('while the condition stays true: one reminder per cooldown', () => {
    const r = rule({ ...base, cooldownMs: 15 * MIN * 1000 });
    const steps: Step[] = [{ pay: payment('500', T0) }];
    for (let m = 5; m <= 50; m += 5) steps.push({ tick: T0 + m * MIN });
    const { all } = run(setupOf(r), steps);
    expect(kinds(all)).toEqual(['firing:inflow:0', 'firing:inflow:1', 'firing:inflow:2', 'firing:inflow:3']);
    expect(all.map((n) => n.at - T0)).toEqual([0, 15 * MIN, 30 * MIN, 45 * MIN]);
    expect(new Set(all.map((n) => n.key)).size).toBe(4);
  });

  test('cooldown 0: no reminders, one firing and one resolved per episode', () => {
    const r = rule({ ...base, cooldownMs: 0 });
    const { all } = run(setupOf(r), [
      { pay: payment('500', T0) },
      { tick: T0 + 30 * MIN },
      { tick: T0 + 61 * MIN },
    ]);
    expect(kinds(all)).toEqual(['firing:inflow:0', 'resolved:inflow:0']);
  });

  test('a new episode inside the cooldown is held, then emailed once the cooldown has passed', () => {
    const r = rule({ ...base, windowMs: 10 * MIN * 1000, cooldownMs: 30 * MIN * 1000 });
    const { perStep } = run(setupOf(r), [
      { pay: payment('500', T0) },
      { tick: T0 + 11 * MIN }, // resolved
      { pay: payment('500', T0 + 12 * MIN) }, // true again, inside the cooldown: held
      { tick: T0 + 13 * MIN },
      { pay: payment('500', T0 + 21 * MIN) }, // keeps it true
      { tick: T0 + 30 * MIN }, // cooldown over, still true: the held episode's firing email
    ]);
    expect(perStep.map(kinds)).toEqual([
      ['firing:inflow:0'],
      ['resolved:inflow:0'],
      [],
      [],
      [],
      ['firing:inflow:0'],
    ]);
    expect(perStep[5]?.[0]?.episode).not.toBe(perStep[0]?.[0]?.episode);
  });

  test('a held episode that ends before its email is never resolved by email', () => {
    const r = rule({ ...base, windowMs: 10 * MIN * 1000, cooldownMs: 60 * MIN * 1000 });
    const { all } = run(setupOf(r), [
      { pay: payment('500', T0) },
      { tick: T0 + 11 * MIN },
      { pay: payment('500', T0 + 12 * MIN) },
      { tick: T0 + 23 * MIN },
      { tick: T0 + 90 * MIN },
    ]);
    expect(kinds(all)).toEqual(['firing:inflow:0', 'resolved:inflow:0']);
  });
});

describe('count rules', () => {
  const many = rule({
    name: 'many',
    kind: 'count',
    threshold: new Big(3),
    windowMs: 10 * MIN * 1000,
    cooldownMs: 0,
  });

  test('fires on the third payment in the window, any asset, resolves when one expires', () => {
    const { perStep } = run(setupOf(many), [
      { pay: payment('1', T0) },
      { pay: payment('1', T0 + MIN, { asset: usd(GATEHUB) }) },
      { pay: payment('1', T0 + 2 * MIN) },
      { tick: T0 + 10 * MIN },
    ]);
    expect(perStep.map(kinds)).toEqual([[], [], ['firing:many:0'], ['resolved:many:0']]);
    expect(perStep[2]?.[0]?.window?.count).toBe(3);
  });

  test('one transaction delivering two assets counts two payments; the same asset replayed counts once', () => {
    const two = payment('1', T0);
    const { all } = run(setupOf(many), [
      { pay: two },
      { pay: { ...two, asset: usd(GATEHUB) } },
      { pay: two },
    ]);
    expect(all).toHaveLength(0);
  });
});

describe('silence rules', () => {
  const quiet = rule({
    name: 'quiet',
    kind: 'silence',
    windowMs: 60 * MIN * 1000,
    cooldownMs: 0,
    accounts: [ALICE],
  });

  test('fires after the window without payments, resolves on the next payment', () => {
    const last = payment('1', T0 + 70 * MIN);
    const { perStep } = run(setupOf(quiet), [
      { tick: T0 },
      { tick: T0 + 59 * MIN },
      { tick: T0 + 60 * MIN },
      { tick: T0 + 65 * MIN },
      { pay: last },
    ]);
    expect(perStep.map(kinds)).toEqual([[], [], ['firing:quiet:0'], [], ['resolved:quiet:0']]);
    expect(perStep[2]?.[0]).toMatchObject({
      account: ALICE,
      episode: `silent-since-${T0}`,
      silence: { lastPaymentAt: null, silentSince: T0, at: T0 + 60 * MIN },
    });
    expect(perStep[4]?.[0]).toMatchObject({ episode: `silent-since-${T0}`, payment: { hash: last.hash } });
  });

  test('silence is measured from the last matching payment', () => {
    const { perStep } = run(setupOf(quiet), [
      { tick: T0 },
      { pay: payment('1', T0 + 30 * MIN) },
      { tick: T0 + 89 * MIN },
      { tick: T0 + 90 * MIN },
    ]);
    expect(perStep.map(kinds)).toEqual([[], [], [], ['firing:quiet:0']]);
    expect(perStep[3]?.[0]?.silence?.lastPaymentAt).toBe(T0 + 30 * MIN);
  });

  test('a backfilled payment older than the window does not end the silence', () => {
    const { all } = run(setupOf(quiet), [
      { tick: T0 },
      { tick: T0 + 120 * MIN },
      { pay: payment('1', T0 + 30 * MIN), now: T0 + 121 * MIN },
      { tick: T0 + 122 * MIN },
    ]);
    expect(kinds(all)).toEqual(['firing:quiet:0']);
  });

  test('a payment that does not match the filters does not end the silence', () => {
    const xrpOnly = rule({ ...quiet, currency: 'XRP' });
    const { all } = run(setupOf(xrpOnly), [
      { tick: T0 },
      { tick: T0 + 60 * MIN },
      { pay: payment('1', T0 + 61 * MIN, { asset: usd(GATEHUB) }) },
    ]);
    expect(kinds(all)).toEqual(['firing:quiet:0']);
  });

  test('without an accounts filter every configured account is watched, each with its own episode', () => {
    const all = rule({ ...quiet, accounts: null });
    const notes = run(setupOf(all), [{ tick: T0 }, { tick: T0 + 60 * MIN }]).all;
    expect(notes.map((n) => n.accountName).sort()).toEqual(['carol', 'faucet']);
  });

  test('reminders every cooldown while silent', () => {
    const r = rule({ ...quiet, cooldownMs: 60 * MIN * 1000 });
    const { all } = run(setupOf(r), [
      { tick: T0 },
      { tick: T0 + 60 * MIN },
      { tick: T0 + 100 * MIN },
      { tick: T0 + 120 * MIN },
    ]);
    expect(kinds(all)).toEqual(['firing:quiet:0', 'firing:quiet:1']);
  });
});

describe('state', () => {
  test('a restart (state through JSON) keeps episodes and keys stable', () => {
    const r = rule({
      name: 'inflow',
      kind: 'total',
      threshold: new Big(100),
      windowMs: 3_600_000,
      currency: 'XRP',
      cooldownMs: 0,
    });
    const p = payment('500', T0);
    const first = run(setupOf(r), [{ pay: p }]);
    const resumed = run(setupOf(r), [{ pay: p }, { tick: T0 + 61 * MIN }], first.state);
    expect(resumed.perStep[0]).toEqual([]);
    expect(resumed.perStep[1]?.[0]?.key).toBe(
      JSON.stringify(['resolved', 'inflow', ALICE, `${T0}-${p.hash}`]),
    );
  });

  test('a rule removed by a reload loses its state at the next tick', () => {
    const r = rule({
      name: 'inflow',
      kind: 'total',
      threshold: new Big(100),
      windowMs: 3_600_000,
      currency: 'XRP',
    });
    const q = rule({ name: 'quiet', kind: 'silence', windowMs: 3_600_000 });
    const before = run(setupOf(r, q), [{ tick: T0 }, { pay: payment('500', T0 + 1) }]);
    expect(before.state.windows).toHaveLength(1);
    const after = run(setupOf(), [{ tick: T0 + 2 }], before.state);
    expect(after.state.windows).toEqual([]);
    expect(after.state.silences).toEqual([]);
    expect(after.all).toEqual([]);
  });

  test('the clock never goes back', () => {
    const { state } = run(setupOf(), [{ tick: T0 + 100 }, { pay: payment('1', T0) }, { tick: T0 + 50 }]);
    expect(state.clock).toBe((T0 + 100) * 1000);
  });
});

test('XRP is the default test asset', () => {
  expect(payment('1', T0).asset).toEqual(XRP);
});
