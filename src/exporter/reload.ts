import type { Flags } from '../cli.js';
import type { Config } from '../config/types.js';
import { sameJson } from '../json.js';
import type { RippledClient, Subscription } from '../rippled/index.js';

/**
 * Replicas started with --shard share one config file, so each keeps its own state file (and alert
 * journal next to it): `<state.path>.shard-<i>-of-<n>`.
 */
export function withShardState(config: Config, shard: Flags['shard']): Config {
  if (shard === null || config.state.path === null) return config;
  return {
    ...config,
    state: { ...config.state, path: `${config.state.path}.shard-${shard.index}-of-${shard.count}` },
  };
}

/**
 * The config a reload applies: the new one, except what the running session and state file were
 * built with (servers, API version, timings, state), which take effect on restart. So does
 * `xrpl.network_id`: the totals and checkpoint in the state file are one network's, and every server
 * in use was admitted by it. And `verification.interval`, a timing like the others (the periodic check
 * is scheduled once). `changed` names those keys when the new file differs in them.
 */
export function reloadableConfig(running: Config, loaded: Config): { next: Config; changed: string[] } {
  const changed: string[] = [];
  if (!sameJson(running.xrpl.servers, loaded.xrpl.servers)) changed.push('xrpl.servers');
  if (running.xrpl.apiVersion !== loaded.xrpl.apiVersion) changed.push('xrpl.api_version');
  if (running.xrpl.staleAfterMs !== loaded.xrpl.staleAfterMs) changed.push('xrpl.stale_after');
  if (running.xrpl.requestTimeoutMs !== loaded.xrpl.requestTimeoutMs) changed.push('xrpl.request_timeout');
  if (running.xrpl.networkId !== loaded.xrpl.networkId) changed.push('xrpl.network_id');
  if (!sameJson(running.state, loaded.state)) changed.push('state');
  if (running.verification.intervalMs !== loaded.verification.intervalMs)
    changed.push('verification.interval');
  const next: Config = {
    ...loaded,
    xrpl: {
      ...loaded.xrpl,
      servers: running.xrpl.servers,
      apiVersion: running.xrpl.apiVersion,
      staleAfterMs: running.xrpl.staleAfterMs,
      requestTimeoutMs: running.xrpl.requestTimeoutMs,
      networkId: running.xrpl.networkId,
    },
    state: running.state,
    verification: running.verification,
  };
  return { next, changed };
}

/** What the live socket carries: the watched accounts, or the whole `transactions` stream. */
export interface SocketSubscription {
  readonly fullStream: boolean;
  readonly accounts: readonly string[];
}

/** Above the threshold, one `transactions` stream filtered locally beats a huge `accounts` subscription. */
export function socketSubscription(
  addresses: readonly string[],
  fullStreamThreshold: number,
): SocketSubscription {
  return { fullStream: addresses.length > fullStreamThreshold, accounts: addresses };
}

/** The subscribe request for a socket subscription, as the client sends it on every (re)connect. */
export function subscribeRequest({ fullStream, accounts }: SocketSubscription): Subscription {
  return fullStream
    ? { accounts: [], streams: ['ledger', 'transactions'] }
    : { accounts, streams: ['ledger'] };
}

export type SubscriptionChange =
  | { readonly kind: 'subscribe' | 'unsubscribe'; readonly accounts: readonly string[] }
  | { readonly kind: 'subscribe' | 'unsubscribe'; readonly stream: 'transactions' };

/**
 * The requests that turn one subscription into the other on the live socket, new ones first so
 * nothing is missed in between. Added accounts start at 0 from the current ledger.
 */
export function subscriptionChanges(
  before: SocketSubscription,
  after: SocketSubscription,
): SubscriptionChange[] {
  const changes: SubscriptionChange[] = [];
  const add = (kind: 'subscribe' | 'unsubscribe', accounts: readonly string[]) => {
    if (accounts.length > 0) changes.push({ kind, accounts });
  };
  if (after.fullStream && !before.fullStream) {
    changes.push({ kind: 'subscribe', stream: 'transactions' });
    add('unsubscribe', before.accounts);
  } else if (!after.fullStream && before.fullStream) {
    add('subscribe', after.accounts);
    changes.push({ kind: 'unsubscribe', stream: 'transactions' });
  } else if (!after.fullStream) {
    const had = new Set(before.accounts);
    const has = new Set(after.accounts);
    add(
      'subscribe',
      after.accounts.filter((a) => !had.has(a)),
    );
    add(
      'unsubscribe',
      before.accounts.filter((a) => !has.has(a)),
    );
  }
  return changes;
}

/** Sends one change on the live socket. */
export function applySubscriptionChange(
  client: Pick<RippledClient, 'request' | 'subscribeAccounts' | 'unsubscribeAccounts'>,
  change: SubscriptionChange,
): Promise<unknown> {
  if ('stream' in change) return client.request({ command: change.kind, streams: [change.stream] });
  return change.kind === 'subscribe'
    ? client.subscribeAccounts(change.accounts)
    : client.unsubscribeAccounts(change.accounts);
}
