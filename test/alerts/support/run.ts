import type { AlertSetup, AlertState } from '../../../src/alerts/rules.js';
import { evaluate, initialAlertState } from '../../../src/alerts/rules.js';
import type { Notification, PaymentEvent } from '../../../src/alerts/types.js';
import type { RuleConfig } from '../../../src/config/types.js';
import { ALICE, CAROL } from './builders.js';

export const T0 = 1_780_000_000; // Unix seconds, a ledger close time
export const MIN = 60;

export type Step = { pay: PaymentEvent; now?: number } | { tick: number };

/** Runs the steps, passing the state through JSON between steps (it is what the durable state does). */
export function run(setup: AlertSetup, steps: readonly Step[], start: AlertState = initialAlertState()) {
  let state = start;
  const perStep: Notification[][] = [];
  for (const step of steps) {
    const input = 'pay' in step ? { kind: 'payment' as const, payment: step.pay } : { kind: 'tick' as const };
    const now = 'pay' in step ? (step.now ?? step.pay.closeTime + 4) * 1000 : step.tick * 1000;
    const result = evaluate(setup, state, input, now);
    state = JSON.parse(JSON.stringify(result.state)) as AlertState;
    perStep.push([...result.notifications]);
  }
  return { state, perStep, all: perStep.flat() };
}

export const accounts = [
  { address: ALICE, name: 'faucet' },
  { address: CAROL, name: 'carol' },
];
export const setupOf = (...rules: RuleConfig[]): AlertSetup => ({ rules, accounts });
export const kinds = (notes: readonly Notification[]) =>
  notes.map((n) => `${n.kind}:${n.rule.name}:${n.reminder}`);
