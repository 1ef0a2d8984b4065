import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flags } from '../cli.js';
import { type ConfigEnv, type ConfigResult, maskUrlSecrets } from '../config/index.js';
import { Exporter } from '../exporter/index.js';
import type { Logger } from '../log.js';
import { FakeRippled } from '../simulator/fake-rippled.js';
import { createRng, type Rng } from '../simulator/rng.js';
import type { BuildInfo } from '../version.js';
import { buildDemoConfig, loadDemoConfigFile, reportConfigYaml } from './config.js';
import { loadFixturePool } from './fixture-pool.js';
import { FixtureReplay } from './fixture-replay.js';
import type { DemoOptions } from './options.js';
import type { DemoLedgerSource } from './source.js';
import { SyntheticLedger } from './synthetic.js';

export { DEMO_USAGE, type DemoCommandLine, type DemoOptions, parseDemoArgs } from './options.js';

export interface DemoDeps {
  readonly env: ConfigEnv;
  readonly logger: Logger;
  readonly build: BuildInfo;
  /** Unix ms. */
  readonly now: () => number;
  /** Seeds the choice of transactions and their hashes. */
  readonly seed: number;
}

/**
 * `npm run demo`: a simulated ledger (the fake rippled on 127.0.0.1, a free port) and the exporter
 * watching the demo accounts on it, in one process. Every interval a ledger closes with a few
 * transactions to the demo accounts.
 */
export class Demo {
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly fake: FakeRippled,
    private readonly exporter: Exporter,
    private readonly source: DemoLedgerSource,
    private readonly options: DemoOptions,
    private readonly deps: DemoDeps,
    /** Holds the `report` config printed at start; removed at stop. */
    private readonly reportDir: string,
  ) {}

  static async start(options: DemoOptions, deps: DemoDeps): Promise<Demo> {
    const { logger } = deps;
    const rng = createRng(deps.seed);
    // The simulated ledger starts HISTORY_LEDGERS intervals ago, so it holds history for `since` to import.
    const intervalSeconds = Math.max(1, Math.round(options.intervalMs / 1000));
    const fake = await FakeRippled.start({
      host: '127.0.0.1',
      port: 0,
      startTime: new Date((Math.floor(deps.now() / 1000) - (HISTORY_LEDGERS + 1) * intervalSeconds) * 1000),
      ledgerIntervalSeconds: intervalSeconds,
      recordRequests: false,
    });
    const firstLedger = fake.validatedLedgerIndex;
    const loadConfig = (): Promise<ConfigResult> =>
      options.configFile === null
        ? Promise.resolve(buildDemoConfig(fake.url, deps.env, firstLedger))
        : loadDemoConfigFile(options.configFile, fake.url, deps.env);
    const configured = await loadConfig();
    if (!configured.ok) {
      await fake.close();
      const file = options.configFile ?? 'the generated demo configuration';
      throw new Error(`${file}: invalid configuration: ${configured.errors.join('; ')}`);
    }
    const { config } = configured;
    const source = chooseSource(
      options,
      config.accounts.map((a) => a.address),
      rng,
      logger,
    );
    for (const [account, drops] of source.startingBalances) fake.setAccountBalance(account, drops);
    for (let i = 0; i < HISTORY_LEDGERS; i++) fake.addLedger(source.nextLedger());
    await fake.publishAll();
    const reportDir = mkdtempSync(join(tmpdir(), 'xrpl-payments-exporter-demo-'));
    const reportConfig = join(reportDir, 'report.yaml');
    writeFileSync(reportConfig, reportConfigYaml(config));
    logger.info('starting demo', {
      version: deps.build.version,
      rippled: fake.url,
      config: options.configFile ?? 'generated',
      transactions: source.kind,
      fixtures: options.fixturesDir ?? undefined,
      interval_ms: options.intervalMs,
      accounts: config.accounts.map((a) => `${a.name}=${a.address}`).join(','),
      email: config.email ? `${config.email.smtp.host}:${config.email.smtp.port}` : 'off',
      alertmanager: config.alertmanager ? config.alertmanager.urls.map(maskUrlSecrets).join(',') : 'off',
    });
    let exporter: Exporter;
    try {
      exporter = await Exporter.start({
        config,
        flags: demoFlags(options),
        webConfig: null,
        logger,
        build: deps.build,
        loadConfig,
        now: deps.now,
      });
    } catch (err) {
      await fake.close();
      throw err;
    }
    logger.info('report against the simulated ledger', {
      command: `node dist/main.js report --config.file=${reportConfig} --since=${firstLedger}`,
      history_ledgers: `${firstLedger}-${firstLedger + HISTORY_LEDGERS}`,
    });
    const demo = new Demo(fake, exporter, source, options, deps, reportDir);
    demo.schedule();
    return demo;
  }

  get address(): { host: string; port: number } | null {
    return this.exporter.address;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.closing;
    await this.exporter.stop();
    await this.fake.close();
    rmSync(this.reportDir, { recursive: true, force: true });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.closing = this.closeLedger().finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async closeLedger(): Promise<void> {
    try {
      const txs = this.source.nextLedger();
      const header = this.fake.addLedger(txs, { closeTime: new Date(this.deps.now()) });
      await this.fake.publishNext();
      // A demo runs for days: the simulated server keeps only recent history, like a real one.
      if (header.index % KEPT_LEDGERS === 0) this.fake.forgetLedgersBefore(header.index - KEPT_LEDGERS);
      this.deps.logger.info('demo ledger closed', { ledger: header.index, transactions: txs.length });
    } catch (err) {
      // A bug in a generated transaction must not stop the demo: say so and go on with the next ledger.
      this.deps.logger.error('demo ledger failed', { err });
    }
  }
}

/** Ledgers of history before the exporter starts: the demo accounts import them (`since`). */
const HISTORY_LEDGERS = 100;

/** Ledgers the simulated server holds (about 50 minutes at the default interval). */
const KEPT_LEDGERS = 1000;

function chooseSource(
  options: DemoOptions,
  accounts: readonly string[],
  rng: Rng,
  logger: Logger,
): DemoLedgerSource {
  if (options.fixturesDir === null) {
    logger.info('no fixture directory: synthetic transactions', {
      hint: 'set --fixtures=DIR or XRPL_DEMO_FIXTURES',
    });
    return new SyntheticLedger(accounts, rng);
  }
  let problem: string;
  try {
    const pool = loadFixturePool(options.fixturesDir);
    if (pool.transactions.length > 0) {
      logger.info('replaying real transactions', {
        dir: options.fixturesDir,
        files: pool.files,
        transactions: pool.transactions.length,
        skipped_files: pool.skipped.length,
      });
      return new FixtureReplay(pool.transactions, accounts, rng);
    }
    problem = `${pool.files} .json files, none with a transaction that credits an account`;
  } catch (err) {
    problem = err instanceof Error ? err.message : String(err);
  }
  logger.warn('no replayable transactions in the fixture directory: synthetic transactions instead', {
    dir: options.fixturesDir,
    from: options.fixturesFrom,
    reason: problem,
  });
  return new SyntheticLedger(accounts, rng);
}

function demoFlags(options: DemoOptions): Flags {
  return {
    configFile: options.configFile ?? '(demo: generated)',
    configFileGiven: options.configFile !== null,
    listenAddress: options.listenAddress,
    telemetryPath: '/metrics',
    webConfigFile: null,
    logLevel: options.logLevel,
    logFormat: options.logFormat,
    accounts: [],
    allAccounts: false,
    shard: null,
    report: null,
  };
}
