/*
 * The built exporter (dist/main.js) watching two test accounts, alice and bob, on a fake rippled, for
 * end-to-end tests: publish fixture payments to them, read metrics and the status JSON, rewrite the
 * config and reload, SIGKILL and restart.
 */

import { afterEach } from 'vitest';
import type { StatusSnapshot } from '../../src/server/status.js';
import { FakeRippled, type FakeRippledOptions } from '../../src/simulator/fake-rippled.js';
import { type ConfigFile, configFile, watcherYaml } from './config-file.js';
import { parseExposition, sampleValue } from './exposition.js';
import { createRng, type Rng, type ScenarioStep, scenario, testAccounts } from './history.js';
import { type RunningProcess, startExporter, waitFor } from './processes.js';
import { MAIN, startWatcher } from './watcher.js';

export { MAIN };

/**
 * The fake rippleds and the built exporter a test starts, closed after each test (registers the
 * afterEach, so call it in a describe): `fake()` starts a server, `start(config)` the exporter on it and
 * waits until it is ready, returning its base URL; `exporter` is the one started last.
 */
export function closedAfterEach() {
  const fakes: FakeRippled[] = [];
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
    exporter = null;
    for (const fake of fakes.splice(0)) await fake.close();
  });
  return {
    async fake(options?: FakeRippledOptions): Promise<FakeRippled> {
      const started = await FakeRippled.start(options);
      fakes.push(started);
      return started;
    },
    async start(config: ConfigFile): Promise<string> {
      const started = await startWatcher(config);
      exporter = started.process;
      return started.base;
    },
    get exporter(): RunningProcess {
      if (exporter === null) throw new Error('no exporter started');
      return exporter;
    },
  };
}

/** 1531.267 XRP to alice with destination tag 381702, sent by rDAE53VfMvftPB4ogpWGWvzkQxfht6JPxr. */
export const XRP_PAYMENT: ScenarioStep = {
  fixture: 'explorer/Payment/PaymentWithDestinationTag.json',
  map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: 'alice' },
};
/** A partial payment delivering 0.004456 XRP to alice. */
export const PARTIAL_PAYMENT: ScenarioStep = {
  fixture: 'xrpl.js/rippled/streams/partialPaymentTransaction.json',
  map: { rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe: 'alice' },
};
/** 1531.267 XRP to bob. */
export const BOB_PAYMENT: ScenarioStep = {
  fixture: 'explorer/Payment/PaymentWithDestinationTag.json',
  map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: 'bob' },
};

export interface Watched {
  readonly fake: FakeRippled;
  readonly accounts: { readonly alice: string; readonly bob: string };
  /** Publishes one ledger (closing now) with these transactions, then an empty one that completes it. */
  publish(steps: readonly ScenarioStep[]): Promise<string[]>;
}

/** A fake rippled with alice and bob; several exporters may watch it. */
export async function startWatched(seed: number): Promise<Watched> {
  const rng: Rng = createRng(seed);
  const [alice, bob] = testAccounts(2, rng) as [string, string];
  const fake = await FakeRippled.start();
  return {
    fake,
    accounts: { alice, bob },
    async publish(steps) {
      const history = scenario({ alice, bob }, [steps], rng);
      fake.addLedger(history.ledgers[0]!.transactions, { closeTime: new Date() });
      fake.addLedger([], { closeTime: new Date() });
      await fake.publishAll();
      return history.ledgers[0]!.transactions.map((t) => t.hash);
    },
  };
}

export interface RunningExporter {
  readonly config: ConfigFile;
  readonly process: RunningProcess;
  readonly base: string;
  metric(name: string, labels?: Record<string, string>): Promise<number | undefined>;
  status(): Promise<StatusSnapshot>;
  /** Rewrites the config with these sections after the watcher part, then POST /-/reload. */
  reload(sections: readonly string[]): Promise<Response>;
  /** SIGKILL, then start again on the same config (and state file). */
  restart(): Promise<RunningExporter>;
  stop(): Promise<void>;
}

/**
 * Starts dist/main.js watching alice and bob on `watched`, with `sections` (email, alertmanager, rules,
 * state...) after the xrpl and accounts part, and waits until it is ready.
 */
export async function startWatchingExporter(
  watched: Watched,
  sections: readonly string[],
  options: { prefix?: string; xrplExtra?: readonly string[]; config?: ConfigFile } = {},
): Promise<RunningExporter> {
  const watcher = watcherYaml([watched.fake.url], watched.accounts, options.xrplExtra ?? []);
  const config = options.config ?? configFile(options.prefix ?? 'e2e');
  if (options.config === undefined) config.write([...watcher, ...sections]);
  const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
  const base = `http://${started.address}`;
  const running: RunningExporter = {
    config,
    process: started.process,
    base,
    async metric(name, labels = {}) {
      return sampleValue(parseExposition(await (await fetch(`${base}/metrics`)).text()), name, labels);
    },
    async status() {
      return (await (await fetch(`${base}/api/status`)).json()) as StatusSnapshot;
    },
    async reload(next) {
      config.write([...watcher, ...next]);
      return fetch(`${base}/-/reload`, { method: 'POST' });
    },
    async restart() {
      const child = started.process.child;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      return startWatchingExporter(watched, sections, { ...options, config });
    },
    stop: () => started.process.stop(),
  };
  try {
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
  } catch (error) {
    await started.process.stop();
    throw error;
  }
  return running;
}
