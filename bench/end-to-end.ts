import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRippled } from '../src/simulator/fake-rippled.js';
import { GiveUp, startProcess, waitFor } from '../test/support/processes.js';
import {
  cpuMs,
  profilingArgs,
  scratchDir,
  startExporter,
  stopProcess,
  track,
  waitForMetricSum,
  waitForOk,
  writeConfig,
} from './support/exporter.js';
import { atMost, count, type Log, megabytes, ms, ratio } from './support/report.js';
import { benchAccounts, mixedTemplates, workload } from './support/workload.js';
import { runThreadOptionBench } from './thread-option.js';

/** At least 100,000 transaction messages (issue 8, figure b). */
const MESSAGES = 100_000;
const WATCHED_ACCOUNTS = 1_000;
/** Distinct remapped fixture transactions, cycled under fresh hashes. */
const POOL = 5_000;
const PER_LEDGER = 100;
const API_VERSION = 2;
const TARGET_RATIO = 1.5;
/** Messages for the worker-thread measurement (in this process, no sockets). */
const THREAD_OPTION_MESSAGES = 20_000;

export interface EndToEndResult {
  readonly messages: number;
  readonly bareMs: number;
  readonly exporterMs: number;
  readonly ratio: number;
  /** The same ratio in CPU time (all threads): less sensitive to other load on the machine. */
  readonly cpuRatio: number;
}

/**
 * Figure (b): a fake rippled sends the same >= 100,000 transaction messages as fast as the socket
 * takes them, once to a bare ws client that only parses them and once to the built exporter; each
 * consumer is its own process, the fake runs here. The exporter's time ends when /metrics shows every
 * receipt (the sum of xrpl_payments_received_total equals the one computed here).
 */
export async function runEndToEndBench(log: Log): Promise<EndToEndResult> {
  const pool = mixedTemplates(POOL, WATCHED_ACCOUNTS, 8, API_VERSION);
  // Only transactions an `accounts` subscription delivers: each is one message to both consumers.
  const delivered = pool.templates.filter((t) => t.touchesWatched);
  const load = workload(delivered, MESSAGES, PER_LEDGER, 'B');
  log(
    `(b) end to end: ${count(load.messagesToWatchers)} transaction messages (${megabytes(load.bytes)}, ` +
      `${delivered.length} distinct fixture-based transactions), ${load.ledgers.length} ledgers, ` +
      `${WATCHED_ACCOUNTS} watched accounts, API v${API_VERSION}`,
  );
  const dir = scratchDir('e2e');

  const bare = await timeBareClient(dir, pool.accounts, load.ledgers, load.messagesToWatchers);
  log(
    `  bare ws client (receive + JSON.parse)   ${ms(bare.totalMs)}  ${rate(load.messagesToWatchers, bare.totalMs)}` +
      `  (CPU ${ms(bare.cpuMs)})`,
  );

  const exporter = await timeExporter(dir, pool.accounts, load.ledgers, load.receipts);
  log(
    `  exporter until /metrics shows all       ${ms(exporter.totalMs)}  ${rate(load.messagesToWatchers, exporter.totalMs)}` +
      `  (CPU ${ms(exporter.cpuMs)}; fake done sending after ${ms(exporter.sentMs)}; ${count(load.receipts)} receipts)`,
  );
  const r = exporter.totalMs / bare.totalMs;
  const cpuRatio = exporter.cpuMs / bare.cpuMs;
  log(`  exporter / bare client  ${ratio(r)}  ${atMost(r, TARGET_RATIO, ratio)}`);
  log(`  the same in CPU time    ${ratio(cpuRatio)}  (not the target: both processes' CPU over the run)`);
  await runThreadOptionBench(
    log,
    load.ledgers.flatMap((l) => l.transactions).slice(0, THREAD_OPTION_MESSAGES),
    new Set(pool.accounts),
  );
  return {
    messages: load.messagesToWatchers,
    bareMs: bare.totalMs,
    exporterMs: exporter.totalMs,
    ratio: r,
    cpuRatio,
  };
}

function rate(messages: number, elapsedMs: number): string {
  return `(${count((messages / elapsedMs) * 1000)} msg/s)`;
}

async function loadedFake(ledgers: Parameters<FakeRippled['addLedgers']>[0]): Promise<FakeRippled> {
  const fake = await FakeRippled.start({ recordRequests: false, threading: false });
  fake.addLedgers(ledgers);
  fake.addLedger([]); // closes the last loaded ledger
  fake.prepareMessages(API_VERSION);
  return fake;
}

async function timeBareClient(
  dir: string,
  accounts: readonly string[],
  ledgers: Parameters<FakeRippled['addLedgers']>[0],
  expected: number,
): Promise<{ totalMs: number; cpuMs: number }> {
  const fake = await loadedFake(ledgers);
  try {
    const accountsFile = join(dir, 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify(accounts));
    const client = startProcess(
      'node',
      [
        join(import.meta.dirname, 'bare-client.js'),
        fake.url,
        accountsFile,
        String(API_VERSION),
        String(expected),
      ],
      dir,
    );
    track(client);
    try {
      const seen = (text: string) => () => {
        if (client.child.exitCode !== null && !client.output().includes(text))
          throw new GiveUp(`bare client exited:\n${client.output()}`);
        return client.output().includes(text) ? performance.now() : undefined;
      };
      await waitFor('the bare client to subscribe', seen('subscribed'), 30_000, 5);
      const started = performance.now();
      await fake.publishAll();
      const done = await waitFor('the bare client to receive everything', seen('done'), 300_000, 2);
      const cpu = [...client.output().matchAll(/cpu_ms=(\d+)/g)].map((m) => Number(m[1]));
      return { totalMs: done - started, cpuMs: (cpu.at(-1) ?? 0) - (cpu[0] ?? 0) };
    } finally {
      await stopProcess(client);
    }
  } finally {
    await fake.close();
  }
}

async function timeExporter(
  dir: string,
  accounts: readonly string[],
  ledgers: Parameters<FakeRippled['addLedgers']>[0],
  receipts: number,
): Promise<{ totalMs: number; sentMs: number; cpuMs: number }> {
  const fake = await loadedFake(ledgers);
  try {
    const config = writeConfig(dir, {
      servers: [fake.url],
      apiVersion: API_VERSION,
      accounts: benchAccounts(accounts),
    });
    const exporter = await startExporter(config, dir, { nodeArgs: profilingArgs('end-to-end') });
    try {
      await waitForOk(exporter, '/-/ready', 60_000);
      const cpuBefore = cpuMs(exporter.pid);
      const started = performance.now();
      await fake.publishAll();
      const sent = performance.now();
      // Polled only once the fake has handed everything to the socket: the exporter is then at most a
      // socket buffer behind, and polling earlier would take CPU from the work being timed.
      const done = await waitForMetricSum(exporter, 'xrpl_payments_received_total', receipts, 300_000, 20);
      return { totalMs: done - started, sentMs: sent - started, cpuMs: cpuMs(exporter.pid) - cpuBefore };
    } finally {
      await stopProcess(exporter.process);
    }
  } finally {
    await fake.close();
  }
}
