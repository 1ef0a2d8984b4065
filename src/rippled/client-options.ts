import type { Logger } from '../log.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type RippledMessage, type RippledResult } from './request-connection.js';
import type { ServerJudge } from './server-check.js';
import type { ServerInfo } from './server-info.js';
import { DEFAULT_MAX_SUBSCRIBE_REQUEST_BYTES } from './subscribe-chunks.js';

export type StreamName = 'ledger' | 'transactions';

export interface Subscription {
  readonly accounts: readonly string[];
  readonly streams: readonly StreamName[];
}

export interface SubscribedInfo {
  readonly server: string;
  /** `ledger_index` of the ledger-stream subscribe answer: the last validated ledger before the stream
   * starts (null without a ledger stream or when the server did not say). */
  readonly ledgerIndex: number | null;
  /** That ledger's close time (`ledger_time`), Unix seconds; null when the answer had none. */
  readonly ledgerCloseTime: number | null;
  readonly result: RippledResult;
  /** The session's `server_info` answer, asked before subscribing; null when the server did not answer
   * it (the failure is logged, the session goes on). */
  readonly serverInfo: ServerInfo | null;
}

/** All synchronous, called in arrival order; a handler that throws is logged, never propagated.
 * Per session the order is: onConnectionChange(server, true), [onReconnect(server)], stream messages
 * and onSubscribed, ..., onConnectionChange(server, false). Only the current session's messages are
 * delivered; two sessions never interleave. */
export interface RippledClientHandlers {
  /** Every account chunk and then the streams subscribe succeeded; once per session. Transactions for
   * already-subscribed accounts may arrive just before it: they are live and valid. */
  onSubscribed(info: SubscribedInfo): void;
  /** A `ledgerClosed` with a valid ledger_index. Returns true when it is a new validated ledger the
   * caller trusts: only that keeps the stream fresh (a server repeating an old ledger goes stale). */
  onLedgerClosed(message: RippledMessage, server: string): boolean;
  /** A `transaction` stream message, unvalidated as to its content (the accounting layer checks it). */
  onTransaction(message: RippledMessage, server: string): void;
  /** Malformed JSON, unexpected message types, answers to unknown ids, oversized messages... */
  onInvalidMessage(reason: string, server: string): void;
  /** The session socket to `server` opened (true) or closed (false): drives xrpl_stream_connected. */
  onConnectionChange(server: string, connected: boolean): void;
  /** A socket to `server` could not be opened (refused, timed out, TLS, HTTP error), be it a connection
   * attempt or a probe of a preferred server: drives xrpl_connection_attempts_failed_total. */
  onConnectFailed(server: string): void;
  /** A session opened to `server` after an earlier session (to any server) had opened: one per
   * re-established connection, so xrpl_reconnects_total counts disruptions, not failed attempts. */
  onReconnect(server: string): void;
}

export interface RippledClientOptions {
  /** Tried in order; earlier servers are preferred. */
  readonly servers: readonly string[];
  /** Sent as `api_version` on every request, so every subscribe on a socket agrees (protocol §1.1). */
  readonly apiVersion: number;
  readonly requestTimeoutMs: number;
  /** No ledgerClosed for this long: not up, reconnect. */
  readonly staleAfterMs: number;
  /** Application-level `ping` period; a failed ping reconnects. @default 10_000 */
  readonly pingIntervalMs?: number;
  /** @default 10_000 */
  readonly connectTimeoutMs?: number;
  /** Per server. `resetAfterMs`: a session healthy this long resets its server's backoff.
   * @default { minMs: 100, maxMs: 60_000, resetAfterMs: 60_000 } */
  readonly backoff?: Partial<BackoffOptions & { resetAfterMs: number }>;
  /** Minimum rest for a server that closed with 1008 or sent a load warning. @default 30_000 */
  readonly overloadedBackoffMs?: number;
  /** While on a later server, how often to probe the earlier ones. @default 60_000 */
  readonly preferredRecheckMs?: number;
  /** @default 64 MiB */
  readonly maxMessageBytes?: number;
  /** @default 900_000 (rippled's limit is 1,000,000) */
  readonly maxSubscribeRequestBytes?: number;
  /** Asked on every (re)connect, so a reloaded account list is what gets subscribed. */
  readonly subscription: () => Subscription;
  /**
   * Asked with the `network_id` a server states, wherever it states it: its `server_info` before any
   * connection to it is used (the live session before anything is subscribed, side connections, probes
   * of a preferred server), the subscribe answer and every `ledgerClosed`. A reason refuses the server
   * (the session ends and failover moves on; a side connection or probe is closed), null uses it.
   * @default accept every server
   */
  readonly refuse?: ServerJudge;
  readonly logger: Logger;
  /** Jitter source. @default Math.random */
  readonly random?: () => number;
  readonly handlers: RippledClientHandlers;
}

/** The optional timings and limits with their defaults filled in. */
export interface ClientSettings {
  readonly pingIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly resetAfterMs: number;
  readonly overloadedBackoffMs: number;
  readonly preferredRecheckMs: number;
  readonly maxMessageBytes: number;
  readonly maxSubscribeRequestBytes: number;
}

export function clientSettings(options: RippledClientOptions): ClientSettings {
  return {
    pingIntervalMs: options.pingIntervalMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    backoff: {
      minMs: options.backoff?.minMs ?? DEFAULT_BACKOFF.minMs,
      maxMs: options.backoff?.maxMs ?? DEFAULT_BACKOFF.maxMs,
    },
    resetAfterMs: options.backoff?.resetAfterMs ?? 60_000,
    overloadedBackoffMs: options.overloadedBackoffMs ?? 30_000,
    preferredRecheckMs: options.preferredRecheckMs ?? 60_000,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSubscribeRequestBytes: options.maxSubscribeRequestBytes ?? DEFAULT_MAX_SUBSCRIBE_REQUEST_BYTES,
  };
}
