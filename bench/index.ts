import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runAccountingBench } from './accounting.js';
import { runAlertLatencyBench } from './alert-latency.js';
import { runBackfillBench } from './backfill.js';
import { runEndToEndBench } from './end-to-end.js';
import { runScaleBench } from './scale.js';
import { cleanUp, MAIN } from './support/exporter.js';

// Benchmarks print figures; they never pass or fail on speed. Run with `npm run bench`
// (node --expose-gc, so each measurement starts from a collected heap). Figures b-f drive the built
// binary (`npm run build` first); `npm run bench -- b d` runs only the figures named.
const collectGarbage = (globalThis as { gc?: () => void }).gc;
const log = (line: string): void => console.log(line);

const FIGURES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'] as const;
type Figure = (typeof FIGURES)[number];
const asked = process.argv
  .slice(2)
  .filter((arg): arg is Figure => (FIGURES as readonly string[]).includes(arg));
const wanted = new Set<Figure>(asked.length > 0 ? asked : FIGURES);

async function main(): Promise<void> {
  const cpu = cpus();
  log(
    `node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${new Date().toISOString()}`,
  );
  if (wanted.has('a')) runAccountingBench(log, collectGarbage);
  const needsBinary = ['b', 'c', 'd', 'e', 'f'].some((f) => wanted.has(f as Figure));
  if (needsBinary && !existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  if (wanted.has('b')) await section('b', () => runEndToEndBench(log));
  if (wanted.has('c') || wanted.has('d') || wanted.has('e')) await section('c/d/e', () => runScaleBench(log));
  if (wanted.has('f')) await section('f', () => runBackfillBench(log));
  if (wanted.has('g')) await section('g', async () => log((await runAlertLatencyBench()).trimEnd()));
}

/** Runs one figure; a failure is printed and the suite goes on with the next figure. */
async function section(name: string, run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    log(`(${name}) FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
    log(`  [(${name}) took ${((performance.now() - started) / 1000).toFixed(0)} s]`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} finally {
  await cleanUp();
}
