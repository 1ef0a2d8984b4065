/*
 * Alertmanager as a notification sink, end to end with real Alertmanagers (Debian prometheus-alertmanager)
 * whose webhook receiver is a test HTTP server:
 * - HA: two exporter replicas (the built binary) watch the same accounts on the fake rippled and post to
 *   a two-node Alertmanager cluster. Every qualifying payment is notified firing exactly once, also across
 *   a SIGKILLed and restarted replica and a killed Alertmanager; a window rule fires and resolves once per
 *   episode.
 * - Email and Alertmanager sinks on the same rule both deliver.
 *
 * "Exactly once" needs a moment of quiet to be observed: the second Alertmanager of the cluster flushes
 * a group every group interval and waits its peer timeout before it checks the gossiped notification log
 * and drops its duplicate (test/support/alertmanager.ts), so the webhook is read after it stayed
 * unchanged for longer than both together.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_GROUP_INTERVAL,
  CLUSTER_PEER_TIMEOUT_MS,
  freePort,
  type RunningAlertmanager,
  startAlertmanager,
  startAlertsCapture,
  startWebhook,
  type Webhook,
  type WebhookNotification,
  waitForCluster,
  webhookConfig,
} from '../support/alertmanager.js';
import {
  BOB_PAYMENT,
  PARTIAL_PAYMENT,
  type RunningExporter,
  startWatched,
  startWatchingExporter,
  type Watched,
  XRP_PAYMENT,
} from '../support/exporter-harness.js';
import { startFakeSmtp } from '../support/fake-smtp.js';
import { waitFor } from '../support/processes.js';

/** Longer than the cluster's peer timeout plus a group interval: a duplicate would have arrived by then. */
const QUIET_MS = CLUSTER_PEER_TIMEOUT_MS + Number.parseInt(CLUSTER_GROUP_INTERVAL, 10) * 1000 + 1_000;

/** Firing notifications per tx_hash, and the status sequence of a window rule's notifications. */
function firingByHash(webhook: Webhook): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of webhook.notifications) {
    for (const alert of n.alerts) {
      const hash = alert.labels.tx_hash;
      if (hash !== undefined && alert.status === 'firing') counts.set(hash, (counts.get(hash) ?? 0) + 1);
    }
  }
  return counts;
}

function statuses(webhook: Webhook, alertname: string): string[] {
  return webhook.notifications
    .filter((n: WebhookNotification) => n.groupLabels.alertname === alertname)
    .map((n) => n.status);
}

/** Waits until the webhook got these payments, then until it stayed unchanged for QUIET_MS. */
async function settled(webhook: Webhook, hashes: readonly string[], more: () => boolean = () => true) {
  await waitFor(
    `notifications for ${hashes.length} payments`,
    () => (hashes.every((h) => firingByHash(webhook).has(h)) && more() ? true : undefined),
    60_000,
  );
  let seen = webhook.notifications.length;
  let since = Date.now();
  await waitFor(
    'the webhook to stay quiet',
    () => {
      if (webhook.notifications.length !== seen) {
        seen = webhook.notifications.length;
        since = Date.now();
      }
      return Date.now() - since >= QUIET_MS ? true : undefined;
    },
    60_000,
  );
}

describe('two replicas, a two-node Alertmanager cluster', () => {
  const stops: Array<() => Promise<unknown>> = [];
  let webhook: Webhook;
  let am1: RunningAlertmanager;
  let am2: RunningAlertmanager;
  let watched: Watched;

  beforeAll(async () => {
    webhook = await startWebhook();
    stops.push(() => webhook.close());
    const [port1, port2] = [await freePort(), await freePort()];
    const config = webhookConfig(webhook.url, { group_interval: CLUSTER_GROUP_INTERVAL });
    am1 = await startAlertmanager({ config, cluster: { port: port1, peers: [port2] } });
    stops.push(() => am1.stop());
    am2 = await startAlertmanager({ config, cluster: { port: port2, peers: [port1] } });
    stops.push(() => am2.stop());
    await waitForCluster([am1, am2], 2);
    watched = await startWatched(41);
    stops.push(() => watched.fake.close());
  }, 90_000);

  afterAll(async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  });

  it('notifies every qualifying payment once, through a replica SIGKILL and restart and a dead Alertmanager', async () => {
    const sections = [
      'state: { path: ./state.json }',
      'alertmanager:',
      `  urls: [${am1.url}, ${am2.url}]`,
      '  resend_interval: 2s',
      'rules:',
      '  - { name: big-xrp, kind: payment, currency: XRP, threshold: 1000 }',
      '  - { name: burst, kind: count, threshold: 2, window: 4s, accounts: [alice] }',
    ];
    const replica = (n: number) => startWatchingExporter(watched, sections, { prefix: `ha-replica-${n}` });
    let a: RunningExporter = await replica(1);
    const b = await replica(2);
    stops.push(
      () => a.stop(),
      () => b.stop(),
    );
    const qualifying: string[] = [];
    const pay = async (...steps: (typeof XRP_PAYMENT)[]) => {
      const hashes = await watched.publish(steps);
      qualifying.push(...hashes.filter((_, i) => steps[i] !== PARTIAL_PAYMENT));
      return hashes;
    };
    const burstResolved = (episodes: number) => () =>
      statuses(webhook, 'burst').filter((s) => s === 'resolved').length >= episodes;

    // 1. Both replicas and both Alertmanagers up: two payments to alice (a burst episode), one to bob,
    //    and one that does not qualify.
    await pay(XRP_PAYMENT, XRP_PAYMENT, PARTIAL_PAYMENT);
    await pay(BOB_PAYMENT);
    await settled(webhook, qualifying, burstResolved(1));

    // 2. Replica A is killed; payments arrive while it is down; it restarts, catches up from its state
    //    file (re-posting what it cannot prove it delivered) and goes on.
    // 3 payments x 2 Alertmanagers: the webhook heard from one of them, the other's answer may still be on
    // its way back to the replica. A duplicate post would pass 6 and never come back to it.
    await waitFor(
      'replica A to count 6 accepted alerts',
      async () =>
        (await a.metric('xrpl_alertmanager_alerts_sent_total', { rule: 'big-xrp' })) === 6 ? true : undefined,
      30_000,
    );
    const restarting = a.restart();
    await pay(BOB_PAYMENT);
    await pay(BOB_PAYMENT);
    a = await restarting;
    await pay(XRP_PAYMENT);
    await waitFor(
      'the restarted replica to deliver everything',
      async () => ((await a.metric('xrpl_alertmanager_alerts_queued')) === 0 ? true : undefined),
      30_000,
    );
    await settled(webhook, qualifying);

    // 3. Alertmanager 1 (the first in the cluster's order, the one that has been notifying) is killed:
    //    the other one notifies, the replicas keep retrying the dead one.
    await am1.kill();
    await pay(XRP_PAYMENT, XRP_PAYMENT);
    await pay(BOB_PAYMENT);
    await settled(webhook, qualifying, burstResolved(2));

    const counts = firingByHash(webhook);
    const notOnce = qualifying.filter((h) => counts.get(h) !== 1).map((h) => `${h}: ${counts.get(h) ?? 0}`);
    expect(notOnce, JSON.stringify(webhook.notifications, null, 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual([...qualifying].sort());
    expect(
      statuses(webhook, 'burst'),
      JSON.stringify(
        webhook.notifications
          .filter((n) => n.groupLabels.alertname === 'burst')
          .map((n) => [n.status, n.alerts.map((x) => [x.status, x.startsAt, x.endsAt])]),
      ),
    ).toEqual(['firing', 'resolved', 'firing', 'resolved']);
    for (const replica of [a, b]) {
      expect(await replica.metric('xrpl_alertmanager_errors_total', { url: am1.url })).toBeGreaterThan(0);
      expect(await replica.metric('xrpl_alertmanager_alerts_queued')).toBeGreaterThan(0);
      const { sinks } = await replica.status();
      const dead = sinks.targets.find((t) => t.target === am1.url);
      expect(dead?.lastError?.message).toBe('connection refused');
      expect(sinks.targets.find((t) => t.target === am2.url)?.lastSuccessAt).not.toBeNull();
    }
  }, 240_000);
});

describe('email and Alertmanager on the same rule', () => {
  it('both deliver the payment; every alert carries the spec labels and annotations, empty ones too', async () => {
    const stops: Array<() => Promise<unknown>> = [];
    try {
      const webhook = await startWebhook();
      stops.push(() => webhook.close());
      const am = await startAlertmanager({ config: webhookConfig(webhook.url) });
      stops.push(() => am.stop());
      // A second URL in the place of an Alertmanager: it shows what the exporter posts, as posted.
      const capture = await startAlertsCapture();
      stops.push(() => capture.close());
      const smtp = await startFakeSmtp();
      stops.push(() => smtp.close());
      const watched = await startWatched(43);
      stops.push(() => watched.fake.close());
      const exporter = await startWatchingExporter(
        watched,
        [
          'email:',
          `  smtp: { host: 127.0.0.1, port: ${smtp.port} }`,
          '  from: alerts@example.test',
          '  to: [ops@example.test]',
          'alertmanager:',
          // Alertmanager without a web config ignores credentials; here they only have to stay secret.
          `  urls: ["${am.url.replace('http://', 'http://ops:url-Secret-1@')}", "${capture.url}"]`,
          "  basic_auth: { username: exporter, password: 'auth-Secret-2' }",
          'rules:',
          '  - { name: big-xrp, kind: payment, currency: XRP, threshold: 1000, labels: { severity: page } }',
          '  - { name: untagged, kind: payment, currency: XRP, threshold: 0.001, destination_tag: missing, notify: [alertmanager] }',
        ],
        { prefix: 'both-sinks', xrplExtra: ['explorer_url: https://testnet.xrpl.org/transactions/{hash}'] },
      );
      stops.push(() => exporter.stop());
      const [hash, untagged] = (await watched.publish([XRP_PAYMENT, PARTIAL_PAYMENT])) as [string, string];
      const [mail] = await smtp.waitForMessages(1, 20_000);
      expect(mail?.parsed.subject).toBe('[XRPL] big-xrp: 1531.267 XRP received by alice');
      await waitFor(
        'the webhook notifications',
        () => (firingByHash(webhook).has(hash) && firingByHash(webhook).has(untagged) ? true : undefined),
        30_000,
      );
      const received = (txHash: string) =>
        webhook.notifications.flatMap((n) => n.alerts).find((a) => a.labels.tx_hash === txHash);
      const posted = (txHash: string) => capture.alerts.find((a) => a.labels.tx_hash === txHash);
      const labels = {
        alertname: 'big-xrp',
        rule: 'big-xrp',
        kind: 'payment',
        account: watched.accounts.alice,
        name: 'alice',
        severity: 'page',
        currency: 'XRP',
        tx_hash: hash,
      };
      // Posted as the spec lists them: XRP has no issuer, so `issuer` is empty...
      expect(posted(hash)?.labels).toEqual({ ...labels, issuer: '' });
      // ...and Alertmanager drops an empty label on receipt (removeEmptyLabels, api/v2/api.go).
      expect(received(hash)?.labels).toEqual(labels);
      const annotations = {
        summary: '1531.267 XRP received by alice',
        amount: '1531.267',
        sender: 'rDAE53VfMvftPB4ogpWGWvzkQxfht6JPxr',
        destination_tag: '381702',
        explorer_url: `https://testnet.xrpl.org/transactions/${hash}`,
      };
      expect(posted(hash)?.annotations).toMatchObject(annotations);
      expect(received(hash)?.annotations).toMatchObject(annotations);
      expect(received(hash)?.annotations.ledger_index).toMatch(/^\d+$/);
      // A payment without a destination tag: the annotation is posted empty and reaches the receiver
      // empty (Alertmanager keeps empty annotations).
      expect(posted(untagged)?.annotations.destination_tag).toBe('');
      expect(received(untagged)?.annotations).toMatchObject({ destination_tag: '', amount: '0.004456' });
      const keys = [
        'summary',
        'description',
        'amount',
        'sender',
        'destination_tag',
        'ledger_index',
        'explorer_url',
      ];
      expect(Object.keys(received(untagged)?.annotations ?? {}).sort()).toEqual(keys.sort());
      // The receivers have it; the exporter counts each delivery once the receiver's answer is back
      // (one per Alertmanager URL that accepted the alert).
      const delivered = async () =>
        [
          await exporter.metric('xrpl_alert_emails_sent_total', { rule: 'big-xrp' }),
          await exporter.metric('xrpl_alertmanager_alerts_sent_total', { rule: 'big-xrp' }),
          (await exporter.status()).sinks.targets.reduce((sum, t) => sum + t.queued, 0),
        ].join(' ');
      await waitFor(
        'both deliveries counted',
        async () => ((await delivered()) === '1 2 0' ? true : undefined),
        20_000,
      );
      const { sinks } = await exporter.status();
      const masked = am.url.replace('http://', 'http://ops:<secret>@');
      expect(sinks.targets.map((t) => [t.sink, t.target, t.queued])).toEqual([
        ['email', 'smtp', 0],
        ['alertmanager', masked, 0],
        ['alertmanager', capture.url, 0],
      ]);
      expect(await exporter.metric('xrpl_alertmanager_errors_total', { url: masked })).toBe(0);
      const surfaces = [
        exporter.process.output(),
        JSON.stringify(sinks),
        await (await fetch(`${exporter.base}/`)).text(),
        await (await fetch(`${exporter.base}/metrics`)).text(),
      ];
      for (const surface of surfaces) {
        expect(surface).not.toContain('url-Secret-1');
        expect(surface).not.toContain('auth-Secret-2');
      }
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    }
  }, 90_000);
});
