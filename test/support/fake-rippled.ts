import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  COMMANDS,
  type LimitRange,
  ledgerClosedText,
  type ServerSettings,
  type SubscriberState,
} from './fake-rippled/commands.js';
import { LedgerStore, RIPPLE_EPOCH_OFFSET, type StoredLedger } from './fake-rippled/ledger-store.js';
import { RpcFailure, rpcError } from './fake-rippled/rpc-errors.js';
import {
  type ApiVersion,
  type HistoryTx,
  isRecord,
  type LedgerHeader,
  normalizeEnvelope,
  streamMessage,
} from './fake-rippled/tx-shapes.js';

export type { ApiVersion, HistoryTx, LedgerHeader } from './fake-rippled/tx-shapes.js';

export interface FakeRippledOptions {
  host?: string;
  /** 0 (default) picks a free port; restart() re-listens on the port first bound. */
  port?: number;
  /** Index of the validated empty ledger the server starts with (default 1000). */
  firstLedgerIndex?: number;
  /** Close time of that first ledger (default: now, whole seconds); later ledgers add ledgerIntervalSeconds. */
  startTime?: Date;
  ledgerIntervalSeconds?: number;
  networkId?: number;
  accountTxLimits?: LimitRange;
  /** RPC::Tuning::maxRequestSize: larger requests get jsonInvalid (default 1,000,000 bytes). */
  maxRequestBytes?: number;
  /** Keep every request in `requests` (default true; benchmarks turn it off). */
  recordRequests?: boolean;
  /** Publishing waits while a socket has more than this many bytes queued (default 1 MiB). */
  highWaterMarkBytes?: number;
  /**
   * Like rippled's send_queue_limit: a client with more than this many bytes queued is closed with 1008
   * "Policy error: client is too slow." instead of being waited for (default 0: off, publishing waits).
   */
  slowClientBytes?: number;
}

export interface RecordedRequest {
  readonly connection: number;
  readonly command: string;
  readonly params: Record<string, unknown>;
}

/** One client socket and its subscriptions, plus per-connection faults. */
export interface FakeConnection extends SubscriberState {
  readonly id: number;
  readonly socket: WebSocket;
  /** Skip this many whole ledgers (ledgerClosed and transactions) for this connection. */
  skipLedgers: number;
  /** Skip this many ledgerClosed messages for this connection (its transactions still go out). */
  skipLedgerMessages: number;
}

type ResolvedOptions = Required<Omit<FakeRippledOptions, 'port'>> & { port: number };

export type RefuseMode = 'terminate' | 'close' | 'unlisten';
type ScheduledAction = (fake: FakeRippled) => void | Promise<void>;

/** Cached messages are bytes; they still go out as text frames, as rippled sends JSON. */
const TEXT_FRAME = { binary: false } as const;
const DEFAULT_LIMITS: LimitRange = { min: 10, default: 200, max: 400 };

/**
 * A real `ws` server speaking the rippled WebSocket API over a scripted ledger history, for tests and
 * benchmarks (behaviour pinned by test/fake-rippled/*.test.ts; protocol facts in xrpl-protocol.md).
 *
 *   const fake = await FakeRippled.start();            // one validated empty ledger (index 1000)
 *   fake.addLedgers(buildHistory({ seed: 1 }).ledgers); // pending until published
 *   await fake.publishNext();                           // validate + ledgerClosed + matching txs
 *   fake.closeAll();                                    // 1008 "Policy error: client is too slow."
 *
 * Commands: ping, subscribe/unsubscribe (accounts; streams ledger, transactions), account_info,
 * account_tx, ledger, server_info; anything else is unknownCmd. Only published ledgers are validated:
 * account_tx, ledger and account_info never see a pending one.
 */
export class FakeRippled extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  private readonly store: LedgerStore;
  private readonly settings: ServerSettings;
  private readonly live = new Set<FakeConnection>();
  private nextConnectionId = 1;
  private publishing: Promise<unknown> = Promise.resolve();
  private autoTimer: NodeJS.Timeout | undefined;
  private readonly scheduled = new Map<number, ScheduledAction[]>();
  private faults = {
    skipLedgerMessages: 0,
    duplicate: 0,
    reorder: 0,
    loadWarning: false,
    refuse: undefined as RefuseMode | undefined,
    delayAll: 0,
    delay: new Map<string, number>(),
    ignore: new Set<string>(),
  };
  private unknownIdCounter = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly config: ResolvedOptions,
  ) {
    super();
    const firstCloseTime = Math.floor(config.startTime.getTime() / 1000) - RIPPLE_EPOCH_OFFSET;
    this.store = new LedgerStore(config.firstLedgerIndex, firstCloseTime, config.ledgerIntervalSeconds);
    this.store.add([]);
    this.store.validateNext();
    this.settings = { networkId: config.networkId, accountTxLimits: config.accountTxLimits };
    wss.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(options: FakeRippledOptions = {}): Promise<FakeRippled> {
    const host = options.host ?? '127.0.0.1';
    const http = createServer();
    // Payload cap above the request limit, so oversize requests reach us and get rippled's jsonInvalid.
    const wss = new WebSocketServer({ server: http, maxPayload: 64 * 1024 * 1024 });
    http.listen(options.port ?? 0, host);
    await once(http, 'listening');
    return new FakeRippled(http, wss, {
      host,
      port: (http.address() as AddressInfo).port,
      firstLedgerIndex: options.firstLedgerIndex ?? 1000,
      startTime: options.startTime ?? new Date(Math.floor(Date.now() / 1000) * 1000),
      ledgerIntervalSeconds: options.ledgerIntervalSeconds ?? 4,
      networkId: options.networkId ?? 0,
      accountTxLimits: options.accountTxLimits ?? DEFAULT_LIMITS,
      maxRequestBytes: options.maxRequestBytes ?? 1_000_000,
      recordRequests: options.recordRequests ?? true,
      highWaterMarkBytes: options.highWaterMarkBytes ?? 1024 * 1024,
      slowClientBytes: options.slowClientBytes ?? 0,
    });
  }

  get url(): string {
    return `ws://${this.config.host}:${this.config.port}`;
  }

  get connectionCount(): number {
    return this.live.size;
  }

  get connections(): readonly FakeConnection[] {
    return [...this.live];
  }

  /** Index of the last validated (published) ledger. */
  get validatedLedgerIndex(): number {
    return this.store.lastValidated.header.index;
  }

  /** Index of the last ledger added, published or not. */
  get lastLedgerIndex(): number {
    return this.store.lastAdded;
  }

  get pendingLedgers(): number {
    return this.store.pendingCount;
  }

  /** Accounts subscribed on one connection, or on any connection. */
  subscribedAccounts(connection?: FakeConnection): Set<string> {
    if (connection) return new Set(connection.accounts);
    const all = new Set<string>();
    for (const c of this.live) for (const a of c.accounts) all.add(a);
    return all;
  }

  // ---- history -------------------------------------------------------------------------------

  /**
   * Appends a ledger (published later) whose transactions are `{tx, meta, hash?}` or any fixture
   * envelope; they get TransactionIndex in the given order. Throws on input without tx or metadata.
   */
  addLedger(transactions: readonly unknown[], options: { closeTime?: Date } = {}): LedgerHeader {
    const txs = transactions.map((input, i) => {
      const normalized = normalizeEnvelope(input);
      if (!normalized) throw new Error(`addLedger: transaction ${i} has no tx with metadata`);
      return normalized;
    });
    return this.store.add(txs, options.closeTime);
  }

  addLedgers(ledgers: ReadonlyArray<{ transactions: readonly HistoryTx[] }>): LedgerHeader[] {
    return ledgers.map((l) => this.addLedger(l.transactions));
  }

  /** Sets the XRP balance account_info reports until the history has an AccountRoot for the account. */
  setAccountBalance(account: string, drops: bigint | string): void {
    this.store.setBalance(account, String(drops));
  }

  /** The server forgets ledgers before `index` (complete_ledgers and account_tx start there). */
  setHistoryStart(index: number): void {
    this.store.setHistoryStart(index);
  }

  // ---- publishing ----------------------------------------------------------------------------

  /** Validates and publishes the next pending ledger; resolves once its messages are handed to the sockets. */
  publishNext(): Promise<LedgerHeader | undefined> {
    const run = this.publishing.then(() => this.publishOne());
    this.publishing = run.catch(() => undefined);
    return run;
  }

  async publishUntil(index: number): Promise<void> {
    while (this.store.pendingCount > 0 && this.validatedLedgerIndex < index) await this.publishNext();
  }

  async publishAll(): Promise<void> {
    await this.publishUntil(Number.POSITIVE_INFINITY);
  }

  /**
   * Publishes one ledger every intervalMs; when no ledger is pending it closes an empty one, so the
   * ledger stream keeps beating like a live network (unless emptyWhenIdle is false).
   */
  startAutoPublish(intervalMs: number, options: { emptyWhenIdle?: boolean } = {}): void {
    this.stopAutoPublish();
    const tick = async () => {
      if (this.store.pendingCount === 0 && options.emptyWhenIdle !== false) this.store.add([]);
      if (this.store.pendingCount > 0) await this.publishNext();
      if (this.autoTimer) this.autoTimer = setTimeout(tick, intervalMs);
    };
    this.autoTimer = setTimeout(tick, intervalMs);
  }

  stopAutoPublish(): void {
    clearTimeout(this.autoTimer);
    this.autoTimer = undefined;
  }

  /** Runs `action` just before ledger `index` is published (for scripted chaos). */
  at(index: number, action: ScheduledAction): void {
    const list = this.scheduled.get(index) ?? [];
    list.push(action);
    this.scheduled.set(index, list);
  }

  /**
   * Serialises the stream message of every pending transaction for this API version now, so a benchmark
   * measures sending rather than JSON.stringify.
   */
  prepareMessages(apiVersion: ApiVersion): void {
    for (const ledger of this.store.pending()) for (const tx of ledger.txs) streamMessage(tx, apiVersion);
  }

  /** Resolves when publishing is idle and every socket has flushed what it was given. */
  async drain(): Promise<void> {
    await this.publishing;
    await Promise.all([...this.live].map((c) => flushed(c.socket)));
  }

  private async publishOne(): Promise<LedgerHeader | undefined> {
    if (this.store.pendingCount === 0) return undefined;
    const nextIndex = this.validatedLedgerIndex + 1;
    for (const action of this.scheduled.get(nextIndex) ?? []) await action(this);
    this.scheduled.delete(nextIndex);
    const ledger = this.store.validateNext();
    if (!ledger) return undefined;
    const sendLedgerClosed = this.faults.skipLedgerMessages === 0;
    if (!sendLedgerClosed) this.faults.skipLedgerMessages -= 1;
    const ledgerText = ledgerClosedText(this.store, this.settings, ledger);
    for (const connection of [...this.live]) {
      if (connection.skipLedgers > 0) {
        connection.skipLedgers -= 1;
        continue;
      }
      let withLedger = sendLedgerClosed && connection.streams.has('ledger');
      if (withLedger && connection.skipLedgerMessages > 0) {
        connection.skipLedgerMessages -= 1;
        withLedger = false;
      }
      await this.sendLedger(connection, ledger, withLedger ? ledgerText : undefined);
    }
    this.emit('published', ledger.header);
    return ledger.header;
  }

  /** pubLedger order for one connection: ledgerClosed, then its transactions by TransactionIndex. */
  private async sendLedger(connection: FakeConnection, ledger: StoredLedger, ledgerText?: string) {
    const messages: Buffer[] = [];
    const everything = connection.streams.has('transactions');
    for (const tx of ledger.txs) {
      if (everything || intersects(tx.affected, connection.accounts)) {
        messages.push(streamMessage(tx, connection.apiVersion));
      }
    }
    if (this.faults.reorder > 0 && messages.length >= 2) {
      this.faults.reorder -= 1;
      [messages[0], messages[1]] = [messages[1]!, messages[0]!];
    }
    if (ledgerText !== undefined) await this.send(connection, ledgerText);
    for (const message of messages) {
      const flushed = this.send(connection, message);
      if (flushed) await flushed;
      if (this.faults.duplicate > 0) {
        this.faults.duplicate -= 1;
        await this.send(connection, message);
      }
    }
  }

  /**
   * Sends without unbounded buffering: above the high-water mark it returns a promise that settles once
   * the socket has flushed; below it, nothing (no promise per message on the fast path).
   */
  private send(connection: FakeConnection, message: string | Buffer): Promise<void> | undefined {
    const socket = connection.socket;
    if (socket.readyState !== WebSocket.OPEN) return undefined;
    const buffered = socket.bufferedAmount;
    if (this.config.slowClientBytes > 0) {
      // BaseWSPeer::send: over the send queue limit rippled gives up on the client instead of waiting.
      if (buffered > this.config.slowClientBytes) socket.close(1008, 'Policy error: client is too slow.');
      else socket.send(message, TEXT_FRAME);
      return undefined;
    }
    if (buffered < this.config.highWaterMarkBytes) {
      socket.send(message, TEXT_FRAME);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        socket.off('close', done);
        resolve();
      };
      socket.once('close', done);
      socket.send(message, TEXT_FRAME, done);
    });
  }

  // ---- faults --------------------------------------------------------------------------------

  /** Kills every socket without a close frame (like a network drop). */
  dropAll(): void {
    for (const c of this.live) c.socket.terminate();
  }

  /** Closes every socket with a close frame; default is rippled's slow-consumer close. */
  closeAll(code = 1008, reason = 'Policy error: client is too slow.'): void {
    for (const c of this.live) c.socket.close(code, reason);
  }

  /** The next n ledgers go out without their ledgerClosed message (their transactions still go out). */
  skipLedgerMessages(n: number, connection?: FakeConnection): void {
    if (connection) connection.skipLedgerMessages += n;
    else this.faults.skipLedgerMessages += n;
  }

  /** The next n ledgers are not sent at all (ledgerClosed and transactions) to these connections. */
  skipLedgers(n: number, connection?: FakeConnection): void {
    for (const c of connection ? [connection] : this.live) c.skipLedgers += n;
  }

  /** The next n transaction messages are sent twice. */
  duplicateNext(n = 1): void {
    this.faults.duplicate += n;
  }

  /** In the next n ledger deliveries with two or more transactions, the first two swap places. */
  reorderNext(n = 1): void {
    this.faults.reorder += n;
  }

  /** Sends arbitrary text (malformed JSON, unknown message types...) to every client. */
  sendRaw(text: string): void {
    for (const c of this.live) if (c.socket.readyState === WebSocket.OPEN) c.socket.send(text);
  }

  /** Delays every response by ms (0 turns it off). */
  delayResponses(ms: number): void {
    this.faults.delayAll = ms;
  }

  /** Delays responses to one command by ms (0 turns it off). */
  delayCommand(command: string, ms: number): void {
    if (ms > 0) this.faults.delay.set(command, ms);
    else this.faults.delay.delete(command);
  }

  /** Never answer this command ('*' for all), e.g. to test request timeouts. */
  ignoreRequests(command: string, on = true): void {
    if (on) this.faults.ignore.add(command);
    else this.faults.ignore.delete(command);
  }

  /** Adds rippled's `warning: "load"` to every successful response. */
  loadWarning(on: boolean): void {
    this.faults.loadWarning = on;
  }

  /**
   * Refuses new connections: 'terminate' resets right after the upgrade, 'close' sends close 1013,
   * 'unlisten' stops listening (connection refused) until refuseConnections(false) listens again on the
   * same port.
   */
  async refuseConnections(on: boolean, mode: RefuseMode = 'terminate'): Promise<void> {
    const wasUnlistened = this.faults.refuse === 'unlisten';
    this.faults.refuse = on ? mode : undefined;
    if (on && mode === 'unlisten' && !wasUnlistened) {
      this.http.close();
      this.dropAll();
    } else if (wasUnlistened && this.faults.refuse !== 'unlisten') {
      this.http.listen(this.config.port, this.config.host);
      await once(this.http, 'listening');
    }
  }

  /** Sends a response whose id the client never used. */
  respondToUnknownId(id: unknown = `fake-unknown-${++this.unknownIdCounter}`): void {
    this.sendRaw(JSON.stringify({ id, result: {}, status: 'success', type: 'response' }));
  }

  /** Resolves with the next request for `command` (any command when omitted). */
  async nextRequest(command?: string): Promise<RecordedRequest> {
    for (;;) {
      const [request] = (await once(this, 'request')) as [RecordedRequest];
      if (command === undefined || request.command === command) return request;
    }
  }

  /** Resolves once at least n connections are open. */
  async waitForConnections(n = 1): Promise<void> {
    while (this.live.size < n) await once(this, 'connection');
  }

  async close(): Promise<void> {
    this.stopAutoPublish();
    for (const c of this.live) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    if (this.http.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  // ---- requests ------------------------------------------------------------------------------

  private onConnection(socket: WebSocket): void {
    if (this.faults.refuse === 'terminate' || this.faults.refuse === 'unlisten') {
      socket.terminate();
      return;
    }
    if (this.faults.refuse === 'close') {
      socket.close(1013, 'Try again later');
      return;
    }
    const connection: FakeConnection = {
      id: this.nextConnectionId++,
      socket,
      accounts: new Set(),
      streams: new Set(),
      apiVersion: 1,
      skipLedgers: 0,
      skipLedgerMessages: 0,
    };
    this.live.add(connection);
    socket.on('message', (data) => this.onMessage(connection, data));
    socket.on('close', () => {
      this.live.delete(connection);
      this.emit('disconnect', connection);
    });
    socket.on('error', () => undefined);
    this.emit('connection', connection);
  }

  private onMessage(connection: FakeConnection, data: RawData): void {
    const text = rawText(data);
    let request: unknown;
    try {
      request = Buffer.byteLength(text) > this.config.maxRequestBytes ? undefined : JSON.parse(text);
    } catch {
      request = undefined;
    }
    if (!isRecord(request)) {
      // ServerHandler::onWSMessage: no id, the offending text echoed back.
      this.reply(connection, { error: 'jsonInvalid', type: 'error', value: text }, 0);
      return;
    }
    const command = typeof request.command === 'string' ? request.command : undefined;
    if (this.config.recordRequests) {
      this.requests.push({ connection: connection.id, command: command ?? '', params: request });
    }
    this.emit('request', { connection: connection.id, command: command ?? '', params: request });
    if (this.faults.ignore.has('*') || (command && this.faults.ignore.has(command))) return;
    const delay = (command && this.faults.delay.get(command)) || this.faults.delayAll;
    this.reply(connection, this.respond(connection, request, command), delay);
  }

  /** ServerHandler::processSession: the response envelope around a command's result or error. */
  private respond(connection: FakeConnection, request: Record<string, unknown>, command?: string) {
    const echo: Record<string, unknown> = {};
    if ('id' in request) echo.id = request.id;
    if ('api_version' in request) echo.api_version = request.api_version;
    const apiVersion = request.api_version ?? 1;
    if ((apiVersion !== 1 && apiVersion !== 2) || command === undefined) {
      const error = apiVersion !== 1 && apiVersion !== 2 ? 'invalid_API_version' : 'missingCommand';
      return { ...echo, error, request, status: 'error', type: 'response' };
    }
    const handler = COMMANDS[command];
    try {
      if (!handler) throw rpcError('unknownCmd');
      const result = handler(request, {
        store: this.store,
        apiVersion,
        subscriber: connection,
        settings: this.settings,
        now: Date.now,
      });
      const warning = this.faults.loadWarning ? { warning: 'load' } : {};
      return { ...echo, result, status: 'success', type: 'response', ...warning };
    } catch (error) {
      if (!(error instanceof RpcFailure)) throw error;
      return { ...echo, ...error.body, request, status: 'error', type: 'response' };
    }
  }

  private reply(connection: FakeConnection, body: unknown, delayMs: number): void {
    const text = JSON.stringify(body);
    const send = () => {
      if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(text);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  }
}

function intersects(affected: ReadonlySet<string>, subscribed: ReadonlySet<string>): boolean {
  if (subscribed.size === 0) return false;
  for (const account of affected) if (subscribed.has(account)) return true;
  return false;
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Resolves once everything queued on the socket so far has been written (a ping goes out after it). */
function flushed(socket: WebSocket): Promise<void> {
  if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount === 0) return Promise.resolve();
  return new Promise((resolve) => socket.ping(undefined, undefined, () => resolve()));
}
