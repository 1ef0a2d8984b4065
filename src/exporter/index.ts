import { assetKey } from '../accounting/index.js';
import type { AccountEffect } from '../accounting/types.js';
import { backfill, type HistoryServer } from '../backfill/index.js';
import { BalanceClock, StartingBalances } from '../balances/index.js';
import type { Flags } from '../cli.js';
import { oneAtATime } from '../concurrency.js';
import { type ConfigResult, maskUrlSecrets } from '../config/index.js';
import type { AccountConfig, Config } from '../config/types.js';
import { HistoryImports } from '../history/imports.js';
import { ImportBook } from '../history/progress.js';
import type { Logger } from '../log.js';
import { createMetrics, type ExporterMetrics, ReceiptTotals } from '../metrics/index.js';
import { formatGap, LedgerCursor } from '../pipeline/cursor.js';
import { DedupeWindow } from '../pipeline/dedupe.js';
import { type Receipt, TransactionProcessor } from '../pipeline/processor.js';
import { StreamSequencer } from '../pipeline/sequencer.js';
import { RippledClient } from '../rippled/index.js';
import {
  createHttpApp,
  loadWebConfig,
  type ReloadResult,
  type RunningHttpServer,
  type StatusQuery,
  type StatusSnapshot,
  startHttpServer,
  type WebConfig,
} from '../server/index.js';
import { inShard } from '../shard.js';
import { StateWriteHealth } from '../state/health.js';
import { stateToSave } from '../state/parts.js';
import { type LoadResult, StateStore } from '../state/store.js';
import { HEALTH_METRICS, HealthMonitor } from '../status/index.js';
import { NetworkGate, Verifier } from '../verification/index.js';
import type { BuildInfo } from '../version.js';
import { Alerting, alertingHooks } from './alerting.js';
import { InvalidMessages } from './invalid.js';
import { receiptOutcome } from './receipts.js';
import { RecentPayments } from './recent.js';
import {
  applySubscriptionChange,
  reloadableConfig,
  type SocketSubscription,
  socketSubscription,
  subscribeRequest,
  subscriptionChanges,
  withShardState,
} from './reload.js';
import { historyServers, readableServers, type ServerChoice, serverChoice } from './servers.js';
import { buildStatus } from './status.js';
import { metricsTopology } from './topology.js';

export interface ExporterOptions {
  readonly config: Config;
  readonly flags: Flags;
  readonly webConfig: WebConfig | null;
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** Re-reads the configuration file (hot reload). */
  readonly loadConfig: () => Promise<ConfigResult>;
  /** Unix ms. */
  readonly now: () => number;
  /** How often window and silence rules are re-evaluated. @default 1000 */
  readonly alertTickMs?: number;
  /** How often the status page's health summary evaluates the shipped alerts. @default 5000 */
  readonly healthIntervalMs?: number;
}

/**
 * The running exporter: the rippled session feeds the sequencer, which feeds the one transaction
 * path; receipts become metrics, status and alerts; the state file records what was counted.
 */
export class Exporter {
  private config: Config;
  private accounts: readonly AccountConfig[] = [];
  private addresses: readonly string[] = [];
  private accountByAddress = new Map<string, AccountConfig>();
  private readonly metrics: ExporterMetrics;
  private readonly cursor: LedgerCursor;
  private readonly dedupe: DedupeWindow;
  private readonly processor: TransactionProcessor;
  private readonly importBook: ImportBook;
  private readonly imports: HistoryImports;
  private readonly sequencer: StreamSequencer;
  private readonly client: RippledClient;
  private readonly alerting: Alerting;
  private readonly verifier: Verifier;
  private readonly network: NetworkGate;
  private readonly store: StateStore | null;
  private readonly stateHealth: StateWriteHealth | null;
  private readonly recent = new RecentPayments();
  private readonly health: HealthMonitor;
  private readonly balanceClock = new BalanceClock();
  private readonly startingBalances: StartingBalances;
  private readonly invalid: InvalidMessages;
  private http: RunningHttpServer | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private lastLedger: { index: number; closeTime: number | null } | null = null;
  private stopping = false;

  private constructor(
    private readonly options: ExporterOptions,
    store: StateStore | null,
    loaded: LoadResult | null,
  ) {
    const { config, logger } = options;
    const restored = loaded?.state ?? null;
    this.config = config;
    this.store = store;
    this.startingBalances = new StartingBalances({
      server: { request: (cmd) => this.client.request(cmd) },
      apply: (account, { xrp, ledger }) => {
        if (this.accountByAddress.has(account) && this.balanceClock.advance(account, 'XRP', ledger)) {
          this.metrics.setBalance(account, { kind: 'xrp' }, xrp);
        }
      },
      logger,
    });
    this.setAccounts(inShard(config.accounts, options.flags.shard));
    const totals = restored
      ? ReceiptTotals.restore(restored.totals, {
          paymentSizeBucketsXrp: config.metrics.paymentSizeBucketsXrp,
        })
      : undefined;
    this.metrics = createMetrics({
      ...metricsTopology(this.config, this.accounts),
      build: options.build,
      ...(totals ? { totals } : {}),
    });
    this.metrics.setConfigReload(true, options.now() / 1000);
    this.invalid = new InvalidMessages(() => this.metrics.incInvalidMessages(), logger);
    this.stateHealth =
      store &&
      new StateWriteHealth(store.path, (ok, at) => this.metrics.stateWrite(ok, at), logger, options.now);
    if (store && this.stateHealth) store.observe(this.stateHealth);
    this.cursor = new LedgerCursor(restored?.checkpoint ?? null);
    this.dedupe = DedupeWindow.restore(restored?.dedupe);
    this.alerting = new Alerting({
      config,
      accounts: this.accounts,
      logger,
      now: options.now,
      restored: restored ? { rules: restored.rules, outbox: restored.outbox } : null,
      hooks: alertingHooks(this.metrics, () => void this.saveState()),
    });
    // Accounts with `since` and no state yet get a history import; the stream leaves their past to it.
    this.importBook = ImportBook.restore(restored?.history);
    this.importBook.beginNew(this.accounts, (account) => this.metrics.totals.get(account) !== undefined);
    this.processor = new TransactionProcessor(
      new Set(this.addresses),
      this.dedupe,
      {
        onBalances: (account, effect, ...at) => this.applyBalances(account, effect, ...at),
        onReceipt: (receipt) => this.applyReceipt(receipt),
        onInvalid: (reason) => this.invalid.report(reason),
        onBackfilled: () => this.metrics.incBackfilled(1),
        onValidated: (...validated) => this.verifier.observe(...validated),
      },
      this.importBook,
    );
    this.imports = new HistoryImports({
      book: this.importBook,
      servers: () => this.historyServers(),
      apiVersion: config.xrpl.apiVersion,
      process: (entry, ledger, account) => {
        this.processor.process(entry, ledger, 'history', account);
        this.metrics.incHistoryImported(1);
      },
      isWatched: (account) => this.accountByAddress.has(account),
      onRemaining: (account, ledgers) =>
        this.metrics.setHistoryRemaining(
          account,
          this.accountByAddress.get(account)?.name ?? account,
          ledgers,
        ),
      save: () => this.saveState(),
      logger,
    });
    this.network = new NetworkGate({
      configured: config.xrpl.networkId,
      recorded: restored?.networkId ?? null,
      onRefused: (server) => this.metrics.verification.incServerRefused(maskUrlSecrets(server), 'network_id'),
      onRecorded: () => void this.saveState(),
      logger,
      display: maskUrlSecrets,
    });
    this.verifier = new Verifier({
      restored: restored?.verification,
      intervalMs: config.verification.intervalMs,
      apiVersion: config.xrpl.apiVersion,
      live: { request: (cmd) => this.client.request(cmd) },
      repairServers: () => this.historyServers(),
      process: (tx, account) => this.processor.process(tx.entry, tx.ledgerIndex, 'repair', account),
      checkpoint: () => this.cursor.checkpoint,
      historyImport: (account) => this.importBook.get(account),
      metrics: this.metrics.verification,
      logger,
      onChange: () => this.saveState(),
    });
    this.verifier.setAccounts(this.addresses, this.cursor.checkpoint);
    this.sequencer = new StreamSequencer({
      cursor: this.cursor,
      maxBackfillLedgers: config.state.maxBackfillLedgers,
      process: (tx, ledger, source) => this.processor.process(tx, ledger, source),
      backfill: (range) => this.backfill(range),
      onLedger: (index, closeTime) => {
        this.lastLedger = { index, closeTime };
        this.metrics.setValidatedLedger(index, closeTime);
      },
      onBackfillDone: () => this.verifier.afterBackfill(),
      onCheckpoint: (checkpoint) => {
        this.dedupe.prune(checkpoint);
        this.verifier.onCheckpoint(checkpoint);
        void this.saveState();
      },
      onGap: (range, reason) => {
        this.metrics.incLedgerGaps();
        logger.error('ledgers not covered: payments in them are not counted', {
          ledgers: formatGap(range),
          reason,
        });
      },
      onInvalid: (reason) => this.invalid.report(reason),
      onUntrusted: (reason) => this.client.abandonSession(reason),
      logger,
      now: options.now,
      ...(loaded?.lost ? { lostState: loaded.lost } : {}),
    });
    this.client = new RippledClient({
      servers: config.xrpl.servers,
      apiVersion: config.xrpl.apiVersion,
      requestTimeoutMs: config.xrpl.requestTimeoutMs,
      staleAfterMs: config.xrpl.staleAfterMs,
      subscription: () => subscribeRequest(this.subscription()),
      refuse: (server, networkId) => this.network.judge(server, networkId),
      logger,
      handlers: {
        onSubscribed: (info) => {
          logger.info('subscribed', {
            server: info.server,
            ledger: info.ledgerIndex,
            accounts: this.accounts.length,
          });
          this.sequencer.onSubscribed({
            subscribe:
              info.ledgerIndex === null ? null : { index: info.ledgerIndex, closeTime: info.ledgerCloseTime },
            serverInfo: info.serverInfo?.validatedLedger ?? null,
          });
          // Accounts new to this run begin at the ledger the session starts from (trusted ledgers only).
          this.imports.startWatching([
            this.sequencer.sessionStart,
            this.lastLedger?.index,
            this.cursor.checkpoint,
          ]);
          this.verifier.setAccounts(this.addresses, this.cursor.checkpoint);
          this.startingBalances.onSubscribed();
        },
        onLedgerClosed: (msg) => this.sequencer.onLedgerClosed(msg),
        onTransaction: (msg) => this.sequencer.onTransaction(msg),
        onInvalidMessage: (reason, server) => this.invalid.report(`${server}: ${reason}`),
        onConnectionChange: (server, connected) => {
          this.metrics.setStreamConnected(maskUrlSecrets(server), connected);
          if (!connected) this.sequencer.onDisconnected();
        },
        onReconnect: (server) => this.metrics.incReconnects(maskUrlSecrets(server)),
        onConnectFailed: (server) => this.metrics.incConnectFailures(maskUrlSecrets(server)),
      },
    });
    this.health = new HealthMonitor({
      sample: () => {
        // As a scrape does: xrpl_up is set when it is read.
        this.metrics.setUp(this.client.isUp());
        return this.metrics.sample(HEALTH_METRICS);
      },
      now: options.now,
      ...(options.healthIntervalMs === undefined ? {} : { intervalMs: options.healthIntervalMs }),
      logger,
    });
    this.watchBalances();
  }

  static async start(given: ExporterOptions): Promise<Exporter> {
    const options = { ...given, config: withShardState(given.config, given.flags.shard) };
    const { config, logger } = options;
    let loaded: LoadResult | null = null;
    let store: StateStore | null = null;
    if (config.state.path !== null) {
      store = new StateStore(config.state.path, logger);
      loaded = await store.load();
      // Anything short of the primary file is worth an operator's attention.
      logger[loaded.warnings.length > 0 ? 'warn' : 'info']('state loaded', {
        path: config.state.path,
        source: loaded.source,
        checkpoint: loaded.state?.checkpoint,
      });
    }
    const exporter = new Exporter(options, store, loaded);
    await exporter.listen();
    exporter.client.start();
    exporter.verifier.start();
    exporter.health.start();
    exporter.tickTimer = setInterval(() => exporter.alerting.tick(), options.alertTickMs ?? 1000);
    exporter.tickTimer.unref();
    return exporter;
  }

  get address(): { host: string; port: number } | null {
    return this.http?.address ?? null;
  }

  /**
   * Hot reload: a valid config is applied live; an invalid one keeps the running config. Reloads run
   * one at a time, whether from SIGHUP or HTTP.
   */
  readonly reload: () => Promise<ReloadResult> = oneAtATime(() => this.applyReload());

  private async applyReload(): Promise<ReloadResult> {
    const { logger } = this.options;
    const loaded = await this.options.loadConfig();
    const nowSeconds = this.options.now() / 1000;
    if (!loaded.ok) return this.reloadFailed('config reload failed', loaded.errors, nowSeconds);
    const web = this.reloadWebConfig();
    if (!web.ok) return this.reloadFailed('web config reload failed', web.errors, nowSeconds);
    const { next, changed } = reloadableConfig(
      this.config,
      withShardState(loaded.config, this.options.flags.shard),
    );
    if (changed.length > 0) {
      logger.warn('config keys changed that need a restart to take effect', { keys: changed.join(',') });
    }
    const before = this.subscription();
    const accounts = inShard(next.accounts, this.options.flags.shard);
    const imported = this.importBook.beginNew(
      accounts,
      (account) => this.accountByAddress.has(account) || this.metrics.totals.get(account) !== undefined,
    );
    this.config = next;
    this.setAccounts(accounts);
    this.verifier.setAccounts(this.addresses, this.cursor.checkpoint);
    this.metrics.reconfigure(metricsTopology(this.config, this.accounts));
    this.alerting.reconfigure(next, this.accounts);
    const changes = subscriptionChanges(before, this.subscription());
    for (const change of changes) {
      // Failures leave the next reconnect to subscribe the right way (it asks subscription()).
      await applySubscriptionChange(this.client, change).catch((err) =>
        logger.warn(`${change.kind} failed`, { err }),
      );
    }
    // Added accounts are subscribed now: every later ledger reaches them live, their past is history.
    if (imported.length > 0 && this.client.isUp()) this.imports.startWatching([this.lastLedger?.index]);
    this.imports.wake();
    this.watchBalances();
    this.metrics.setConfigReload(true, nowSeconds);
    logger.info('config reloaded', {
      accounts: this.accounts.length,
      rules: next.rules.length,
      changes: changes.length,
    });
    return { ok: true, needsRestart: changed };
  }

  /** A rejected reload keeps the running config; the metric and one log line per error say why. */
  private reloadFailed(message: string, errors: string[], nowSeconds: number): ReloadResult {
    this.metrics.setConfigReload(false, nowSeconds);
    for (const error of errors) this.options.logger.error(message, { error });
    return { ok: false, errors };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.health.stop();
    const importsStopped = this.imports.stop();
    this.verifier.stop();
    // A running backfill belongs to the session that ends here; it is discarded, not awaited.
    this.startingBalances.stop();
    await this.client.stop();
    await importsStopped;
    await this.alerting.stop();
    // The last save must be on disk: if it is not, the process says so and exits non-zero.
    const final = this.saveState();
    await this.store?.flush();
    await this.http?.close();
    await final;
  }

  private async listen(): Promise<void> {
    const { flags, logger, build } = this.options;
    const app = createHttpApp({
      telemetryPath: flags.telemetryPath,
      renderMetrics: (gzip) => {
        this.metrics.setUp(this.client.isUp());
        return this.metrics.renderForScrape(gzip);
      },
      isReady: () => this.client.isUp(),
      getStatus: (query) => this.status(query),
      reload: () => this.reload(),
      version: build.version,
      revision: build.revision,
      logger,
    });
    this.http = await startHttpServer({
      app,
      listenAddress: flags.listenAddress,
      webConfig: this.options.webConfig,
      logger,
    });
  }

  /** `--web.config.file` is re-read with the config, so auth users and certificates change without a restart. */
  private reloadWebConfig(): ReloadResult {
    const path = this.options.flags.webConfigFile;
    if (path === null || this.http === null) return { ok: true };
    const web = loadWebConfig(path);
    if (!web.ok) return { ok: false, errors: web.errors.map((e) => `${path}: ${e}`) };
    return this.http.updateWebConfig(web.config);
  }

  private subscription(): SocketSubscription {
    return socketSubscription(this.addresses, this.config.xrpl.fullStreamThreshold);
  }

  /** The watched accounts and what is derived from them, computed once per (re)configuration. */
  private setAccounts(accounts: readonly AccountConfig[]): void {
    this.accounts = accounts;
    this.addresses = accounts.map((a) => a.address);
    this.accountByAddress = new Map(accounts.map((a) => [a.address, a]));
    // Undefined only while the constructor sets the first account list, before the processor exists.
    this.processor?.setWatched(new Set(this.addresses));
  }

  private backfill(range: { from: number; to: number }) {
    return backfill({
      ...this.serverChoice(),
      range,
      accounts: this.addresses,
      apiVersion: this.config.xrpl.apiVersion,
      logger: this.options.logger,
    });
  }

  private historyServers(): HistoryServer[] {
    return historyServers(this.serverChoice());
  }

  private serverChoice(): ServerChoice {
    const readable = readableServers(this.config.xrpl.servers, (url) => this.network.isRefused(url));
    return serverChoice(this.client, readable, () => this.stopping);
  }

  /** Newly watched accounts' balances are read; those of accounts no longer watched are forgotten. */
  private watchBalances(): void {
    for (const account of this.startingBalances.watch(this.addresses)) {
      this.balanceClock.forget(account);
      this.metrics.forgetBalances(account);
    }
  }

  private applyBalances(account: string, effect: AccountEffect, ledger: number, index: number | null): void {
    // Per asset: a token-only transaction must not make an older account_info XRP answer look stale.
    const newer = effect.balancesAfter.filter((b) =>
      this.balanceClock.advance(account, assetKey(b.asset), ledger, index),
    );
    // applyBalancesAfter, not setBalance: an issuer's negative trust-line sides are not balances.
    if (newer.length > 0) this.metrics.applyBalancesAfter(account, newer);
  }

  private applyReceipt(receipt: Receipt): void {
    const account = this.accountByAddress.get(receipt.effect.account);
    if (!account) return;
    const { counted, payments } = receiptOutcome(receipt, account, {
      explorerUrl: this.config.xrpl.explorerUrl,
      closeTimeFallback: () => this.lastLedger?.closeTime ?? this.options.now() / 1000,
    });
    this.metrics.recordReceipts(counted);
    for (const { status, alert } of payments) {
      this.recent.add(status);
      this.alerting.onPayment(alert);
    }
  }

  /**
   * Writes the state file, if one is configured; the store skips unchanged content and coalesces. The state
   * is built when the write starts, so a burst of saves (a batch of delivered alerts) builds it at most twice.
   */
  private saveState(): Promise<unknown> {
    if (!this.store) return Promise.resolve();
    const saved = this.store.save(() =>
      stateToSave({
        cursor: this.cursor,
        totals: this.metrics.totals,
        dedupe: this.dedupe,
        alerting: this.alerting,
        history: this.importBook,
        verification: this.verifier,
        network: this.network,
      }),
    );
    // A failure is counted and logged by StateWriteHealth; the next save tries again.
    saved.catch(() => undefined);
    return saved;
  }

  private status(query: StatusQuery): StatusSnapshot {
    const server = this.client.currentServer();
    return buildStatus({
      now: this.options.now() / 1000,
      server: server === null ? null : maskUrlSecrets(server),
      servers: this.client.servers(),
      up: this.client.isUp(),
      apiVersion: this.config.xrpl.apiVersion,
      lastLedger: this.lastLedger,
      accounts: this.accounts,
      metrics: this.metrics,
      recent: this.recent,
      rules: this.alerting.ruleStatuses(),
      warnings: [this.stateHealth?.warning()].filter((w): w is string => typeof w === 'string'),
      history: (account) => this.imports.status(account),
      verification: (account) => this.verifier.status(account),
      sinks: this.alerting.sinks(),
      alerts: this.health.evaluator,
      configured: { stateFile: this.store !== null },
      query,
    });
  }
}
