/*
 * Reading rule state back from the state file. The file is outside our control (an older version, a
 * hand edit, a truncated write that still parsed), so every entry is checked; a bad entry is dropped
 * (that rule x account starts afresh) and never reaches evaluate(), which trusts its types.
 */

import Big from 'big.js';
import { asRecord, isFiniteNumber } from '../json.js';
import type { Alarm, Episode } from './alarm.js';
import { type AlertState, initialAlertState, type SilenceState, type WindowState } from './rules.js';
import type { PaymentFacts } from './types.js';

export interface RestoredAlertState {
  readonly state: AlertState;
  /** Entries that were unreadable and dropped (0 when all was well or nothing was stored). */
  readonly dropped: number;
}

export function restoreAlertState(value: unknown): RestoredAlertState {
  if (value === null || value === undefined) return { state: initialAlertState(), dropped: 0 };
  const s = asRecord(value);
  if (s === null || s.version !== 1 || !Array.isArray(s.windows) || !Array.isArray(s.silences)) {
    return { state: initialAlertState(), dropped: 1 };
  }
  const windows = s.windows.filter(isWindow);
  const silences = s.silences.filter(isSilence);
  const clock = typeof s.clock === 'number' && Number.isFinite(s.clock) ? s.clock : null;
  const dropped = s.windows.length - windows.length + s.silences.length - silences.length;
  return { state: { version: 1, clock, windows, silences }, dropped };
}

function isWindow(value: unknown): value is WindowState {
  const w = asRecord(value);
  return w !== null && isNamed(w) && Array.isArray(w.events) && w.events.every(isFacts) && isAlarm(w.alarm);
}

function isSilence(value: unknown): value is SilenceState {
  const s = asRecord(value);
  return (
    s !== null &&
    isNamed(s) &&
    isFiniteNumber(s.watchedSince) &&
    (s.lastPayment === null || isFacts(s.lastPayment)) &&
    isAlarm(s.alarm)
  );
}

function isNamed(r: Record<string, unknown>): boolean {
  return typeof r.rule === 'string' && typeof r.account === 'string' && typeof r.accountName === 'string';
}

function isAlarm(value: unknown): value is Alarm {
  const a = asRecord(value);
  return (
    a !== null &&
    (a.lastFiringAt === null || isFiniteNumber(a.lastFiringAt)) &&
    (a.episode === null || isEpisode(a.episode))
  );
}

function isEpisode(value: unknown): value is Episode {
  const e = asRecord(value);
  return (
    e !== null &&
    typeof e.id === 'string' &&
    isFiniteNumber(e.startedAt) &&
    typeof e.notified === 'boolean' &&
    Number.isInteger(e.reminders) &&
    (e.trigger === null || isFacts(e.trigger))
  );
}

function isFacts(value: unknown): value is PaymentFacts {
  const f = asRecord(value);
  if (f === null || typeof f.hash !== 'string' || typeof f.txType !== 'string') return false;
  if (!isDecimal(f.value) || !isFiniteNumber(f.closeTime) || !isFiniteNumber(f.ledgerIndex)) return false;
  if (!(f.sender === null || typeof f.sender === 'string')) return false;
  if (!(f.destinationTag === null || isFiniteNumber(f.destinationTag))) return false;
  if (
    typeof f.partial !== 'boolean' ||
    !Array.isArray(f.memos) ||
    !f.memos.every((m) => typeof m === 'string')
  ) {
    return false;
  }
  const asset = asRecord(f.asset);
  if (asset === null) return false;
  switch (asset.kind) {
    case 'xrp':
      return true;
    case 'token':
      return typeof asset.currency === 'string' && typeof asset.issuer === 'string';
    case 'mpt':
      return typeof asset.mptIssuanceId === 'string';
    default:
      return false;
  }
}

function isDecimal(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 120) return false;
  try {
    new Big(value);
    return true;
  } catch {
    return false;
  }
}
