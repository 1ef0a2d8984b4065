/*
 * The Alertmanager sink: POST <url>/api/v2/alerts with a JSON list of alerts, as Prometheus does. Every
 * configured URL is its own target, so one Alertmanager that is down never holds back the others.
 * Answers (Alertmanager api/v2): 200 accepted; 400 a malformed or invalid alert (the valid ones of the
 * list are still accepted), never better on retry, as are 413 and 422; anything else (5xx, 401/403/404 from
 * a proxy or a wrong URL, 429, timeouts, refused connections) is retried with the target paused.
 */

import type { AlertmanagerConfig } from '../../config/types.js';
import { maskUrlSecrets } from '../../config/url-secrets.js';
import { type AmAlert, alertKey, postableAlert } from './alertmanager-alerts.js';
import type { OutboxEntry } from './outbox.js';
import type { Delivery, Sink } from './types.js';

/** Alerts per request: Prometheus' notifier also posts its alerts in batches; this keeps one request small. */
export const ALERTMANAGER_BATCH_SIZE = 64;

const PERMANENT = new Set([400, 413, 422]);

export interface AlertmanagerSinkOptions {
  readonly config: AlertmanagerConfig;
  /** Unix ms: endsAt is settled at delivery. */
  readonly now: () => number;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

interface Endpoint {
  readonly url: string;
  readonly authorization: string | null;
}

/** The targets: each configured URL with its secrets masked (what logs, labels and the state file show). */
export function alertmanagerTargets(config: AlertmanagerConfig): string[] {
  return config.urls.map(maskUrlSecrets);
}

/** One alert for one Alertmanager: the idempotency key is per (alert, URL), as each URL gets every alert. */
export function alertmanagerEntry(
  alert: AmAlert,
  target: string,
  rule: string,
  mode: 'once' | 'latest',
): OutboxEntry<AmAlert> {
  return { key: JSON.stringify(['am', target, alertKey(alert.labels)]), target, rule, payload: alert, mode };
}

/** The same alert for another Alertmanager (its URLs changed). */
export function retargetAlert(entry: OutboxEntry<AmAlert>, target: string): OutboxEntry<AmAlert> {
  return alertmanagerEntry(entry.payload, target, entry.rule, entry.mode);
}

export function createAlertmanagerSink(options: AlertmanagerSinkOptions): Sink<AmAlert> {
  const { config, now } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const endpoints = new Map(config.urls.map((url) => [maskUrlSecrets(url), endpointFor(url, config)]));
  return {
    batchSize: ALERTMANAGER_BATCH_SIZE,
    async deliver(target, alerts): Promise<Delivery<AmAlert>> {
      const endpoint = endpoints.get(target);
      if (endpoint === undefined) return retry(`${target} is not a configured Alertmanager URL`);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (endpoint.authorization !== null) headers.authorization = endpoint.authorization;
      const at = now();
      let response: Response;
      try {
        response = await fetchImpl(endpoint.url, {
          method: 'POST',
          headers,
          body: JSON.stringify(alerts.map((alert) => postableAlert(alert, at))),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (error) {
        return retry(describeFetchError(error, config.timeoutMs));
      }
      const text = oneLine(await response.text().catch(() => '')).slice(0, 200);
      if (response.ok) return { status: 'delivered', refused: [] };
      const error = `HTTP ${response.status}${text === '' ? '' : `: ${text}`}`;
      if (PERMANENT.has(response.status)) {
        return { status: 'failed', permanent: true, scope: 'item', error, refused: [] };
      }
      return retry(error);
    },
    close() {},
  };
}

function retry(error: string): Delivery<AmAlert> {
  return { status: 'failed', permanent: false, scope: 'target', error, refused: [] };
}

/**
 * fetch() refuses URLs with credentials: a user and password in the URL become a basic auth header
 * (basic_auth, when set, wins).
 */
function endpointFor(base: string, config: AlertmanagerConfig): Endpoint {
  const url = new URL(base);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  const credentials =
    config.basicAuth !== null
      ? `${config.basicAuth.username}:${config.basicAuth.password}`
      : user !== '' || password !== ''
        ? `${user}:${password}`
        : null;
  return {
    url: url.toString(),
    authorization: credentials === null ? null : `Basic ${Buffer.from(credentials).toString('base64')}`,
  };
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = typeof e?.cause?.code === 'string' ? e.cause.code : '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host (${code})`;
  const detail = typeof e?.cause?.message === 'string' ? e.cause.message : String(e?.message ?? error);
  return oneLine(code === '' ? detail : `${code}: ${detail}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
