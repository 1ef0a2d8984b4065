/*
 * Rule events as Alertmanager alerts, purely (spec "Second release", Alertmanager).
 *
 * Identity. Alertmanager identifies an alert by its label set (the fingerprint), groups and deduplicates
 * notifications by it, and an HA cluster shares only its notification log, keyed by those groups. So every
 * label is derived from the ledger and the config alone, never from the replica or the clock: two
 * replicas watching the same accounts send identical label sets and the cluster notifies once.
 *
 * Timing. A `payment` alert starts at the ledger's close time (the same on every replica; an old payment
 * found by a backfill is still new to Alertmanager) and is posted once, firing, with endsAt = the moment of
 * delivery + PAYMENT_ALERT_LIFETIME_MS. It must not end at once (Alertmanager never notifies a group whose
 * alerts are all resolved before its first flush), and while it is active a second replica's or a
 * restarted replica's copy merges into it instead of notifying again; after that it resolves by itself.
 *
 * Window (total, count) and silence alerts fire while their condition holds and are re-sent every
 * `resend_interval`, each time valid for 4 x resend_interval (Prometheus' rule for its own alerts:
 * `4 * max(evaluation_interval, resend_delay)` in rules/alerting.go), so a replica that dies lets the
 * alert expire instead of firing forever. When the condition ends, one post with endsAt = now resolves it.
 * Labels and annotations. Every alert carries the labels and annotations the spec lists, empty when there
 * is no value (XRP's issuer, a payment without a destination tag, a window alert's sender). Alertmanager
 * drops empty labels on receipt (removeEmptyLabels in api/v2/api.go: an empty label is an absent one, so the
 * fingerprint is the same either way) but keeps empty annotations, which reach the receivers.
 */

import type { RuleConfig } from '../../config/types.js';
import { naturalAssetLabels } from '../../metrics/labels.js';
import type { AlarmEmission } from '../alarm.js';
import { describeAsset } from '../assets.js';
import { duration, headline, isoTime } from '../email.js';
import { ruleWatchesAccount } from '../filters.js';
import { episodeNotification, summarise } from '../notifications.js';
import { type AlertState, silenceSummary } from '../rules.js';
import type { Notification } from '../types.js';

/** An alert as the outbox keeps it (plain JSON); endsAt is settled when it is delivered. */
export interface AmAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Unix ms. */
  readonly startsAt: number;
  /** Unix ms: a resolved alert's end. Null: delivery time + validForMs. */
  readonly endsAt: number | null;
  readonly validForMs: number;
}

/** How long a payment alert stays active in Alertmanager after it was delivered. */
export const PAYMENT_ALERT_LIFETIME_MS = 60 * 60_000;

/** How many resend intervals a firing window or silence alert stays valid without a re-send. */
export const RESEND_VALIDITY_FACTOR = 4;

/** A window or silence rule whose condition holds now, as the alert it means. */
export interface ActiveCondition {
  /** The alert's identity: its labels, canonically serialised. */
  readonly key: string;
  readonly alert: AmAlert;
}

/** A window or silence alert the exporter told Alertmanager is firing (persisted). */
export interface TrackedAlert {
  readonly key: string;
  readonly alert: AmAlert;
  /** Unix ms of the last post. */
  readonly sentAt: number;
}

export interface AlertContext {
  readonly explorerUrl: string | null;
  readonly resendIntervalMs: number;
}

/** The Alertmanager alert for one notification of a rule (a payment, or a window/silence episode firing). */
export function toAmAlert(n: Notification, rule: RuleConfig, context: AlertContext): AmAlert {
  const labels: Record<string, string> = {
    ...rule.labels,
    alertname: rule.name,
    rule: rule.name,
    kind: rule.kind,
    account: n.account,
    name: n.accountName,
  };
  const p = n.kind === 'payment' ? n.payment : null;
  // The spec lists the annotations every alert carries: one without a value (no tag, or a window alert's
  // sender) is sent empty rather than left out, so receivers and templates can rely on the keys.
  const annotations: Record<string, string> = {
    summary: headline(n),
    description: describe(n),
    amount: p?.value ?? (n.window !== null && rule.kind === 'total' ? n.window.total : ''),
    sender: p?.sender ?? '',
    destination_tag: p === null || p.destinationTag === null ? '' : String(p.destinationTag),
    ledger_index: p === null ? '' : String(p.ledgerIndex),
  };
  if (context.explorerUrl !== null)
    annotations.explorer_url = p === null ? '' : context.explorerUrl.replace('{hash}', p.hash);
  if (p !== null) {
    // Payment alerts also carry the asset and the transaction; XRP's issuer is empty, as in the metrics.
    const asset = naturalAssetLabels(p.asset);
    labels.currency = asset.currency;
    labels.issuer = asset.issuer;
    labels.tx_hash = p.hash;
  }
  return {
    labels,
    annotations,
    startsAt: p !== null ? p.closeTime * 1000 : episodeStart(n),
    endsAt: null,
    validForMs: p !== null ? PAYMENT_ALERT_LIFETIME_MS : RESEND_VALIDITY_FACTOR * context.resendIntervalMs,
  };
}

/** Canonical identity of an alert: its labels sorted by name. */
export function alertKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The window and silence rules (that notify Alertmanager) whose condition holds in `state`, one alert per
 * rule x account. An episode exists exactly while the condition holds, whether or not the email cooldown
 * let its email go.
 */
export function activeConditions(
  rules: readonly RuleConfig[],
  state: AlertState,
  clock: number,
  context: AlertContext,
): ActiveCondition[] {
  const byName = new Map(rules.filter((r) => r.notify.includes('alertmanager')).map((r) => [r.name, r]));
  const out: ActiveCondition[] = [];
  for (const entry of [...state.windows, ...state.silences]) {
    const rule = byName.get(entry.rule);
    const episode = entry.alarm.episode;
    if (rule === undefined || episode === null || !ruleWatchesAccount(rule, entry.account)) continue;
    const emit: AlarmEmission = { kind: 'firing', episode, reminder: 0 };
    const window = 'events' in entry ? summarise(entry.events, clock, rule.windowMs ?? 0) : null;
    const silence = 'watchedSince' in entry ? silenceSummary(entry, clock) : null;
    const n = episodeNotification(rule, entry.account, entry.accountName, emit, clock, window, silence, null);
    const alert = toAmAlert({ ...n, at: Math.floor(episode.startedAt / 1000) }, rule, context);
    out.push({ key: alertKey(alert.labels), alert });
  }
  return out;
}

/**
 * One step of the window/silence alert life cycle: a condition not yet told is posted; one told more than
 * `resendIntervalMs` ago is posted again; a told one that no longer holds is posted resolved (endsAt = now).
 */
export function trackConditions(
  tracked: readonly TrackedAlert[],
  current: readonly ActiveCondition[],
  now: number,
  resendIntervalMs: number,
): { tracked: TrackedAlert[]; posts: AmAlert[] } {
  const previous = new Map(tracked.map((t) => [t.key, t]));
  const next: TrackedAlert[] = [];
  const posts: AmAlert[] = [];
  for (const condition of current) {
    const told = previous.get(condition.key);
    previous.delete(condition.key);
    if (told !== undefined && now - told.sentAt < resendIntervalMs) {
      next.push(told);
      continue;
    }
    posts.push(condition.alert);
    next.push({ key: condition.key, alert: condition.alert, sentAt: now });
  }
  for (const ended of previous.values()) {
    posts.push({ ...ended.alert, endsAt: Math.max(now, ended.alert.startsAt) });
  }
  return { tracked: next, posts };
}

/** The v2 API body for one alert, given the moment of delivery. */
export function postableAlert(alert: AmAlert, now: number): Record<string, unknown> {
  const endsAt = alert.endsAt ?? now + alert.validForMs;
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(alert.startsAt).toISOString(),
    // Alertmanager refuses an alert that ends before it starts.
    endsAt: new Date(Math.max(endsAt, alert.startsAt)).toISOString(),
  };
}

export function describeAmAlert(alert: AmAlert): string {
  const state = alert.endsAt === null ? '' : 'resolved ';
  return `${state}${alert.labels.alertname ?? '?'}: ${alert.annotations.summary ?? ''}`;
}

function describe(n: Notification): string {
  const p = n.kind === 'payment' ? n.payment : null;
  if (p !== null) {
    const from = p.sender === null ? '' : ` from ${p.sender}`;
    const tag = p.destinationTag === null ? '' : ` (destination tag ${p.destinationTag})`;
    const partial = p.partial ? ', a partial payment' : '';
    return (
      `${p.value} ${describeAsset(p.asset)}${from} to ${n.accountName} (${n.account})${tag}: ` +
      `${p.txType} ${p.hash}${partial}, ledger ${p.ledgerIndex} closed ${isoTime(p.closeTime)}.`
    );
  }
  if (n.silence !== null) {
    return `No payment matching rule ${n.rule.name} to ${n.accountName} (${n.account}) since ${isoTime(n.silence.silentSince)}.`;
  }
  const w = n.window;
  const measured = n.rule.kind === 'total' ? `a total of ${w?.total ?? '0'}` : `${w?.count ?? 0} payments`;
  return (
    `${n.accountName} (${n.account}) received ${measured} in ${duration(n.rule.windowMs)} ` +
    `(rule ${n.rule.name}, threshold ${n.rule.threshold ?? '?'}, ${w?.count ?? 0} payments in the window).`
  );
}

/** The episode's start, Unix ms: the same on every replica when a payment started it (its close time). */
function episodeStart(n: Notification): number {
  return n.at * 1000;
}
