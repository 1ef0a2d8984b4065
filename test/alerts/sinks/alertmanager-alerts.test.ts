import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { analyzeTransaction } from '../../../src/accounting/index.js';
import { type AlertState, evaluate, initialAlertState } from '../../../src/alerts/rules.js';
import {
  type ActiveCondition,
  activeConditions,
  alertKey,
  PAYMENT_ALERT_LIFETIME_MS,
  postableAlert,
  toAmAlert,
  trackConditions,
} from '../../../src/alerts/sinks/alertmanager-alerts.js';
import type { Notification, PaymentEvent } from '../../../src/alerts/types.js';
import type { RuleConfig } from '../../../src/config/types.js';
import { loadFixture } from '../../support/fixtures.js';
import { ALICE, fixtureEvents, payment, rule } from '../support/builders.js';

const XCOIN = '78436F696E000000000000000000000000000000';
const EXPLORER = 'https://livenet.xrpl.org/transactions/{hash}';
const context = { explorerUrl: EXPLORER, resendIntervalMs: 60_000 };
const accounts = [
  { address: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN', name: 'exchange-hot' },
  { address: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j', name: 'xcoin-desk' },
];
const bigXrp = rule({
  name: 'large-xrp',
  kind: 'payment',
  threshold: new Big(10),
  currency: 'XRP',
  notify: ['alertmanager'],
  labels: { severity: 'page', team: 'treasury' },
});
const xcoin = rule({
  name: 'xcoin-in',
  kind: 'payment',
  threshold: new Big('0.001'),
  currency: XCOIN,
  notify: ['email', 'alertmanager'],
});

function paymentNotifications(rules: RuleConfig[], events: readonly PaymentEvent[]): Notification[] {
  let state = initialAlertState();
  const out: Notification[] = [];
  for (const event of events) {
    const result = evaluate({ rules, accounts }, state, { kind: 'payment', payment: event }, Date.now());
    state = result.state;
    out.push(...result.notifications);
  }
  return out;
}

describe('payment alerts from real transactions', () => {
  test.each([
    {
      file: 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
      rule: bigXrp,
      fallbackCloseTime: 0,
      labels: {
        alertname: 'large-xrp',
        rule: 'large-xrp',
        kind: 'payment',
        account: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN',
        name: 'exchange-hot',
        severity: 'page',
        team: 'treasury',
        currency: 'XRP',
        // Spec: every payment alert carries `issuer`; XRP has none, so it is empty (as the metrics' label).
        issuer: '',
        tx_hash: '6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED',
      },
      annotations: {
        summary: '20 XRP received by exchange-hot',
        amount: '20',
        sender: 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8',
        // No destination tag on this payment: the annotation is there, empty.
        destination_tag: '',
        ledger_index: '1969852',
        explorer_url:
          'https://livenet.xrpl.org/transactions/6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED',
      },
      startsAt: '2024-11-01T23:59:01.000Z',
    },
    {
      file: 'explorer/Payment/PaymentWithPartial.json',
      rule: xcoin,
      fallbackCloseTime: 1_664_305_542,
      labels: {
        alertname: 'xcoin-in',
        rule: 'xcoin-in',
        kind: 'payment',
        account: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j',
        name: 'xcoin-desk',
        // As the metrics' `currency` label shows it: the 40-hex code decoded to its printable name.
        currency: 'xCoin',
        issuer: 'rXCoYSUnkpygdtfpz3Df8dKQuRZjM9UFi',
        tx_hash: '439B1D82C4739E4B3DD1FE440AE0EBE62E30C64FA7FF7DC0423B95CAF2FEB384',
      },
      annotations: {
        summary: '0.001041958041958 xCoin received by xcoin-desk',
        amount: '0.001041958041958',
        sender: 'rGTurN94Nn3RkJGSqy9MwmQCLpXZkELbnq',
        destination_tag: '0',
        ledger_index: '74682666',
        explorer_url:
          'https://livenet.xrpl.org/transactions/439B1D82C4739E4B3DD1FE440AE0EBE62E30C64FA7FF7DC0423B95CAF2FEB384',
      },
      startsAt: '2022-09-27T19:05:42.000Z',
    },
  ])('$file: the spec labels and annotations, starting at the close time', (c) => {
    const analysis = analyzeTransaction(loadFixture(c.file), new Set(accounts.map((a) => a.address)));
    const [n, ...rest] = paymentNotifications(
      [c.rule],
      fixtureEvents(analysis, accounts, c.fallbackCloseTime),
    );
    expect(rest).toEqual([]);
    const alert = toAmAlert(n as Notification, c.rule, context);
    expect(alert.labels).toEqual(c.labels);
    expect(alert.annotations).toMatchObject(c.annotations);
    expect(Object.keys(alert.annotations).sort()).toEqual(
      ['description', ...Object.keys(c.annotations)].sort(),
    );
    expect(alert.annotations.description).toContain(c.labels.tx_hash);
    const body = postableAlert(alert, Date.parse('2026-12-01T00:00:00Z'));
    expect(body.startsAt).toBe(c.startsAt);
  });

  test('an old payment (a backfill hours later) still fires: endsAt counts from delivery, not from the payment', () => {
    const old = payment('50', Date.parse('2020-01-01T00:00:00Z') / 1000);
    const [n] = paymentNotifications([bigXrp], [{ ...old, account: accounts[0]!.address }]);
    const alert = toAmAlert(n as Notification, bigXrp, context);
    const deliveredAt = Date.parse('2026-12-01T12:00:00Z');
    const body = postableAlert(alert, deliveredAt);
    expect(body.startsAt).toBe('2020-01-01T00:00:00.000Z');
    expect(Date.parse(body.endsAt as string)).toBe(deliveredAt + PAYMENT_ALERT_LIFETIME_MS);
  });

  test('two replicas evaluating the same payment at different times send the same label set', () => {
    const event = { ...payment('50', 1_780_000_000), account: accounts[0]!.address };
    const [one] = paymentNotifications([bigXrp], [event]);
    const [two] = paymentNotifications([bigXrp], [event]);
    const a = toAmAlert(one as Notification, bigXrp, context);
    const b = toAmAlert(two as Notification, bigXrp, { ...context, explorerUrl: null });
    expect(alertKey(a.labels)).toBe(alertKey(b.labels));
    expect(a.startsAt).toBe(b.startsAt);
  });
});

describe('window and silence alerts', () => {
  const inflow = rule({
    name: 'inflow',
    kind: 'total',
    threshold: new Big(100),
    windowMs: 60_000,
    currency: 'XRP',
    cooldownMs: 3_600_000,
    notify: ['alertmanager'],
  });
  const quiet = rule({ name: 'quiet', kind: 'silence', windowMs: 30_000, notify: ['alertmanager'] });
  const emailOnly = rule({ name: 'mail', kind: 'count', threshold: new Big(1), windowMs: 60_000 });
  const setup = { rules: [inflow, quiet, emailOnly], accounts: [{ address: ALICE, name: 'faucet' }] };
  const T = 1_780_000_000_000;

  function run(steps: ({ at: number } & ({ pay: string } | { tick: true }))[]): AlertState {
    let state = initialAlertState();
    for (const step of steps) {
      const input =
        'pay' in step
          ? { kind: 'payment' as const, payment: payment(step.pay, step.at / 1000) }
          : { kind: 'tick' as const };
      state = evaluate(setup, state, input, step.at).state;
    }
    return state;
  }

  const names = (conditions: readonly ActiveCondition[]) => conditions.map((c) => c.alert.labels.rule).sort();

  test('a condition exists while it holds, for rules that notify Alertmanager only', () => {
    const state = run([
      { at: T, tick: true },
      { at: T + 1000, pay: '150' },
    ]);
    const conditions = activeConditions(setup.rules, state, T + 1000, context);
    expect(names(conditions)).toEqual(['inflow']);
    const [fired] = conditions;
    expect(fired?.alert.labels).toEqual({
      alertname: 'inflow',
      rule: 'inflow',
      kind: 'total',
      account: ALICE,
      name: 'faucet',
    });
    // Every annotation the spec lists is there; what a window has no value for is empty.
    expect(fired?.alert.annotations).toEqual({
      summary: '150 XRP received by faucet in 1m (threshold 100)',
      description: expect.stringContaining('received a total of 150'),
      amount: '150',
      sender: '',
      destination_tag: '',
      ledger_index: '',
      explorer_url: '',
    });
    // Started by the payment: its close time, the same on every replica.
    expect(fired?.alert.startsAt).toBe(T + 1000);
    expect(fired?.alert.validForMs).toBe(4 * 60_000);
    // Quiet for 30 s: silence fires too; the payment window has expired by then.
    const later = run([
      { at: T, tick: true },
      { at: T + 1000, pay: '150' },
      { at: T + 120_000, tick: true },
    ]);
    expect(names(activeConditions(setup.rules, later, T + 120_000, context))).toEqual(['quiet']);
  });

  test('a condition held back by the email cooldown is still firing for Alertmanager', () => {
    const state = run([
      { at: T, tick: true },
      { at: T + 1000, pay: '150' },
      { at: T + 70_000, tick: true }, // window expired: resolved
      { at: T + 80_000, pay: '150' }, // fires again within the 1 h cooldown: no email
    ]);
    expect(names(activeConditions(setup.rules, state, T + 80_000, context))).toContain('inflow');
  });

  test('trackConditions: fire once, re-send after resend_interval, resolve with endsAt = now', () => {
    const state = run([
      { at: T, tick: true },
      { at: T + 1000, pay: '150' },
    ]);
    const conditions = activeConditions(setup.rules, state, T + 1000, context);
    const first = trackConditions([], conditions, T + 1000, 60_000);
    expect(first.posts).toHaveLength(1);
    expect(first.posts[0]?.endsAt).toBeNull();
    const quiet = trackConditions(first.tracked, conditions, T + 30_000, 60_000);
    expect(quiet.posts).toEqual([]);
    const resent = trackConditions(quiet.tracked, conditions, T + 61_000, 60_000);
    expect(resent.posts).toHaveLength(1);
    expect(resent.tracked[0]?.sentAt).toBe(T + 61_000);
    const ended = trackConditions(resent.tracked, [], T + 90_000, 60_000);
    expect(ended.tracked).toEqual([]);
    expect(ended.posts).toHaveLength(1);
    expect(ended.posts[0]?.endsAt).toBe(T + 90_000);
    expect(postableAlert(ended.posts[0]!, T + 95_000).endsAt).toBe(new Date(T + 90_000).toISOString());
  });
});
