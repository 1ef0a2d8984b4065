/*
 * Threshold rules, evaluated purely: evaluate(setup, state, input, now) -> { state, notifications }.
 *
 * Time base. Every payment is stamped with its ledger close time. The evaluation clock is the newest of
 * the close times seen and the tick times (`now`); it never goes back. Payment inputs advance it to
 * their close time only, so a backfilled burst is judged in ledger time, as it happened on the ledger.
 * A window rule ignores a payment that is already older than its window on the clock: an old
 * backfilled payment cannot start an episode long after the fact. Ticks move the clock to `now`, expire
 * window events, resolve episodes and detect silence. A `payment` rule fires once per qualifying payment
 * whatever its age (the outbox's idempotency key makes a replay harmless).
 *
 * Window contents: the matching payments with close time in (clock - window, clock], one per
 * (transaction, asset); a replayed transaction is not counted twice. `total` sums the values (rules
 * without an issuer filter sum the currency across issuers), `count` counts the payments.
 *
 * Silence: per rule x watched account, silent since the later of the last matching payment and the
 * first evaluation that saw the account. Fires when clock - silentSince >= window (checked on ticks),
 * resolves on a matching payment that ends it (a payment older than the window does not).
 */

import Big from 'big.js';
import type { AccountConfig, RuleConfig } from '../config/types.js';
import { type Alarm, quietAlarm, stepAlarm } from './alarm.js';
import { assetKey } from './assets.js';
import { paymentMatches, ruleWatchesAccount } from './filters.js';
import { findEntry, inheritIndex, withEntry } from './keyed-list.js';
import { episodeNotification, paymentNotification, summarise, toFacts } from './notifications.js';
import type { AlertInput, Notification, PaymentFacts, SilenceSummary } from './types.js';

export interface AlertSetup {
  readonly rules: readonly RuleConfig[];
  readonly accounts: readonly Pick<AccountConfig, 'address' | 'name'>[];
}

export interface WindowState {
  readonly rule: string;
  readonly account: string;
  readonly accountName: string;
  /** Matching payments in the window, oldest first. */
  readonly events: readonly PaymentFacts[];
  readonly alarm: Alarm;
}

export interface SilenceState {
  readonly rule: string;
  readonly account: string;
  readonly accountName: string;
  /** Unix ms: when evaluation first saw this rule x account. */
  readonly watchedSince: number;
  readonly lastPayment: PaymentFacts | null;
  readonly alarm: Alarm;
}

/** Plain JSON, persisted by the durable state: one entry per rule x account with state. */
export interface AlertState {
  readonly version: 1;
  /** Unix ms; null before the first input. */
  readonly clock: number | null;
  readonly windows: readonly WindowState[];
  readonly silences: readonly SilenceState[];
}

export interface Evaluation {
  readonly state: AlertState;
  readonly notifications: readonly Notification[];
}

export function initialAlertState(): AlertState {
  return { version: 1, clock: null, windows: [], silences: [] };
}

/** Never throws for well-typed input; `now` is Unix ms. */
export function evaluate(setup: AlertSetup, state: AlertState, input: AlertInput, now: number): Evaluation {
  const out: Notification[] = [];
  if (input.kind === 'tick') {
    const clock = Math.max(state.clock ?? now, now);
    const next = tick(setup, { ...state, clock }, clock, out);
    return { state: next, notifications: out };
  }
  const event = input.payment;
  const eventMs = Number.isFinite(event.closeTime) ? event.closeTime * 1000 : now;
  const clock = Math.max(state.clock ?? eventMs, eventMs);
  const facts = toFacts(event);
  let windows = state.windows;
  let silences = state.silences;
  for (const rule of setup.rules) {
    if (!paymentMatches(rule, event)) continue;
    if (rule.kind === 'payment') {
      if (rule.threshold !== null && event.value.gte(rule.threshold))
        out.push(paymentNotification(rule, event, facts));
    } else if (rule.kind === 'total' || rule.kind === 'count') {
      const current =
        findEntry(windows, rule.name, event.account) ?? newWindow(rule, event.account, event.accountName);
      const updated = addToWindow(rule, current, facts, eventMs, clock, out);
      if (updated !== current) windows = withEntry(windows, updated);
    } else {
      const current =
        findEntry(silences, rule.name, event.account) ??
        newSilence(rule, event.account, event.accountName, eventMs);
      const updated = paymentEndsSilence(rule, current, facts, clock, out);
      if (updated !== current) silences = withEntry(silences, updated);
    }
  }
  return { state: { version: 1, clock, windows, silences }, notifications: out };
}

function tick(setup: AlertSetup, state: AlertState, clock: number, out: Notification[]): AlertState {
  const rulesByName = new Map(setup.rules.map((r) => [r.name, r]));
  const windows: WindowState[] = [];
  for (const win of state.windows) {
    const rule = rulesByName.get(win.rule);
    // A rule removed or changed by a reload, or an account it no longer watches: its state goes.
    if (rule === undefined || (rule.kind !== 'total' && rule.kind !== 'count')) continue;
    if (!ruleWatchesAccount(rule, win.account)) continue;
    const next = judgeWindow(rule, win, clock, null, out);
    const coolingDown = next.alarm.lastFiringAt !== null && clock - next.alarm.lastFiringAt < rule.cooldownMs;
    if (next.events.length > 0 || next.alarm.episode !== null || coolingDown) {
      windows.push(next);
    }
  }
  const silences: SilenceState[] = [];
  let sameLayout = true;
  for (const rule of setup.rules) {
    if (rule.kind !== 'silence') continue;
    for (const account of setup.accounts) {
      if (!ruleWatchesAccount(rule, account.address)) continue;
      // Ticks keep the same order, so the entry is usually at the same position as last time.
      const previous = state.silences[silences.length];
      const samePlace = previous?.rule === rule.name && previous.account === account.address;
      if (!samePlace) sameLayout = false;
      const found = samePlace ? previous : findEntry(state.silences, rule.name, account.address);
      const current = found ?? newSilence(rule, account.address, account.name, clock);
      const named =
        current.accountName === account.name ? current : { ...current, accountName: account.name };
      silences.push(judgeSilence(rule, named, clock, out));
    }
  }
  if (sameLayout && silences.length === state.silences.length) inheritIndex(state.silences, silences);
  return { version: 1, clock, windows, silences };
}

function addToWindow(
  rule: RuleConfig,
  win: WindowState,
  facts: PaymentFacts,
  eventMs: number,
  clock: number,
  out: Notification[],
): WindowState {
  const windowMs = rule.windowMs ?? 0;
  if (eventMs <= clock - windowMs) return win;
  const id = eventId(facts);
  if (win.events.some((e) => eventId(e) === id)) return win;
  const events = [...win.events, facts].sort(
    (a, b) => a.closeTime - b.closeTime || a.ledgerIndex - b.ledgerIndex,
  );
  return judgeWindow(rule, { ...win, events }, clock, facts, out);
}

function judgeWindow(
  rule: RuleConfig,
  win: WindowState,
  clock: number,
  trigger: PaymentFacts | null,
  out: Notification[],
): WindowState {
  const windowMs = rule.windowMs ?? 0;
  const events = win.events.filter((e) => e.closeTime * 1000 > clock - windowMs);
  // The summary (a sort for the largest payments) is only built for an email; the check needs a sum.
  const threshold = rule.threshold ?? new Big(0);
  const measured =
    rule.kind === 'count' ? new Big(events.length) : events.reduce((sum, e) => sum.plus(e.value), new Big(0));
  const condition = events.length > 0 && measured.gte(threshold);
  const step = stepAlarm(win.alarm, {
    condition,
    clock,
    cooldownMs: rule.cooldownMs,
    newEpisode: () => {
      const started = trigger ?? events[events.length - 1] ?? null;
      return {
        id: started === null ? `at-${clock}` : `${started.closeTime}-${started.hash}`,
        trigger: started,
      };
    },
  });
  if (step.emit !== null) {
    const summary = summarise(events, clock, windowMs);
    out.push(episodeNotification(rule, win.account, win.accountName, step.emit, clock, summary, null));
  }
  if (step.alarm === win.alarm && events.length === win.events.length) return win;
  return { ...win, events, alarm: step.alarm };
}

function paymentEndsSilence(
  rule: RuleConfig,
  silence: SilenceState,
  facts: PaymentFacts,
  clock: number,
  out: Notification[],
): SilenceState {
  const before = silentSince(silence);
  const newer = silence.lastPayment === null || facts.closeTime >= silence.lastPayment.closeTime;
  const next = newer ? { ...silence, lastPayment: facts } : silence;
  return judgeSilence(rule, next, clock, out, { payment: facts, since: before });
}

function judgeSilence(
  rule: RuleConfig,
  silence: SilenceState,
  clock: number,
  out: Notification[],
  ended: { payment: PaymentFacts; since: number } | null = null,
): SilenceState {
  const since = silentSince(silence);
  const condition = clock - since >= (rule.windowMs ?? 0);
  const step = stepAlarm(silence.alarm, {
    condition,
    clock,
    cooldownMs: rule.cooldownMs,
    newEpisode: () => ({ id: `silent-since-${Math.floor(since / 1000)}`, trigger: null }),
  });
  if (step.emit !== null) {
    const summary = silenceSummary(silence, clock, ended?.since ?? since);
    const shown = step.emit.kind === 'resolved' ? (ended?.payment ?? null) : null;
    out.push(
      episodeNotification(rule, silence.account, silence.accountName, step.emit, clock, null, summary, shown),
    );
  }
  return step.alarm === silence.alarm ? silence : { ...silence, alarm: step.alarm };
}

/** What a silence notification says; `since` (Unix ms) defaults to silentSince(silence). */
export function silenceSummary(
  silence: SilenceState,
  clock: number,
  since: number = silentSince(silence),
): SilenceSummary {
  return {
    lastPaymentAt: silence.lastPayment?.closeTime ?? null,
    silentSince: Math.floor(since / 1000),
    at: Math.floor(clock / 1000),
  };
}

/** Unix ms: the later of the last matching payment and when watching began. */
function silentSince(silence: SilenceState): number {
  const last = silence.lastPayment === null ? Number.NEGATIVE_INFINITY : silence.lastPayment.closeTime * 1000;
  return Math.max(silence.watchedSince, last);
}

function newWindow(rule: RuleConfig, account: string, accountName: string): WindowState {
  return { rule: rule.name, account, accountName, events: [], alarm: quietAlarm };
}

function newSilence(rule: RuleConfig, account: string, accountName: string, since: number): SilenceState {
  return { rule: rule.name, account, accountName, watchedSince: since, lastPayment: null, alarm: quietAlarm };
}

function eventId(facts: PaymentFacts): string {
  return `${facts.hash}/${assetKey(facts.asset)}`;
}
