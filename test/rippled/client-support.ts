import type { LogFields, Logger } from '../../src/log.js';
import type { RippledClientHandlers, RippledClientOptions } from '../../src/rippled/client-options.js';
import { RippledClient } from '../../src/rippled/rippled-client.js';

export type ClientEvent =
  | ['connection', string, boolean]
  | ['reconnect', string]
  | ['connect-failed', string]
  | ['subscribed', string, number | null]
  | ['ledger', string, unknown]
  | ['tx', string, unknown]
  | ['invalid', string, string];

export interface LogEntry {
  readonly level: string;
  readonly msg: string;
  readonly fields: LogFields;
}

export interface TestClient {
  readonly client: RippledClient;
  readonly events: ClientEvent[];
  readonly logs: LogEntry[];
  /** What onLedgerClosed answers: whether the ledger is new and trusted (keeps the stream fresh). */
  readonly verdict: { acceptLedgers: boolean };
  /** Events of one kind, without the kind. */
  of<K extends ClientEvent[0]>(kind: K): unknown[][];
}

export function capturingLogger(logs: LogEntry[]): Logger {
  const at =
    (level: string) =>
    (msg: string, fields: LogFields = {}) => {
      logs.push({ level, msg, fields });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A client with small, test-sized timings; every handler call is recorded in order. */
export function testClient(
  servers: readonly string[],
  overrides: Partial<RippledClientOptions> = {},
): TestClient {
  const events: ClientEvent[] = [];
  const logs: LogEntry[] = [];
  const verdict = { acceptLedgers: true };
  const handlers: RippledClientHandlers = {
    onSubscribed: (info) => events.push(['subscribed', info.server, info.ledgerIndex]),
    onLedgerClosed: (message, server) => {
      events.push(['ledger', server, message.ledger_index]);
      return verdict.acceptLedgers;
    },
    onTransaction: (message, server) => events.push(['tx', server, message.hash]),
    onInvalidMessage: (reason, server) => events.push(['invalid', server, reason]),
    onConnectionChange: (server, connected) => events.push(['connection', server, connected]),
    onReconnect: (server) => events.push(['reconnect', server]),
    onConnectFailed: (server) => events.push(['connect-failed', server]),
  };
  const client = new RippledClient({
    servers,
    apiVersion: 2,
    requestTimeoutMs: 5_000,
    staleAfterMs: 10_000,
    pingIntervalMs: 5_000,
    connectTimeoutMs: 1_000,
    backoff: { minMs: 10, maxMs: 40, resetAfterMs: 60_000 },
    overloadedBackoffMs: 10_000,
    preferredRecheckMs: 60_000,
    subscription: () => ({ accounts: [], streams: ['ledger'] }),
    logger: capturingLogger(logs),
    random: () => 1,
    handlers,
    ...overrides,
  });
  return {
    client,
    events,
    logs,
    verdict,
    of: (kind) => events.filter((e) => e[0] === kind).map((e) => e.slice(1)),
  };
}
