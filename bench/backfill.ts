import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRippled } from '../src/simulator/fake-rippled.js';
import {
  metricSum,
  profilingArgs,
  scrape,
  scratchDir,
  startExporter,
  stopProcess,
  waitForLog,
  waitForOk,
  writeConfig,
} from './support/exporter.js';
import { atLeast, count, type Log, ms } from './support/report.js';
import { benchAccounts, mixedTemplates, workload } from './support/workload.js';

const API_VERSION = 2;
const TRANSACTIONS = 50_000;
const PER_LEDGER = 100;
const TARGET_PER_SECOND = 5_000;

interface Variant {
  readonly accounts: number;
  /** What backfill/index.ts chooseMode picks for 500 ledgers and this many accounts. */
  readonly mode: string;
}

const VARIANTS: readonly Variant[] = [
  { accounts: 1_000, mode: 'account_tx per account, pipelined' },
  { accounts: 20_000, mode: 'ledger by ledger (transactions stream deployment)' },
];

export interface BackfillResult {
  readonly accounts: number;
  readonly transactions: number;
  /** Transactions per second from the backfill's start (log line) until the totals reflect them. */
  readonly backfillPerSecond: number;
  /** The same, from the process start (start-up included). */
  readonly restartPerSecond: number;
}

/**
 * Figure (f): the exporter runs with a state file, is stopped, 50,000 transactions to its accounts go by
 * in 500 ledgers, and it starts again: it must read them back from the fake rippled's history before
 * going live. Timed until it logs "backfill done" (when every receipt is counted; checked on /metrics).
 */
export async function runBackfillBench(log: Log): Promise<BackfillResult[]> {
  const results: BackfillResult[] = [];
  for (const variant of VARIANTS) results.push(await runVariant(log, variant));
  return results;
}

async function runVariant(log: Log, variant: Variant): Promise<BackfillResult> {
  const pool = mixedTemplates(5_000, variant.accounts, 9, API_VERSION);
  const delivered = pool.templates.filter((t) => t.touchesWatched);
  const load = workload(delivered, TRANSACTIONS, PER_LEDGER, 'F');
  const fake = await FakeRippled.start({ recordRequests: false, threading: false });
  try {
    const dir = scratchDir('backfill');
    const config = writeConfig(dir, {
      servers: [fake.url],
      apiVersion: API_VERSION,
      accounts: benchAccounts(pool.accounts),
      statePath: true,
    });
    const first = await startExporter(config, dir, { timeoutMs: 120_000 });
    await waitForOk(first, '/-/ready', 120_000);
    await stopProcess(first.process);
    if (!existsSync(join(dir, 'state.json'))) throw new Error('the exporter left no state file on SIGTERM');

    fake.addLedgers(load.ledgers);
    fake.addLedger([]);
    await fake.publishAll();

    const exporter = await startExporter(config, dir, {
      nodeArgs: profilingArgs(`backfill-${variant.accounts}`),
      timeoutMs: 120_000,
    });
    try {
      // The sequencer counts the whole backfilled range, then logs "backfill done": the log line marks
      // the end, and one scrape checks the totals (polling /metrics would take the exporter's CPU).
      const [started, done] = await Promise.all([
        waitForLog(exporter, 'backfill started', 300_000, 10),
        waitForLog(exporter, 'backfill done', 300_000, 10),
      ]);
      const { body } = await scrape(exporter.base);
      const counted = metricSum(body, 'xrpl_payments_received_total');
      if (counted !== load.receipts) {
        throw new Error(
          `xrpl_payments_received_total is ${counted} after the backfill, expected ${load.receipts}`,
        );
      }
      const backfilled = metricSum(body, 'xrpl_backfilled_transactions_total');
      const result: BackfillResult = {
        accounts: variant.accounts,
        transactions: load.transactions,
        backfillPerSecond: (load.transactions / (done - started)) * 1000,
        restartPerSecond: (load.transactions / (done - exporter.spawnedAt)) * 1000,
      };
      log(
        `(f) backfill: ${count(load.transactions)} transactions in ${load.ledgers.length} ledgers behind the ` +
          `checkpoint, ${count(variant.accounts)} accounts, ${variant.mode}`,
      );
      log(
        `  backfill started -> backfill done    ${ms(done - started)}  ${count(result.backfillPerSecond)} tx/s  ` +
          atLeast(result.backfillPerSecond, TARGET_PER_SECOND, count, 'tx/s '),
      );
      log(
        `  process start -> backfill done       ${ms(done - exporter.spawnedAt)}  ${count(result.restartPerSecond)} tx/s ` +
          `(xrpl_backfilled_transactions_total ${count(backfilled)}, ${count(load.receipts)} receipts)`,
      );
      return result;
    } finally {
      await stopProcess(exporter.process);
    }
  } finally {
    await fake.close();
  }
}
