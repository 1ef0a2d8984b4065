/*
 * Reading the notifier's part of the state file back. The file is outside our control (an older version,
 * a hand edit), so every part is checked; what cannot be read is dropped with a warning.
 * Version 1 (the first release) was the email outbox alone: `{version: 1, queued: Notification[], sent}`.
 * Its sent digests are keyDigest(notification key), the same as version 2 uses for emails, so an email
 * sent before an upgrade is not sent again after it.
 */

import { asRecord, isFiniteNumber } from '../../json.js';
import type { Logger } from '../../log.js';
import type { Notification } from '../types.js';
import type { AmAlert, TrackedAlert } from './alertmanager-alerts.js';
import { type EmailItem, emailEntry } from './email.js';
import type { OutboxSnapshot } from './outbox.js';

export interface RestoredSnapshot {
  /** Passed to Outbox.restore(), which checks each entry. */
  readonly email: OutboxSnapshot<EmailItem> | null;
  readonly alertmanager: OutboxSnapshot<AmAlert> | null;
  readonly active: readonly unknown[];
}

const NOTHING: RestoredSnapshot = { email: null, alertmanager: null, active: [] };

export function readSnapshot(value: unknown, logger: Logger): RestoredSnapshot {
  if (value === null || value === undefined) return NOTHING;
  const s = asRecord(value);
  if (s?.version === 1 && Array.isArray(s.queued) && Array.isArray(s.sent)) {
    const queued = s.queued.filter(isNotification).map(emailEntry);
    return {
      email: { version: 2, queued, sent: s.sent.filter((d) => typeof d === 'string'), dead: [] },
      alertmanager: null,
      active: [],
    };
  }
  if (s?.version === 2) {
    return {
      email: (s.email ?? null) as OutboxSnapshot<EmailItem> | null,
      alertmanager: (s.alertmanager ?? null) as OutboxSnapshot<AmAlert> | null,
      active: Array.isArray(s.active) ? s.active : [],
    };
  }
  logger.warn('ignoring an unreadable alert outbox in the state file');
  return NOTHING;
}

export function isEmailItem(value: unknown): value is EmailItem {
  const item = asRecord(value);
  if (item === null || !isNotification(item.notification)) return false;
  return item.recipients === null || isStringList(item.recipients);
}

export function isAmAlert(value: unknown): value is AmAlert {
  const a = asRecord(value);
  return (
    a !== null &&
    isStringRecord(a.labels) &&
    isStringRecord(a.annotations) &&
    isFiniteNumber(a.startsAt) &&
    (a.endsAt === null || isFiniteNumber(a.endsAt)) &&
    isFiniteNumber(a.validForMs)
  );
}

export function isTrackedAlert(value: unknown): value is TrackedAlert {
  const t = asRecord(value);
  return t !== null && typeof t.key === 'string' && isAmAlert(t.alert) && isFiniteNumber(t.sentAt);
}

/** The fields the email renderer and the outbox rely on; the rest is rendered as found. */
function isNotification(value: unknown): value is Notification {
  const n = asRecord(value);
  const rule = asRecord(n?.rule);
  return (
    n !== null &&
    typeof n.key === 'string' &&
    (n.kind === 'payment' || n.kind === 'firing' || n.kind === 'resolved') &&
    typeof rule?.name === 'string' &&
    typeof n.account === 'string' &&
    typeof n.accountName === 'string'
  );
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  const r = asRecord(value);
  return r !== null && Object.values(r).every((v) => typeof v === 'string');
}
