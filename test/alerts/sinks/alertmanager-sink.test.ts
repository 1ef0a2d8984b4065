/*
 * The Alertmanager outbox against a real Alertmanager (Debian prometheus-alertmanager): alerts arrive
 * through the v2 API as posted, an Alertmanager that is down is retried, a refused alert becomes a dead
 * letter without holding the others, basic auth is sent, a silent server times out.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, test } from 'vitest';
import type { AmAlert } from '../../../src/alerts/sinks/alertmanager-alerts.js';
import type { OutboxEntry } from '../../../src/alerts/sinks/outbox.js';
import { alertmanagerOutbox } from '../../../src/alerts/sinks/outboxes.js';
import type { DeadLetter } from '../../../src/alerts/sinks/types.js';
import type { AlertmanagerConfig } from '../../../src/config/types.js';
import { createLogger } from '../../../src/log.js';
import {
  freePort,
  type RunningAlertmanager,
  startAlertmanager,
  startWebhook,
  webhookConfig,
} from '../../support/alertmanager.js';
import { waitFor } from '../../support/processes.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function alertmanager(flags: readonly string[] = [], port?: number): Promise<RunningAlertmanager> {
  const webhook = await startWebhook();
  cleanups.push(() => webhook.close());
  const am = await startAlertmanager({
    config: webhookConfig(webhook.url),
    flags,
    ...(port === undefined ? {} : { port }),
  });
  cleanups.push(() => am.stop());
  return am;
}

function amConfig(urls: string[], extra: Partial<AlertmanagerConfig> = {}): AlertmanagerConfig {
  return { urls, resendIntervalMs: 60_000, timeoutMs: 5_000, basicAuth: null, ...extra };
}

function outbox(config: AlertmanagerConfig) {
  const rec = {
    delivered: [] as string[],
    failed: [] as string[],
    dead: [] as DeadLetter[],
    logs: [] as string[],
  };
  const box = alertmanagerOutbox(config, {
    retryInitialMs: 50,
    retryMaxMs: 200,
    logger: createLogger({ level: 'debug', write: (line) => rec.logs.push(line) }),
    events: {
      onDelivered: (_rule, target) => rec.delivered.push(target),
      onAttemptFailed: (_rule, target) => rec.failed.push(target),
      onDeadLetter: (letter) => rec.dead.push(letter),
    },
  });
  cleanups.push(() => box.stop());
  return { box, ...rec };
}

function alert(hash: string, extra: Partial<AmAlert> = {}): AmAlert {
  return {
    labels: { alertname: 'large-xrp', rule: 'large-xrp', kind: 'payment', account: 'rAlice', tx_hash: hash },
    annotations: { summary: `payment ${hash}` },
    startsAt: Date.parse('2020-01-01T00:00:00Z'),
    endsAt: null,
    validForMs: 3_600_000,
    ...extra,
  };
}

function entry(target: string, payload: AmAlert): OutboxEntry<AmAlert> {
  return { key: JSON.stringify([target, payload.labels]), target, rule: 'large-xrp', payload, mode: 'once' };
}

async function activeAlerts(
  am: RunningAlertmanager,
): Promise<{ labels: Record<string, string>; endsAt: string; status: { state: string } }[]> {
  return (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as never;
}

describe('Alertmanager outbox', () => {
  test('an old payment is active in Alertmanager, ending an hour after delivery', async () => {
    const am = await alertmanager();
    const rec = outbox(amConfig([am.url]));
    rec.box.enqueue(entry(am.url, alert('A')));
    await rec.box.idle();
    const [active] = await activeAlerts(am);
    expect(active?.labels.tx_hash).toBe('A');
    expect(active?.status.state).toBe('active');
    expect(Date.parse(active?.endsAt ?? '')).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(rec.delivered).toEqual([am.url]);
  });

  test('an Alertmanager that is down is retried until it is up; the other URL is not held back', async () => {
    const port = await freePort();
    const downUrl = `http://127.0.0.1:${port}`;
    const up = await alertmanager();
    const rec = outbox(amConfig([downUrl, up.url]));
    rec.box.enqueue(entry(downUrl, alert('B')));
    rec.box.enqueue(entry(up.url, alert('B')));
    await waitFor(
      'delivery to the live one',
      () => (rec.delivered.includes(up.url) ? true : undefined),
      10_000,
    );
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(rec.logs.find((l) => l.includes('will retry'))).toContain('connection refused');
    // Now it comes up on that very port.
    const late = await alertmanager([], port);
    await rec.box.idle();
    expect((await activeAlerts(late)).map((a) => a.labels.tx_hash)).toEqual(['B']);
    expect(rec.dead).toEqual([]);
  });

  test('an invalid alert in a batch is found alone and dead-lettered; the valid ones are delivered', async () => {
    const am = await alertmanager();
    const rec = outbox(amConfig([am.url]));
    rec.box.enqueue(entry(am.url, alert('C')));
    rec.box.enqueue(entry(am.url, alert('D', { labels: { alertname: 'x', 'not-a-label-name': 'y' } })));
    rec.box.enqueue(entry(am.url, alert('E')));
    await rec.box.idle();
    expect((await activeAlerts(am)).map((a) => a.labels.tx_hash).sort()).toEqual(['C', 'E']);
    expect(rec.dead).toHaveLength(1);
    expect(rec.dead[0]).toMatchObject({ sink: 'alertmanager', target: am.url });
    expect(rec.dead[0]?.error).toMatch(/^HTTP 400/);
  });

  test('basic auth is sent (Alertmanager --web.config.file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-am-web-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const webConfig = join(dir, 'web.yml');
    writeFileSync(webConfig, `basic_auth_users:\n  exporter: ${bcrypt.hashSync('s3cret', 10)}\n`);
    const am = await alertmanager([`--web.config.file=${webConfig}`]);
    const wrong = outbox(amConfig([am.url], { basicAuth: { username: 'exporter', password: 'nope' } }));
    wrong.box.enqueue(entry(am.url, alert('F')));
    await expect.poll(() => wrong.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(wrong.logs.find((l) => l.includes('will retry'))).toContain('HTTP 401');
    expect(wrong.logs.join('\n')).not.toContain('nope');
    const right = outbox(amConfig([am.url], { basicAuth: { username: 'exporter', password: 's3cret' } }));
    right.box.enqueue(entry(am.url, alert('F')));
    await right.box.idle();
    const response = await fetch(`${am.url}/api/v2/alerts`, {
      headers: { authorization: `Basic ${Buffer.from('exporter:s3cret').toString('base64')}` },
    });
    expect(
      ((await response.json()) as { labels: { tx_hash: string } }[]).map((a) => a.labels.tx_hash),
    ).toEqual(['F']);
  });
});

describe('an Alertmanager URL that never answers', () => {
  let silent: Server | undefined;
  afterEach(async () => {
    silent?.closeAllConnections();
    await new Promise((resolve) => silent?.close(resolve));
  });

  test('times out after `timeout` and is retried', async () => {
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const rec = outbox(amConfig([url], { timeoutMs: 200 }));
    rec.box.enqueue(entry(url, alert('G')));
    await expect.poll(() => rec.failed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(rec.logs.find((l) => l.includes('will retry'))).toContain('no answer within 200 ms');
    expect(rec.box.size).toBe(1);
  });
});
