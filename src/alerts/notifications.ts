/* Building notifications (plain JSON) from rule evaluation results. */

import Big from 'big.js';
import type { RuleConfig } from '../config/types.js';
import type { AlarmEmission } from './alarm.js';
import { formatValue } from './assets.js';
import type {
  Notification,
  PaymentEvent,
  PaymentFacts,
  RuleFacts,
  SilenceSummary,
  WindowSummary,
} from './types.js';

/** How many of the largest payments a window email lists. */
const LARGEST_SHOWN = 5;

export function summarise(events: readonly PaymentFacts[], clock: number, windowMs: number): WindowSummary {
  let total = new Big(0);
  for (const e of events) total = total.plus(e.value);
  const largest = [...events]
    .sort((a, b) => new Big(b.value).cmp(a.value) || a.closeTime - b.closeTime)
    .slice(0, LARGEST_SHOWN);
  return {
    total: formatValue(total),
    count: events.length,
    largest,
    from: Math.floor((clock - windowMs) / 1000),
    to: Math.floor(clock / 1000),
  };
}

export function paymentNotification(
  rule: RuleConfig,
  event: PaymentEvent,
  facts: PaymentFacts,
): Notification {
  return {
    key: JSON.stringify(['payment', rule.name, event.account, event.hash]),
    kind: 'payment',
    rule: ruleFacts(rule),
    to: rule.to,
    account: event.account,
    accountName: event.accountName,
    payment: facts,
    window: null,
    silence: null,
    episode: null,
    reminder: 0,
    at: event.closeTime,
  };
}

export function episodeNotification(
  rule: RuleConfig,
  account: string,
  accountName: string,
  emit: AlarmEmission,
  clock: number,
  window: WindowSummary | null,
  silence: SilenceSummary | null,
  payment: PaymentFacts | null = emit.kind === 'firing' ? emit.episode.trigger : null,
): Notification {
  const reminder = emit.kind === 'firing' ? emit.reminder : 0;
  const parts =
    emit.kind === 'firing'
      ? ['firing', rule.name, account, emit.episode.id, reminder]
      : ['resolved', rule.name, account, emit.episode.id];
  return {
    key: JSON.stringify(parts),
    kind: emit.kind,
    rule: ruleFacts(rule),
    to: rule.to,
    account,
    accountName,
    payment,
    window,
    silence,
    episode: emit.episode.id,
    reminder,
    at: Math.floor(clock / 1000),
  };
}

function ruleFacts(rule: RuleConfig): RuleFacts {
  return {
    name: rule.name,
    kind: rule.kind,
    threshold: rule.threshold === null ? null : formatValue(rule.threshold),
    windowMs: rule.windowMs,
    currency: rule.currency,
    issuer: rule.issuer,
    cooldownMs: rule.cooldownMs,
  };
}

export function toFacts(event: PaymentEvent): PaymentFacts {
  return {
    hash: event.hash,
    asset: event.asset,
    value: formatValue(event.value),
    sender: event.sender,
    destinationTag: event.destinationTag,
    txType: event.txType,
    ledgerIndex: event.ledgerIndex,
    closeTime: event.closeTime,
    partial: event.partial,
    memos: event.memos ?? [],
  };
}
