import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Big from 'big.js';
import { analyzeTransaction } from '../src/accounting/index.js';
import type { AssetAmount, TxAnalysis } from '../src/accounting/types.js';
import { type HistoryTx, storeTx, streamMessage } from '../src/simulator/fake-rippled/tx-shapes.js';
import { count, type Log, ms } from './support/report.js';

/**
 * Figure (b), the worker-thread option measured: what the main thread would still do if JSON.parse and
 * analyzeTransaction moved to a worker_threads worker fed in arrival order. big.js values cannot cross
 * the boundary (each carries its constructor, which structured clone refuses), so amounts cross as
 * decimal strings and are rebuilt on the main thread, as the real design would have to.
 */
const BATCHES = [50, 200] as const;

const HEADER = {
  index: 2,
  hash: '0'.repeat(64),
  parentHash: '0'.repeat(64),
  closeTime: 800_000_000,
  closeTimeIso: '2025-05-09T04:53:20Z',
};

type Plain = { asset: AssetAmount['asset']; value: string };
const plain = (amounts: readonly AssetAmount[]): Plain[] =>
  amounts.map((a) => ({ asset: a.asset, value: a.value.toFixed() }));

/** The analysis with its amounts as strings: what a worker would post back. */
function cloneable(a: TxAnalysis): unknown {
  return {
    ...a,
    accounts: a.accounts.map((e) => ({
      ...e,
      balanceChanges: plain(e.balanceChanges),
      balancesAfter: plain(e.balancesAfter),
      received: plain(e.received),
    })),
  };
}

if (!isMainThread && (workerData as { threadOption?: boolean } | null)?.threadOption) {
  const watched = new Set((workerData as { watched: string[] }).watched);
  parentPort!.on('message', (batch: Uint8Array[]) => {
    parentPort!.postMessage(
      batch.map((raw) =>
        cloneable(analyzeTransaction(JSON.parse(Buffer.from(raw).toString('utf8')), watched)),
      ),
    );
  });
}

export async function runThreadOptionBench(
  log: Log,
  transactions: readonly HistoryTx[],
  watched: ReadonlySet<string>,
): Promise<void> {
  const messages = transactions.map((tx, i) => streamMessage(storeTx(tx, HEADER, i), 2));
  const parseAndAnalyze = (): number => {
    const started = performance.now();
    for (const m of messages) analyzeTransaction(JSON.parse(m.toString('utf8')), watched);
    return performance.now() - started;
  };
  parseAndAnalyze(); // warm-up
  const single = parseAndAnalyze();
  const parseStarted = performance.now();
  for (const m of messages) JSON.parse(m.toString('utf8'));
  const parseOnly = performance.now() - parseStarted;
  log(
    `  worker-thread option, in one process, ${count(messages.length)} of the messages: JSON.parse alone ${ms(parseOnly)}, ` +
      `parse + analyzeTransaction on the main thread ${ms(single)}`,
  );
  for (const batch of BATCHES) {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { threadOption: true, watched: [...watched] },
    });
    let mainBusy = 0;
    let received = 0;
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      worker.on('error', reject);
      worker.on(
        'message',
        (out: Array<{ accounts: Array<{ received: Plain[]; balancesAfter: Plain[] }> }>) => {
          const busy = performance.now();
          // What the main thread must do with each result: rebuild the exact amounts.
          for (const a of out)
            for (const e of a.accounts) for (const r of [...e.received, ...e.balancesAfter]) new Big(r.value);
          received += out.length;
          mainBusy += performance.now() - busy;
          if (received === messages.length) resolve();
        },
      );
      const busy = performance.now();
      for (let i = 0; i < messages.length; i += batch) {
        worker.postMessage(messages.slice(i, i + batch).map((m) => new Uint8Array(m)));
      }
      mainBusy += performance.now() - busy;
    });
    const wall = performance.now() - started;
    await worker.terminate();
    log(
      `    batches of ${batch}: main thread busy ${ms(mainBusy)} (posting, then rebuilding amounts), ` +
        `all results back after ${ms(wall)}`,
    );
  }
}
