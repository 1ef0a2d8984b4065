import { describe, expect, test } from 'vitest';
import type { ConnectionStatus, SinksStatus } from '../../src/server/status.js';
import { AlertEvaluator, type SeriesValue } from '../../src/status/alert-evaluator.js';
import { ALERT_RULES } from '../../src/status/alert-rules.js';
import { type HealthFacts, healthItems } from '../../src/status/health.js';

const T0 = 1_790_000_000;
const SERVER = 'wss://s.altnet.rippletest.net:51233';

/** The metrics of a healthy exporter that has run for a while. */
function healthy(t: number): Record<string, SeriesValue[]> {
  const one = (value: number) => [{ labels: {}, value }];
  return {
    xrpl_up: one(1),
    xrpl_reconnects_total: [{ labels: { server: SERVER }, value: 0 }],
    xrpl_connection_attempts_failed_total: [{ labels: { server: SERVER }, value: 0 }],
    xrpl_validated_ledger_close_timestamp_seconds: one(t - 3),
    xrpl_ledger_gaps_total: one(0),
    xrpl_state_write_failures_total: one(0),
    xrpl_state_last_write_success_timestamp_seconds: one(t - 2),
    xrpl_alert_email_failures_total: [{ labels: { rule: 'big' }, value: 0 }],
    xrpl_alert_emails_queued: one(0),
    xrpl_exporter_config_last_reload_successful: one(1),
    xrpl_exporter_config_last_reload_success_timestamp_seconds: one(T0 - 3600),
  };
}

const connected: ConnectionStatus = {
  state: 'connected',
  server: SERVER,
  apiVersion: 2,
  up: true,
  servers: [{ url: SERVER, connected: true, lastError: null, lastErrorAt: null, nextAttemptAt: null }],
};

const AM = 'http://alertmanager:9093';

function sinks(emailQueued = 0, alertmanagerQueued: number | null = null): SinksStatus {
  const target = (sink: string, name: string, queued: number) => ({
    sink,
    target: name,
    queued,
    lastSuccessAt: null,
    lastError: null,
  });
  return {
    targets: [
      target('email', 'smtp', emailQueued),
      ...(alertmanagerQueued === null ? [] : [target('alertmanager', AM, alertmanagerQueued)]),
    ],
    deadLetters: [],
  };
}

function facts(now: number, overrides: Partial<HealthFacts> = {}): HealthFacts {
  return {
    now,
    connection: connected,
    ledger: { index: 12_345_678, closeTime: now - 3 },
    accounts: { total: 3, verified: 3, unverified: 0, importing: 0, importsFailing: 0 },
    stateFile: true,
    sinks: sinks(),
    ...overrides,
  };
}

/** Evaluates one sample every 15 s from T0 to `until`, each made by `at(t)`. */
function evaluated(until: number, at: (t: number) => Record<string, SeriesValue[]>): AlertEvaluator {
  const evaluator = new AlertEvaluator(ALERT_RULES);
  for (let t = T0; t <= until; t += 15) evaluator.evaluate(new Map(Object.entries(at(t))), t);
  return evaluator;
}

interface AreaView {
  readonly level: string;
  readonly summary: string;
  readonly details: readonly string[];
}

const byArea = (items: ReturnType<typeof healthItems>): Record<string, AreaView> =>
  Object.fromEntries(items.map((i) => [i.area, { level: i.level, summary: i.summary, details: i.details }]));

describe('healthItems', () => {
  test('a healthy exporter: every area OK, in words an operator reads at a glance', () => {
    const now = T0 + 60;
    expect(byArea(healthItems(facts(now), evaluated(now, healthy)))).toEqual({
      connection: { level: 'ok', summary: `Connected to ${SERVER}`, details: [] },
      ledger: { level: 'ok', summary: 'Ledger 12345678 closed 3s ago', details: [] },
      accounts: { level: 'ok', summary: '3 accounts watched: 3 verified, 0 unverified', details: [] },
      notifications: { level: 'ok', summary: 'Queued: email 0', details: [] },
      state: { level: 'ok', summary: 'Saved 2s ago', details: [] },
      reload: { level: 'ok', summary: 'Configuration loaded 1h 1m ago', details: [] },
    });
  });

  test('what is not configured is off, not green', () => {
    const now = T0;
    const nothing = { stateFile: false, sinks: { targets: [], deadLetters: [] } };
    const items = byArea(healthItems(facts(now, nothing), evaluated(now, healthy)));
    expect(items.state).toEqual({
      level: 'off',
      summary: 'None configured: totals start from 0 after a restart',
      details: [],
    });
    expect(items.notifications).toEqual({
      level: 'off',
      summary: 'No email or Alertmanager configured',
      details: [],
    });
  });

  test('the stream down: amber while XRPLStreamDown is pending, red once it fires after 2 minutes', () => {
    const downFrom = T0 + 60;
    const at = (t: number) => ({ ...healthy(t), xrpl_up: [{ labels: {}, value: t >= downFrom ? 0 : 1 }] });
    const down = facts(0, { connection: { ...connected, up: false, server: null, state: 'connecting' } });
    const pending = healthItems({ ...down, now: downFrom + 105 }, evaluated(downFrom + 105, at))[0]!;
    expect(pending).toMatchObject({ level: 'warning', summary: 'Not connected (down for 1m 45s)' });
    expect(pending.alerts).toEqual([
      {
        alert: 'XRPLStreamDown',
        severity: 'critical',
        state: 'pending',
        since: downFrom,
        forSeconds: 120,
        labels: {},
      },
    ]);
    const firing = healthItems({ ...down, now: downFrom + 120 }, evaluated(downFrom + 120, at))[0]!;
    expect(firing.level).toBe('critical');
    expect(firing.alerts[0]!.state).toBe('firing');
  });

  test('a warning alert that fires stays amber: a server unreachable for 10 minutes', () => {
    const backup = 'wss://backup.example:51233';
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_connection_attempts_failed_total: [
        { labels: { server: backup }, value: Math.floor((t - T0) / 60) },
      ],
    });
    const now = T0 + 20 * 60;
    const item = healthItems(facts(now), evaluated(now, at))[0]!;
    expect(item.level).toBe('warning');
    expect(item.alerts).toMatchObject([
      { alert: 'XRPLServerUnreachable', state: 'firing', labels: { server: backup } },
    ]);
  });

  test('a ledger range not backfilled in the last hour is red at once (XRPLLedgerGap)', () => {
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_ledger_gaps_total: [{ labels: {}, value: t >= T0 + 30 ? 1 : 0 }],
    });
    const now = T0 + 600;
    expect(byArea(healthItems(facts(now), evaluated(now, at))).ledger).toEqual({
      level: 'critical',
      summary: 'Ledger 12345678 closed 3s ago',
      details: ['1 ledger range not backfilled in the last 1h (the log names them)'],
    });
    const later = T0 + 30 + 3600 + 15;
    expect(byArea(healthItems(facts(later), evaluated(later, at))).ledger?.level).toBe('ok');
  });

  test('email failing and queued: amber, with the queue and the failures of the last 15 minutes', () => {
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_alert_emails_queued: [{ labels: {}, value: 2 }],
      xrpl_alert_email_failures_total: [{ labels: { rule: 'big' }, value: t >= T0 + 30 ? 3 : 0 }],
    });
    const now = T0 + 120;
    const items = healthItems(facts(now, { sinks: sinks(2) }), evaluated(now, at));
    const notifications = items.find((i) => i.area === 'notifications')!;
    expect(notifications).toMatchObject({
      level: 'warning',
      summary: 'Queued: email 2',
      details: ['3 failed email attempts in the last 15m'],
    });
    expect(notifications.alerts.map((a) => [a.alert, a.state])).toEqual([
      ['XRPLAlertEmailFailing', 'firing'],
      ['XRPLAlertEmailQueueStuck', 'pending'],
    ]);
  });

  test('state writes failing: amber with the count, the last good save', () => {
    const failingFrom = T0 + 60;
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_state_last_write_success_timestamp_seconds: [{ labels: {}, value: Math.min(t, failingFrom) - 2 }],
      xrpl_state_write_failures_total: [
        { labels: {}, value: Math.max(0, Math.floor((t - failingFrom) / 15)) },
      ],
    });
    const now = failingFrom + 400;
    const state = healthItems(facts(now), evaluated(now, at)).find((i) => i.area === 'state')!;
    expect(state).toMatchObject({
      level: 'warning',
      summary: 'Saved 6m 42s ago',
      details: ['20 failed writes in the last 5m'],
    });
    expect(state.alerts).toMatchObject([{ alert: 'XRPLStateWriteFailing', state: 'firing' }]);
  });

  test('a failed reload: amber, running the configuration loaded before', () => {
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_exporter_config_last_reload_successful: [{ labels: {}, value: t >= T0 + 60 ? 0 : 1 }],
    });
    const now = T0 + 90;
    expect(byArea(healthItems(facts(now), evaluated(now, at))).reload).toEqual({
      level: 'warning',
      summary: 'Last reload failed; running the one loaded 1h 1m ago',
      details: [],
    });
  });

  test('an unverified account: amber while the repair may still succeed, red after 10 minutes', () => {
    const brokenFrom = T0 + 30;
    const at = (t: number) => ({
      ...healthy(t),
      xrpl_account_unverified: [
        { labels: { account: 'rA', name: 'treasury' }, value: t >= brokenFrom ? 1 : 0 },
        { labels: { account: 'rB', name: 'shop' }, value: 0 },
      ],
    });
    const counts = { total: 2, verified: 1, unverified: 1, importing: 0, importsFailing: 0 };
    const pendingAt = brokenFrom + 300;
    const pending = healthItems(facts(pendingAt, { accounts: counts }), evaluated(pendingAt, at));
    expect(pending.find((i) => i.area === 'accounts')).toMatchObject({
      level: 'warning',
      summary: '2 accounts watched: 1 verified, 1 unverified',
      alerts: [
        { alert: 'XRPLAccountUnverified', state: 'pending', labels: { account: 'rA', name: 'treasury' } },
      ],
    });
    const firingAt = brokenFrom + 600;
    const firing = healthItems(facts(firingAt, { accounts: counts }), evaluated(firingAt, at));
    expect(firing.find((i) => i.area === 'accounts')?.level).toBe('critical');
  });

  test('Alertmanager failing, notifications refused for good, recipients refused: amber with the counts', () => {
    const at = (t: number) => {
      const onceAt = (from: number, n: number) => (t >= T0 + from ? n : 0);
      return {
        ...healthy(t),
        xrpl_alertmanager_errors_total: [
          { labels: { url: AM }, value: onceAt(30, Math.floor((t - T0) / 15)) },
        ],
        xrpl_alert_dead_letters_total: [{ labels: { sink: 'email', rule: 'big' }, value: onceAt(60, 1) }],
        xrpl_alert_email_recipients_refused_total: [{ labels: { rule: 'big' }, value: onceAt(60, 2) }],
      };
    };
    const now = T0 + 120;
    const notifications = healthItems(facts(now, { sinks: sinks(0, 4) }), evaluated(now, at)).find(
      (i) => i.area === 'notifications',
    )!;
    expect(notifications).toMatchObject({
      level: 'warning',
      summary: 'Queued: email 0, alertmanager 4',
      details: [
        '8 failed Alertmanager deliveries in the last 5m',
        '1 notification refused for good in the last 1h (see Notification sinks)',
        '2 email recipients refused in the last 1h',
      ],
    });
    expect(notifications.alerts.map((a) => [a.alert, a.state])).toEqual([
      ['XRPLAlertmanagerFailing', 'pending'],
      ['XRPLAlertNotificationsRefused', 'firing'],
      ['XRPLAlertEmailRecipientRefused', 'firing'],
    ]);
  });

  test('accounts importing history and imports failing are told, not coloured (no shipped alert)', () => {
    const now = T0;
    const items = healthItems(
      facts(now, {
        accounts: { total: 100_000, verified: 0, unverified: 0, importing: 2, importsFailing: 1 },
      }),
      evaluated(now, healthy),
    );
    expect(byArea(items).accounts).toEqual({
      level: 'ok',
      summary: '100000 accounts watched',
      details: ['2 accounts importing history', '1 history import failing'],
    });
  });
});
