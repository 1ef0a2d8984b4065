import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Big from 'big.js';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile } from '../support/config-file.js';
import { buildHistory, type History } from '../support/history.js';
import { explainTotals } from '../support/history-truth.js';
import { startExporter, startPrometheus, waitFor } from '../support/processes.js';
import { runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * README "Reconciliation recipe", run as written against the simulator and a real Prometheus, with a
 * period of seconds instead of a month: the CSV total of the period equals the counter's difference at
 * the period's ends, and increase() over the period agrees up to its extrapolation.
 */
describe('the reconciliation recipe', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('CSV total of a period == counter difference at its ends ~= increase() over it', async () => {
    const history: History = buildHistory({ seed: 81, ledgers: 30, transactions: 150, accounts: 1 });
    const [alice] = history.accounts as [string];
    const fake = await FakeRippled.start();
    cleanups.push(() => fake.close());
    /** Closes ledgers at the wall clock's time, then two empty ones so the exporter completes them. */
    const close = async (ledgers: History['ledgers']) => {
      for (const ledger of [...ledgers, { transactions: [] }, { transactions: [] }]) {
        fake.addLedger(ledger.transactions, { closeTime: new Date() });
        await fake.publishNext();
      }
    };
    const file = configFile('reconcile', [
      'xrpl:',
      `  servers: ["${fake.url}"]`,
      'accounts:',
      `  - { address: ${alice}, name: alice }`,
      'state:',
      '  path: ./state.json',
    ]);
    const started = await startExporter(MAIN, [`--config.file=${file.path}`], file.dir, 20_000);
    cleanups.push(() => started.process.stop());
    await close([]);
    await waitFor(
      'ready',
      async () => ((await fetch(`http://${started.address}/-/ready`)).ok ? true : undefined),
      20_000,
    );

    const workDir = await mkdtemp(join(tmpdir(), 'xrpl-reconcile-prometheus-'));
    const prometheus = await startPrometheus(
      workDir,
      `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: x\n    static_configs: [{targets: ['${started.address}']}]\n`,
    );
    cleanups.push(() => prometheus.process.stop());
    const { address } = prometheus;
    const query = async (expr: string): Promise<number | undefined> => {
      const url = `http://${address}/api/v1/query?query=${encodeURIComponent(expr)}`;
      const body = (await (await fetch(url)).json()) as {
        data?: { result: Array<{ value: [number, string] }> };
      };
      const value = body.data?.result[0]?.value[1];
      return value === undefined ? undefined : Number(value);
    };
    const series = `xrpl_received_amount_total{account="${alice}",currency="XRP"}`;
    /** Waits until the exporter counted the history's first `ledgers` ledgers and Prometheus scraped that. */
    const counted = async (ledgers: number) => {
      const truth = explainTotals(history, 1, alice, 1, ledgers).get('XRP|')?.sum.toNumber() ?? 0;
      const exported = async () => {
        const text = await (await fetch(`http://${started.address}/metrics`)).text();
        return Number(/^xrpl_received_amount_total\{[^}]*currency="XRP"[^}]*\} (\S+)$/m.exec(text)?.[1]);
      };
      await waitFor(
        `the exporter to count ${ledgers} ledgers`,
        async () => ((await exported()) === truth ? true : undefined),
        60_000,
      );
      await waitFor(
        `Prometheus to scrape ${truth}`,
        async () => ((await query(series)) === truth ? true : undefined),
        60_000,
      );
    };

    // Before the period, during it, after it: payments in each.
    await close(history.ledgers.slice(0, 10));
    await counted(10);
    await sleep(1500);
    const start = nowSeconds();
    await sleep(1500);
    await close(history.ledgers.slice(10, 20));
    await counted(20);
    await sleep(2500);
    const end = nowSeconds();
    await sleep(1500);
    await close(history.ledgers.slice(20));
    await counted(30);

    const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
    const run = await runNode(
      [
        MAIN,
        'report',
        `--config.file=${file.path}`,
        `--account=${alice}`,
        `--since=${iso(start)}`,
        `--until=${iso(end)}`,
      ],
      file.dir,
    );
    expect(run.stderr).toBe('');
    // awk -F, 'NR > 1 && $7 == "XRP" { print $9 }' | paste -sd+ - | bc
    const csvTotal = run.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','))
      .filter((fields) => fields[6] === 'XRP')
      .reduce((sum, fields) => sum.plus(fields[8]!), new Big(0));
    expect(csvTotal.gt(0)).toBe(true);

    const difference = await query(`${series} @ ${end} - ${series} @ ${start}`);
    expect(difference).toBeCloseTo(csvTotal.toNumber(), 6);
    const increase = await query(`increase(${series}[${end - start}s] @ ${end})`);
    // increase() extrapolates to the range ends: up to about two scrape intervals out of the range.
    expect(increase).toBeGreaterThanOrEqual(csvTotal.toNumber() * 0.999999);
    expect(increase).toBeLessThanOrEqual((csvTotal.toNumber() * (end - start + 2.5)) / (end - start - 2.5));
  }, 180_000);
});
