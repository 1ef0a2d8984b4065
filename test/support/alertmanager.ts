/*
 * A real Alertmanager (Debian's prometheus-alertmanager, installed by .ci/run) on loopback, alone or as
 * a gossip cluster, with a webhook receiver that is a test HTTP server recording every notification.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  GiveUp,
  prometheusListeningAddress,
  type RunningProcess,
  startProcess,
  waitFor,
} from './processes.js';

/** One webhook notification (Alertmanager's webhook payload, version 4). */
export interface WebhookNotification {
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Record<string, string>;
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
    readonly startsAt: string;
    readonly endsAt: string;
  }[];
}

export interface Webhook {
  readonly url: string;
  readonly notifications: readonly WebhookNotification[];
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const recorder = await startRecorder<WebhookNotification>();
  return { url: `${recorder.url}/hook`, notifications: recorder.bodies, close: recorder.close };
}

/** An HTTP server in the place of an Alertmanager's API: it records every alert posted to it, as sent. */
export interface AlertsCapture {
  readonly url: string;
  readonly alerts: readonly PostedAlert[];
  close(): Promise<void>;
}

export interface PostedAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
}

export async function startAlertsCapture(): Promise<AlertsCapture> {
  const recorder = await startRecorder<PostedAlert[]>();
  return {
    url: recorder.url,
    get alerts() {
      return recorder.bodies.flat();
    },
    close: recorder.close,
  };
}

/** A loopback HTTP server that answers 200 to every request and keeps each JSON body. */
async function startRecorder<T>(): Promise<{ url: string; bodies: T[]; close(): Promise<void> }> {
  const bodies: T[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback port that was free a moment ago: Alertmanager's cluster address must be known before it
 * starts (its peers are given on the command line), so `:0` cannot be used there.
 */
export async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A route to the webhook with test-speed grouping; one payment (tx_hash) per notification. */
export function webhookConfig(webhookUrl: string, extra: Record<string, unknown> = {}): object {
  return {
    route: {
      receiver: 'hook',
      group_by: ['alertname', 'account', 'tx_hash'],
      group_wait: '1s',
      group_interval: '1s',
      repeat_interval: '4h',
      ...extra,
    },
    receivers: [{ name: 'hook', webhook_configs: [{ url: webhookUrl, send_resolved: true }] }],
  };
}

export interface AlertmanagerOptions {
  readonly config: object;
  /** Gossip: this node's cluster port and its peers' (omitted: gossip off). */
  readonly cluster?: { readonly port: number; readonly peers: readonly number[] };
  /** Extra flags, e.g. --web.config.file. */
  readonly flags?: readonly string[];
  /** Reuse a data directory (a restarted node). */
  readonly dataDir?: string;
  /** The web port. @default 0 (any free port) */
  readonly port?: number;
}

export interface RunningAlertmanager {
  readonly url: string;
  readonly dataDir: string;
  readonly process: RunningProcess;
  /** SIGKILL: no goodbye to its peers. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Cluster timing for tests (Alertmanager 0.25, cmd/alertmanager/main.go, notify/notify.go, dispatch.go):
 * - A node at position n in the sorted member list waits n x --cluster.peer-timeout before notifying,
 *   then asks the notification log (gossiped by its peers) whether the group was already notified: the
 *   wait stage comes before DedupStage. So the peer timeout must exceed the gossip delay: with gossip
 *   every 100 ms, 3 s is a wide margin even on a busy machine (2 s was not: with several test suites
 *   on two cores a window alert's episode was notified twice); a full state sync every 2 s covers a
 *   lost packet.
 * - A flush hands the pipeline a snapshot in which firing alerts stay firing (dispatch.go: "Ensure that
 *   alerts don't resolve as time move forwards"). A second node's last firing snapshot is checked a peer
 *   timeout later; had the first node logged the resolution by then, the check would see a new firing
 *   alert and notify it again. Groups flush every group_interval, so group_interval must exceed the peer
 *   timeout (CLUSTER_GROUP_INTERVAL); production defaults (5m against 15s) do.
 * - Settling (cluster.go Settle: polls every 10 x gossip interval until the member count is stable) is
 *   capped so the cluster is ready within seconds.
 */
export const CLUSTER_PEER_TIMEOUT_MS = 3_000;
export const CLUSTER_GROUP_INTERVAL = '6s';
export const CLUSTER_FLAGS = [
  `--cluster.peer-timeout=${CLUSTER_PEER_TIMEOUT_MS}ms`,
  '--cluster.gossip-interval=100ms',
  '--cluster.pushpull-interval=2s',
  '--cluster.settle-timeout=6s',
  '--cluster.probe-interval=500ms',
  '--cluster.reconnect-interval=1s',
];

export async function startAlertmanager(options: AlertmanagerOptions): Promise<RunningAlertmanager> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'xrpl-am-'));
  const configPath = join(dataDir, 'alertmanager.yml');
  writeFileSync(configPath, stringify(options.config));
  const cluster = options.cluster
    ? [
        `--cluster.listen-address=127.0.0.1:${options.cluster.port}`,
        ...options.cluster.peers.map((p) => `--cluster.peer=127.0.0.1:${p}`),
        ...CLUSTER_FLAGS,
      ]
    : ['--cluster.listen-address='];
  const process = startProcess(
    'prometheus-alertmanager',
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port ?? 0}`,
      ...cluster,
      ...(options.flags ?? []),
    ],
    dataDir,
  );
  const address = await waitFor(
    'Alertmanager to log its listening address',
    () => {
      if (process.child.exitCode !== null) throw new GiveUp(`alertmanager exited:\n${process.output()}`);
      return prometheusListeningAddress(process.output());
    },
    30_000,
  );
  const url = `http://${address}`;
  const owned = options.dataDir === undefined;
  return {
    url,
    dataDir,
    process,
    async kill() {
      if (process.child.exitCode !== null || process.child.signalCode !== null) return;
      const exited = new Promise((resolve) => process.child.once('exit', resolve));
      process.child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await process.stop();
      if (owned) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until every node reports a settled cluster of `size` members (GET /api/v2/status). */
export async function waitForCluster(nodes: readonly RunningAlertmanager[], size: number): Promise<void> {
  for (const node of nodes) {
    await waitFor(
      `Alertmanager ${node.url} to see a settled cluster of ${size}`,
      async () => {
        const status = (await (await fetch(`${node.url}/api/v2/status`)).json()) as {
          cluster: { status: string; peers: unknown[] };
        };
        return status.cluster.status === 'ready' && status.cluster.peers.length === size ? true : undefined;
      },
      30_000,
    );
  }
}
