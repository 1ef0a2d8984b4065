import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { RIPPLE_EPOCH_OFFSET } from '../ripple-time.js';
import type { LimitRange, ServerSettings } from './fake-rippled/commands.js';
import { LedgerStore } from './fake-rippled/ledger-store.js';
import { Publisher, type PublishTarget } from './fake-rippled/publisher.js';
import { parseRequest, respond } from './fake-rippled/requests.js';
import {
  type ApiVersion,
  type HistoryTx,
  type LedgerHeader,
  normalizeEnvelope,
  streamMessage,
} from './fake-rippled/tx-shapes.js';

export type { ApiVersion, HistoryTx, LedgerHeader } from './fake-rippled/tx-shapes.js';

export interface FakeRippledOptions {
  host?: string;
  /** 0 (default) picks a free port; refuseConnections(false) after 'unlisten' re-listens on the same one. */
  port?: number;
  /** Index of the validated empty ledger the server starts with (default 1000). */
  firstLedgerIndex?: number;
  /**
   * Close time of that first ledger (default: a day ago, whole seconds); later ledgers add
   * ledgerIntervalSeconds. Tests publish ledgers far faster than the real network closes them, so a
   * history starting now would soon close in the future, which a client rightly refuses to believe.
   */
  startTime?: Date;
  ledgerIntervalSeconds?: number;
  networkId?: number;
  accountTxLimits?: LimitRange;
  /** Return at most this many account_tx entries per page, still with a marker (default 0: no cap). */
  accountTxPageCap?: number;
  /** RPC::Tuning::maxRequestSize: larger requests get jsonInvalid (default 1,000,000 bytes). */
  maxRequestBytes?: number;
  /**
   * Rewrite replayed metadata so every entry's thread (PreviousTxnID / PreviousTxnLgrSeq), id and
   * AccountRoot balance is consistent within this history, and serve account_info / account_objects at any
   * held ledger (default true; benchmarks replaying one shared object many times turn it off).
   */
  threading?: boolean;
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

/** One client socket and its subscriptions, plus per-connection faults (skipLedgers, skipLedgerMessages). */
export interface FakeConnection extends PublishTarget {
  readonly id: number;
}

type ResolvedOptions = Required<Omit<FakeRippledOptions, 'port'>> & { port: number };

export type RefuseMode = 'terminate' | 'close' | 'unlisten';
type ScheduledAction = (fake: FakeRippled) => void | Promise<void>;

const DEFAULT_LIMITS: LimitRange = { min: 10, default: 200, max: 400 };
/** How long before now the default history starts: room for 21,600 ledgers of 4 s before it is now. */
const DEFAULT_START_AGE_SECONDS = 86_400;

/**
 * A real `ws` server speaking the rippled WebSocket API over a scripted ledger history, for tests and
 * benchmarks (behaviour pinned by test/fake-rippled/*.test.ts; protocol facts in xrpl-protocol.md).
 *
 *   const fake = await FakeRippled.start();            // one validated empty ledger (index 1000)
 *   fake.addLedgers(buildHistory({ seed: 1 }).ledgers); // pending until published
 *   await fake.publishNext();                           // validate + ledgerClosed + matching txs
 *   fake.closeAll();                                    // 1008 "Policy error: client is too slow."
 *
 * Commands: ping, subscribe/unsubscribe (accounts; streams ledger, transactions), account_info and
 * account_objects (at any held ledger), account_tx, ledger, tx, server_info; anything else is unknownCmd.
 * Only published ledgers are validated: no command ever sees a pending one.
 */
export class FakeRippled extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  private readonly store: LedgerStore;
  private readonly settings: ServerSettings;
  private readonly live = new Set<FakeConnection>();
  private nextConnectionId = 1;
  private readonly scheduled = new Map<number, ScheduledAction[]>();
  private readonly publisher: Publisher;
  private readonly faults = {
    loadWarning: false,
    refuse: undefined as RefuseMode | undefined,
    delayAll: 0,
    delay: new Map<string, number>(),
    ignore: new Set<string>(),
    ignoreAccounts: new Set<string>(),
  };
  private unknownIdCounter = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly config: ResolvedOptions,
  ) {
    super();
    const firstCloseTime = Math.floor(config.startTime.getTime() / 1000) - RIPPLE_EPOCH_OFFSET;
    this.store = new LedgerStore(
      config.firstLedgerIndex,
      firstCloseTime,
      config.ledgerIntervalSeconds,
      config.threading,
    );
    this.store.add([]);
    this.store.validateNext();
    this.settings = {
      networkId: config.networkId,
      accountTxLimits: config.accountTxLimits,
      accountTxPageCap: config.accountTxPageCap,
    };
    this.publisher = new Publisher(this.store, this.settings, config, {
      targets: () => this.live,
      beforeLedger: (index) => this.runScheduled(index),
      published: (header) => this.emit('published', header),
    });
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
      startTime:
        options.startTime ?? new Date((Math.floor(Date.now() / 1000) - DEFAULT_START_AGE_SECONDS) * 1000),
      ledgerIntervalSeconds: options.ledgerIntervalSeconds ?? 4,
      networkId: options.networkId ?? 0,
      accountTxLimits: options.accountTxLimits ?? DEFAULT_LIMITS,
      accountTxPageCap: options.accountTxPageCap ?? 0,
      maxRequestBytes: options.maxRequestBytes ?? 1_000_000,
      threading: options.threading ?? true,
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

  /** Drops the ledgers before `index` from memory (the history then starts there), for long simulations. */
  forgetLedgersBefore(index: number): void {
    this.store.forgetBefore(index);
  }

  // ---- publishing ----------------------------------------------------------------------------

  /** Validates and publishes the next pending ledger; resolves once its messages are handed to the sockets. */
  publishNext(): Promise<LedgerHeader | undefined> {
    return this.publisher.publishNext();
  }

  publishUntil(index: number): Promise<void> {
    return this.publisher.publishUntil(index);
  }

  publishAll(): Promise<void> {
    return this.publisher.publishUntil(Number.POSITIVE_INFINITY);
  }

  /**
   * Publishes one ledger every intervalMs; when no ledger is pending it closes an empty one, so the
   * ledger stream keeps beating like a live network (unless emptyWhenIdle is false).
   */
  startAutoPublish(intervalMs: number, options: { emptyWhenIdle?: boolean } = {}): void {
    this.publisher.startAuto(intervalMs, options.emptyWhenIdle !== false);
  }

  stopAutoPublish(): void {
    this.publisher.stopAuto();
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
  drain(): Promise<void> {
    return this.publisher.drain();
  }

  private async runScheduled(index: number): Promise<void> {
    const actions = this.scheduled.get(index) ?? [];
    this.scheduled.delete(index);
    for (const action of actions) await action(this);
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
    else this.publisher.faults.skipLedgerMessages += n;
  }

  /** The next n ledgers are not sent at all (ledgerClosed and transactions) to these connections. */
  skipLedgers(n: number, connection?: FakeConnection): void {
    for (const c of connection ? [connection] : this.live) c.skipLedgers += n;
  }

  /** The next n transaction messages are sent twice. */
  duplicateNext(n = 1): void {
    this.publisher.faults.duplicate += n;
  }

  /** In the next n ledger deliveries with two or more transactions, the first two swap places. */
  reorderNext(n = 1): void {
    this.publisher.faults.reorder += n;
  }

  /**
   * The lying server: these transactions are left out of its stream, account_tx, ledger and tx answers,
   * while its state (account_info, account_objects) still shows what they did.
   */
  omitTransactions(hashes: Iterable<string>): void {
    for (const hash of hashes) this.store.omitted.add(hash.toUpperCase());
  }

  /** Ends the lie about these transactions: later answers show them again (the stream sent stays sent). */
  revealTransactions(hashes: Iterable<string>): void {
    for (const hash of hashes) this.store.omitted.delete(hash.toUpperCase());
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

  /** Never answer requests about this account (its `account` field), e.g. one account's account_info. */
  ignoreRequestsAbout(account: string, on = true): void {
    if (on) this.faults.ignoreAccounts.add(account);
    else this.faults.ignoreAccounts.delete(account);
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
    this.publisher.stopAuto();
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
    const parsed = parseRequest(data, this.config.maxRequestBytes);
    if ('invalid' in parsed) {
      this.reply(connection, parsed.invalid, 0);
      return;
    }
    const { request, command } = parsed;
    const recorded = { connection: connection.id, command: command ?? '', params: request };
    if (this.config.recordRequests) this.requests.push(recorded);
    this.emit('request', recorded);
    if (this.faults.ignore.has('*') || (command && this.faults.ignore.has(command))) return;
    if (typeof request.account === 'string' && this.faults.ignoreAccounts.has(request.account)) return;
    const delay = (command && this.faults.delay.get(command)) || this.faults.delayAll;
    const context = { store: this.store, subscriber: connection, settings: this.settings, now: Date.now };
    this.reply(connection, respond(request, command, context, this.faults.loadWarning), delay);
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
