/*
 * The firing/resolved life cycle shared by window (total, count) and silence rules, for one rule x account.
 *
 * - The condition becomes true: an episode starts and a "firing" email goes out, unless a firing email
 *   for this rule x account went out less than `cooldown` ago; then the episode is held and its first
 *   email goes out once the cooldown has passed, if the condition is still true.
 * - While it stays true: a "still firing" reminder every `cooldown` (none when the cooldown is 0, which
 *   would mean one email per evaluation). So there is at most one firing email per cooldown.
 * - It becomes false: a "resolved" email, only for an episode whose firing email was sent (a held
 *   episode that ends before its email is forgotten quietly: no one was told it started).
 */

import type { PaymentFacts } from './types.js';

export interface Episode {
  /** Stable across restarts: derived from the ledger data that started it. */
  readonly id: string;
  /** Unix ms (evaluation clock). */
  readonly startedAt: number;
  readonly notified: boolean;
  /** Reminders sent so far. */
  readonly reminders: number;
  /** The payment that started the episode (window rules), if any. */
  readonly trigger: PaymentFacts | null;
}

export interface Alarm {
  readonly episode: Episode | null;
  /** Unix ms of the last firing (or reminder) email for this rule x account. */
  readonly lastFiringAt: number | null;
}

export const quietAlarm: Alarm = { episode: null, lastFiringAt: null };

export type AlarmEmission =
  | { readonly kind: 'firing'; readonly episode: Episode; readonly reminder: number }
  | { readonly kind: 'resolved'; readonly episode: Episode };

export interface AlarmStep {
  readonly alarm: Alarm;
  readonly emit: AlarmEmission | null;
}

export interface AlarmInput {
  readonly condition: boolean;
  /** Evaluation clock, Unix ms. */
  readonly clock: number;
  readonly cooldownMs: number;
  /** The id and trigger to use if an episode starts now. */
  readonly newEpisode: () => { id: string; trigger: PaymentFacts | null };
}

export function stepAlarm(alarm: Alarm, input: AlarmInput): AlarmStep {
  const { condition, clock, cooldownMs } = input;
  if (!condition) {
    if (alarm.episode === null) return { alarm, emit: null };
    const ended = alarm.episode;
    const next: Alarm = { episode: null, lastFiringAt: alarm.lastFiringAt };
    return { alarm: next, emit: ended.notified ? { kind: 'resolved', episode: ended } : null };
  }
  const cooledDown = alarm.lastFiringAt === null || clock - alarm.lastFiringAt >= cooldownMs;
  if (alarm.episode === null) {
    const { id, trigger } = input.newEpisode();
    const held: Episode = { id, startedAt: clock, notified: false, reminders: 0, trigger };
    if (!cooledDown) return { alarm: { episode: held, lastFiringAt: alarm.lastFiringAt }, emit: null };
    const episode = { ...held, notified: true };
    return { alarm: { episode, lastFiringAt: clock }, emit: { kind: 'firing', episode, reminder: 0 } };
  }
  const current = alarm.episode;
  if (!current.notified) {
    if (!cooledDown) return { alarm, emit: null };
    const episode = { ...current, notified: true };
    return { alarm: { episode, lastFiringAt: clock }, emit: { kind: 'firing', episode, reminder: 0 } };
  }
  if (cooldownMs > 0 && cooledDown) {
    const episode = { ...current, reminders: current.reminders + 1 };
    return {
      alarm: { episode, lastFiringAt: clock },
      emit: { kind: 'firing', episode, reminder: episode.reminders },
    };
  }
  return { alarm, emit: null };
}
