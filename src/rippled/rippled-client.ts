import type { Logger } from '../log.js';
import { ledgerTimeToUnix } from '../ripple-time.js';
import { type ClientSettings, clientSettings, type RippledClientOptions } from './client-options.js';
import { NotConnectedError } from './errors.js';
import {
  RequestConnection,
  type RippledCommand,
  type RippledMessage,
  type RippledResult,
} from './request-connection.js';
import { admitServer, ServerRefusedError } from './server-check.js';
import { networkIdOf, type ServerInfo } from './server-info.js';
import { type FailureKind, type ServerChoice, ServerPool, type ServerRest } from './server-pool.js';
import { closeToEnd, Session, type SessionEnd } from './session.js';
import { classifyStreamMessage, isLedgerIndex } from './stream-message.js';
import { sendAccountsChunked } from './subscribe-chunks.js';

/** One configured server as the client sees it now. */
export interface ServerConnectionState extends ServerRest {
  readonly connected: boolean;
}

/** The long-lived rippled session: connect, subscribe, heartbeat, reconnect forever with per-server
 * backoff, failover in the configured order and return to earlier servers once they answer again.
 *
 * Switching back to a preferred server: we open the preferred server and check it as every connection
 * is checked (`server_info` and the `refuse` judge: a server of another network is never preferred
 * again until it passes), then close the old session and subscribe on the new one (no overlap, so
 * handlers never see two servers interleaved). Any ledgers missed in between are covered by the
 * caller's backfill, which starts from `onSubscribed`, as after every reconnect. */
export class RippledClient {
  private readonly options: RippledClientOptions;
  private readonly settings: ClientSettings;
  private readonly pool: ServerPool;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly sideConnections = new Set<RequestConnection>();
  private current: Session | null = null;
  private everOpened = false;
  private started = false;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  /** The earlier server being probed, so stop() can close it too. */
  private probe: Session | null = null;

  constructor(options: RippledClientOptions) {
    this.options = options;
    this.settings = clientSettings(options);
    this.log = options.logger;
    const { backoff, overloadedBackoffMs } = this.settings;
    this.pool = new ServerPool(options.servers, backoff, overloadedBackoffMs, options.random);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.loopDone = this.loop();
  }

  /** Closes everything with the intentional close code and clears every timer; no reconnect follows. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    this.wake?.();
    this.current?.finish({ kind: 'stopped' });
    const others = [...this.sideConnections, ...(this.probe?.connection ? [this.probe.connection] : [])];
    await Promise.all(others.map((c) => c.close()));
    await this.loopDone;
  }

  currentServer(): string | null {
    const session = this.current;
    return session !== null && !session.done && session.connection?.isOpen ? session.server : null;
  }

  /** Every configured server in order: connected or not, why it last failed, how long it still rests. */
  servers(): ServerConnectionState[] {
    const current = this.currentServer();
    return this.pool
      .rests(performance.now())
      .map((rest) => ({ ...rest, connected: rest.server === current }));
  }

  /** Connected, subscribed, and the ledger stream is fresh. */
  isUp(): boolean {
    const session = this.current;
    return session !== null && !session.done && session.subscribed && session.fresh;
  }

  /** Sends `cmd` on the current session (with `api_version`); rejects with NotConnectedError between
   * sessions. `timeoutMs` overrides requestTimeoutMs for this request. */
  request(cmd: RippledCommand, options: { timeoutMs?: number } = {}): Promise<RippledResult> {
    const connection = this.liveConnection();
    if (connection === null)
      return Promise.reject(new NotConnectedError('not connected to any rippled server'));
    return connection.request(cmd, options);
  }

  /** Leaves the current session as unhealthy (e.g. its ledger claims cannot be trusted): the server is
   * backed off and the next one tried, as after any failed session. */
  abandonSession(reason: string): void {
    const session = this.current;
    if (session === null || session.done) return;
    session.finish({ kind: 'unhealthy', reason });
  }

  /** Adds accounts on the live socket (hot reload); the next reconnect asks `subscription()` anyway. */
  async subscribeAccounts(accounts: readonly string[]): Promise<void> {
    await this.changeAccounts('subscribe', accounts);
  }

  async unsubscribeAccounts(accounts: readonly string[]): Promise<void> {
    await this.changeAccounts('unsubscribe', accounts);
  }

  /** A separate request-only connection (e.g. to backfill from another server). The caller closes it;
   * stop() closes it too. */
  async openSideConnection(server: string): Promise<RequestConnection> {
    const connection = await RequestConnection.connect(server, {
      ...this.connectionOptions(server),
      onMessage: (message) =>
        this.log.debug('ignoring stream message on side connection', { server, type: message.type }),
      onClose: () => this.sideConnections.delete(connection),
    });
    this.sideConnections.add(connection);
    try {
      await admitServer(connection, server, this.judge, this.log);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return connection;
  }

  private async changeAccounts(
    command: 'subscribe' | 'unsubscribe',
    accounts: readonly string[],
  ): Promise<void> {
    const connection = this.liveConnection();
    if (connection === null) throw new NotConnectedError(`cannot ${command} accounts: not connected`);
    await sendAccountsChunked(connection, command, accounts, this.chunkOptions());
  }

  private liveConnection(): RequestConnection | null {
    const session = this.current;
    if (session === null || session.done || !session.connection?.isOpen) return null;
    return session.connection;
  }

  /** Never ends before stop(): an unexpected error in one round is logged and the next round waits
   * the longest backoff, so a bug cannot turn into a tight reconnect loop or a silent dead client. */
  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.connectForever();
      } catch (error) {
        this.log.error('rippled client loop failed; retrying', { err: error });
        await this.sleep(this.settings.backoff.maxMs);
      }
    }
  }

  private async connectForever(): Promise<void> {
    let handover: Session | null = null;
    // Chosen when the last attempt failed, and named in its log line: the wait and the server are that line's.
    let next: ServerChoice | null = null;
    while (!this.stopping) {
      let session = handover;
      handover = null;
      if (session === null) {
        const choice = next ?? this.pool.pick(performance.now());
        next = null;
        if (choice.waitMs > 0) {
          await this.sleep(choice.waitMs);
          if (this.stopping) break;
        }
        session = new Session(choice.server);
        try {
          await this.open(session);
        } catch (error) {
          if (this.stopping) break;
          this.call(() => this.options.handlers.onConnectFailed(choice.server));
          next = this.failed(choice.server, 'failed', 'cannot connect to rippled', errorText(error));
          continue;
        }
      }
      const end = await this.run(session);
      if (end.kind === 'switch') handover = end.to;
      else if (end.kind !== 'stopped') {
        const kind = end.kind === 'overloaded' ? 'overloaded' : 'failed';
        next = this.failed(session.server, kind, 'rippled session ended', end.reason);
      }
    }
    if (handover !== null) await handover.connection?.close();
  }

  /**
   * Records that `server` failed and logs it as one line that also says what happens next (which server,
   * how soon), so a failure and the wait after it never read as two unrelated events.
   */
  private failed(server: string, kind: FailureKind, msg: string, reason: string): ServerChoice {
    const now = performance.now();
    this.pool.recordFailure(server, kind, now, reason);
    const next = this.pool.pick(now);
    this.log.warn(msg, { server, reason, next_server: next.server, next_attempt_in_ms: next.waitMs });
    return next;
  }

  /** Opens the session's socket; throws when it cannot. */
  private async open(session: Session): Promise<void> {
    session.connection = await RequestConnection.connect(session.server, {
      ...this.connectionOptions(session.server),
      signal: this.abort.signal,
      onMessage: (message) => this.dispatch(session, message),
      onWarning: (warning) => this.onWarning(session, warning),
      onClose: (info) => session.finish(closeToEnd(info)),
    });
  }

  /** Runs one session until it ends; always leaves its socket closed and its timers cleared. */
  private async run(session: Session): Promise<SessionEnd> {
    const connection = session.connection;
    if (connection === null || !connection.isOpen || this.stopping) {
      session.finish(this.stopping ? { kind: 'stopped' } : { kind: 'closed', reason: 'closed before use' });
      await connection?.close();
      return session.ended;
    }
    const server = session.server;
    this.current = session;
    this.log.info('connected to rippled', { server });
    this.call(() => this.options.handlers.onConnectionChange(server, true));
    if (this.everOpened) this.call(() => this.options.handlers.onReconnect(server));
    this.everOpened = true;
    session.heartbeat(this.settings.pingIntervalMs, (error) => {
      this.log.warn('heartbeat ping failed', { server, err: error });
      session.finish({ kind: 'unhealthy', reason: `ping failed: ${errorText(error)}` });
    });
    void this.subscribe(session);
    if (this.pool.indexOf(server) > 0) {
      session.every(this.settings.preferredRecheckMs, () => void this.probePreferred(session));
    }
    const end = await session.ended;
    if (end.kind === 'stopped' || end.kind === 'switch') await connection.close();
    else await connection.terminate();
    if (this.current === session) this.current = null;
    this.call(() => this.options.handlers.onConnectionChange(server, false));
    return end;
  }

  private async subscribe(session: Session): Promise<void> {
    const connection = session.connection!;
    let serverInfo: ServerInfo | null;
    try {
      // Asked before subscribing: its answer decides whether the server is used at all, and how far
      // its ledger claims are trusted.
      serverInfo = await admitServer(connection, session.server, this.judge, this.log, {
        streamFollows: true,
      });
    } catch (error) {
      if (!session.done) session.finish({ kind: 'unhealthy', reason: errorText(error) });
      return;
    }
    if (session.done) return;
    try {
      const { accounts, streams } = this.options.subscription();
      await sendAccountsChunked(connection, 'subscribe', accounts, this.chunkOptions());
      // The ledger stream is subscribed last, once every account is: any ledger after the one this
      // answer names is then published to all of them, and the caller backfills up to it.
      const result =
        streams.length > 0 ? await connection.request({ command: 'subscribe', streams: [...streams] }) : {};
      if (session.done) return;
      // The ledger stream's answer states the network again (a server that did not answer server_info
      // is judged here, before anything it sent is counted).
      if (this.refused(session, result)) return;
      session.subscribed = true;
      if (streams.includes('ledger'))
        session.markFresh(this.options.staleAfterMs, () => this.onStale(session));
      else session.fresh = true;
      session.after(this.settings.resetAfterMs, () => this.pool.recordHealthy(session.server));
      const ledgerIndex = isLedgerIndex(result.ledger_index) ? result.ledger_index : null;
      this.log.debug('subscribed', {
        server: session.server,
        accounts: accounts.length,
        streams,
        ledger_index: ledgerIndex,
      });
      this.call(() =>
        this.options.handlers.onSubscribed({
          server: session.server,
          ledgerIndex,
          ledgerCloseTime: ledgerIndex === null ? null : ledgerTimeToUnix(result.ledger_time),
          result,
          serverInfo,
        }),
      );
    } catch (error) {
      if (session.done) return;
      this.log.error('subscribe failed', { server: session.server, err: error });
      session.finish({ kind: 'unhealthy', reason: `subscribe failed: ${errorText(error)}` });
    }
  }

  /** The `refuse` judge, accepting every server when none is given. */
  private readonly judge = (server: string, networkId: number | null): string | null =>
    this.options.refuse?.(server, networkId) ?? null;

  /** Ends the session when `message` (subscribe answer, ledgerClosed) states a network the judge refuses. */
  private refused(session: Session, message: RippledMessage): boolean {
    const networkId = networkIdOf(message);
    if (networkId === null) return false;
    const refusal = this.judge(session.server, networkId);
    if (refusal === null) return false;
    session.finish({ kind: 'unhealthy', reason: `refused: ${refusal}` });
    return true;
  }

  private onStale(session: Session): void {
    this.log.warn('ledger stream is stale', {
      server: session.server,
      stale_after_ms: this.options.staleAfterMs,
    });
    session.finish({ kind: 'unhealthy', reason: `no ledgerClosed for ${this.options.staleAfterMs}ms` });
  }

  private onWarning(session: Session, warning: string): void {
    this.log.warn('rippled warning', { server: session.server, warning });
    if (warning !== 'load' || session.done) return;
    // Leave an overloaded server only when another one may be tried now; alone, staying is better.
    const now = performance.now();
    const alternative = this.pool.servers.some((s) => s !== session.server && this.pool.isAvailable(s, now));
    if (alternative) session.finish({ kind: 'overloaded', reason: 'load warning' });
  }

  private dispatch(session: Session, message: RippledMessage): void {
    // Messages of a session we are leaving (or a probe not yet promoted) are not the live stream.
    if (this.current !== session || session.done) return;
    const { handlers } = this.options;
    const server = session.server;
    const kind = classifyStreamMessage(message);
    if (kind.kind === 'invalid') {
      this.call(() => handlers.onInvalidMessage(kind.reason, server));
    } else if (kind.kind === 'transaction') {
      this.call(() => handlers.onTransaction(message, server));
    } else {
      // Nothing of a ledger stated to be another network's is used: the session ends before it is seen.
      if (this.refused(session, message)) return;
      // Only a ledger the caller accepts as new keeps the stream fresh: a server repeating an old
      // index (or sending junk) must go stale and be left.
      let fresh = false;
      this.call(() => {
        fresh = handlers.onLedgerClosed(message, server);
      });
      if (fresh && session.subscribed)
        session.markFresh(this.options.staleAfterMs, () => this.onStale(session));
    }
  }

  /** While on a later server: try the first earlier server that may be retried; switch if it answers. */
  private async probePreferred(session: Session): Promise<void> {
    if (this.probe !== null || session.done || this.stopping) return;
    const now = performance.now();
    const index = this.pool.indexOf(session.server);
    const candidate = this.pool.servers.slice(0, index).find((s) => this.pool.isAvailable(s, now));
    if (candidate === undefined) return;
    const probe = new Session(candidate);
    this.probe = probe;
    try {
      try {
        await this.open(probe);
      } catch (error) {
        if (this.stopping) return;
        this.call(() => this.options.handlers.onConnectFailed(candidate));
        const reason = errorText(error);
        const rest = this.pool.recordFailure(candidate, 'failed', performance.now(), reason);
        const recheck = this.settings.preferredRecheckMs;
        this.log.warn('cannot connect to preferred rippled; staying', {
          server: candidate,
          reason,
          current_server: session.server,
          // Probes run every `recheck`; the first one after the rest tries this server again.
          next_attempt_in_ms: Math.max(1, Math.ceil(rest / recheck)) * recheck,
        });
        return;
      }
      // The same check as any connection: a server of another network answers ping just as well.
      await admitServer(probe.connection!, candidate, this.judge, this.log);
      if (session.done || this.stopping || probe.done) throw new Error('session changed while probing');
      this.log.info('preferred server is back; switching', { server: candidate, from: session.server });
      session.finish({ kind: 'switch', to: probe });
    } catch (error) {
      if (error instanceof ServerRefusedError) {
        // Rests like a failed server; the judge logged the refusal once, not at every probe.
        this.pool.recordFailure(candidate, 'failed', performance.now(), error.message);
        this.log.debug('preferred server still refused; staying', {
          server: candidate,
          reason: error.reason,
        });
      } else this.log.warn('preferred server probe failed', { server: candidate, err: error });
      probe.finish({ kind: 'closed', reason: 'probe failed' });
      await probe.connection?.close();
    } finally {
      this.probe = null;
    }
  }

  private connectionOptions(server: string) {
    return {
      timeoutMs: this.settings.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxMessageBytes: this.settings.maxMessageBytes,
      apiVersion: this.options.apiVersion,
      logger: this.log,
      onInvalid: (reason: string) => this.call(() => this.options.handlers.onInvalidMessage(reason, server)),
    };
  }

  private chunkOptions() {
    return {
      apiVersion: this.options.apiVersion,
      maxRequestBytes: this.settings.maxSubscribeRequestBytes,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private call(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.log.error('rippled client handler threw', { err: error });
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
