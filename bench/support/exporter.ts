import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  GiveUp,
  listeningAddress,
  type RunningProcess,
  startProcess,
  waitFor,
} from '../../test/support/processes.js';

/** The repository root (dist-bench/bench/support -> three levels up). */
export const ROOT = resolve(import.meta.dirname, '../../..');
/** The built binary the benchmarks drive, as users run it (`npm run build`). */
export const MAIN = join(ROOT, 'dist/main.js');

export interface BenchAccount {
  readonly address: string;
  readonly name: string;
}

export interface ExporterConfig {
  readonly servers: readonly string[];
  readonly accounts: readonly BenchAccount[];
  readonly apiVersion?: 1 | 2;
  readonly fullStreamThreshold?: number;
  /** Keep a state file (checkpoint, totals) in the run's directory. */
  readonly statePath?: boolean;
  /** Spread the accounts over this many groups and set metrics.aggregate_by: group. */
  readonly groups?: number;
  /** Where the accounts are written: `accounts` in the YAML, or a CSV in `accounts_files`. @default 'csv' */
  readonly accountsIn?: 'yaml' | 'csv';
}

/** Every process a benchmark starts, so the suite can stop them all, also on error. */
const running = new Set<RunningProcess>();
const scratchDirs = new Set<string>();

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `xrpl-bench-${prefix}-`));
  scratchDirs.add(dir);
  return dir;
}

export function writeConfig(dir: string, config: ExporterConfig): string {
  const group = (i: number): string | null => (config.groups ? `g${i % config.groups}` : null);
  const inYaml = config.accountsIn === 'yaml';
  if (!inYaml) {
    const rows = config.accounts.map((a, i) => `${a.address},${a.name},${group(i) ?? ''}`);
    writeFileSync(join(dir, 'accounts.csv'), `address,name,group\n${rows.join('\n')}\n`);
  }
  const lines = [
    'xrpl:',
    `  servers: [${config.servers.map((s) => `"${s}"`).join(', ')}]`,
    `  api_version: ${config.apiVersion ?? 2}`,
    ...(config.fullStreamThreshold === undefined
      ? []
      : [`  full_stream_threshold: ${config.fullStreamThreshold}`]),
    ...(config.statePath ? ['state:', `  path: ${join(dir, 'state.json')}`] : []),
    ...(config.groups ? ['metrics:', '  aggregate_by: group'] : []),
    ...(inYaml
      ? [
          'accounts:',
          ...config.accounts.map((a, i) => {
            const g = group(i);
            return `  - { address: ${a.address}, name: ${a.name}${g === null ? '' : `, group: ${g}`} }`;
          }),
        ]
      : ['accounts_files: [accounts.csv]']),
    '',
  ];
  const path = join(dir, 'config.yaml');
  writeFileSync(path, lines.join('\n'));
  return path;
}

export interface StartedExporter {
  readonly process: RunningProcess;
  readonly pid: number;
  /** http://HOST:PORT */
  readonly base: string;
  /** performance.now() when the process was spawned. */
  readonly spawnedAt: number;
}

/**
 * Spawns the built exporter on 127.0.0.1 port 0 and waits for its listening address. `nodeArgs`
 * go before the script (e.g. --cpu-prof); XRPL_BENCH_NODE_ARGS adds more from the environment.
 */
export async function startExporter(
  configPath: string,
  cwd: string,
  options: { timeoutMs?: number; nodeArgs?: readonly string[] } = {},
): Promise<StartedExporter> {
  const spawnedAt = performance.now();
  const proc = startProcess(
    'node',
    [
      ...(options.nodeArgs ?? []),
      MAIN,
      `--config.file=${configPath}`,
      '--web.listen-address=127.0.0.1:0',
      '--log.level=info',
    ],
    cwd,
  );
  running.add(proc);
  try {
    const address = await waitFor(
      'the exporter to log its listening address',
      () => {
        if (proc.child.exitCode !== null) throw new GiveUp(`exporter exited:\n${proc.output()}`);
        return listeningAddress(proc.output());
      },
      options.timeoutMs ?? 120_000,
      20,
    );
    return { process: proc, pid: proc.child.pid!, base: `http://${address}`, spawnedAt };
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
}

export async function stopProcess(proc: RunningProcess): Promise<void> {
  await proc.stop();
  running.delete(proc);
}

/** Stops every process still running and removes scratch directories (the suite's finally). */
export async function cleanUp(): Promise<void> {
  await Promise.all([...running].map((p) => stopProcess(p)));
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

/** Registers a process the benchmark started itself (not the exporter), for cleanUp. */
export function track(proc: RunningProcess): void {
  running.add(proc);
}

/** Resident set size in bytes, from /proc/<pid>/status VmRSS (Linux). */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * One scrape of the telemetry path: its text, the time to its last byte (ms) and the bytes on the
 * wire. Read with node:http into Buffers, as Prometheus reads it, so the client's own decoding is not
 * part of the figure; with `gzip` (the default, as Prometheus asks) decompressed after the timing.
 */
export function scrape(
  base: string,
  { gzip = true }: { gzip?: boolean } = {},
): Promise<{ body: string; ms: number; wireBytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers = gzip ? { 'Accept-Encoding': 'gzip' } : {};
    const request = get(`${base}/metrics`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const ms = performance.now() - started;
        if (response.statusCode !== 200) {
          reject(new Error(`/metrics answered ${response.statusCode}`));
          return;
        }
        const wire = Buffer.concat(chunks);
        const text = response.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
        resolve({ body: text.toString('utf8'), ms, wireBytes: wire.length });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.setTimeout(120_000, () => request.destroy(new Error('/metrics took over 120 s')));
  });
}

let curlAvailable: boolean | undefined;

/**
 * The exporter's share of one scrape: the time (ms) until the last byte of the gzip-compressed body has
 * arrived, asking for gzip as Prometheus does, and its bytes on the wire. curl when installed (a native
 * client that keeps the bench process's own event loop and garbage collector out of the figure), told
 * not to decompress: decompressing and parsing are the scraper's work (Prometheus' figure, measured
 * apart, includes them).
 */
export async function timeScrape(base: string): Promise<{ ms: number; bytes: number; client: string }> {
  curlAvailable ??= await new Promise<boolean>((resolve) =>
    execFile('curl', ['--version'], (error) => resolve(error === null)),
  );
  if (!curlAvailable) {
    const { ms, wireBytes } = await scrape(base);
    return { ms, bytes: wireBytes, client: 'node:http' };
  }
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      'curl',
      [
        '-sS',
        '--fail',
        '--compressed',
        '-o',
        '/dev/null',
        '-w',
        '%{time_total} %{size_download}',
        `${base}/metrics`,
      ],
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    ),
  );
  const [seconds, bytes] = out.trim().split(' ');
  return { ms: Number(seconds) * 1000, bytes: Number(bytes), client: 'curl (gzip, not decompressed)' };
}

/** Sum of every sample of one metric name in an exposition text (a fast line scan, no full parse). */
export function metricSum(body: string, name: string): number {
  let sum = 0;
  let from = 0;
  for (;;) {
    const at = body.indexOf(`\n${name}`, from);
    if (at < 0) return sum;
    const end = body.indexOf('\n', at + 1);
    const line = body.slice(at + 1, end < 0 ? undefined : end);
    from = at + 1;
    const next = line.charAt(name.length);
    if (next !== '{' && next !== ' ') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
}

/** Polls /metrics until the metric's sum reaches `expected`; returns performance.now() when it did. */
export async function waitForMetricSum(
  exporter: StartedExporter,
  name: string,
  expected: number,
  timeoutMs: number,
  intervalMs = 50,
): Promise<number> {
  return waitFor(
    `${name} to reach ${expected}`,
    async () => {
      if (exporter.process.child.exitCode !== null)
        throw new GiveUp(`exporter exited:\n${exporter.process.output()}`);
      const { body } = await scrape(exporter.base);
      const sum = metricSum(body, name);
      if (sum > expected) throw new GiveUp(`${name} is ${sum}, above the expected ${expected}`);
      return sum === expected ? performance.now() : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

/** Polls an HTTP path until it answers 200; returns performance.now() when it did. */
export async function waitForOk(
  exporter: StartedExporter,
  path: string,
  timeoutMs: number,
  intervalMs = 20,
): Promise<number> {
  return waitFor(
    `${path} to answer 200`,
    async () => {
      if (exporter.process.child.exitCode !== null)
        throw new GiveUp(`exporter exited:\n${exporter.process.output()}`);
      return (await fetch(`${exporter.base}${path}`)).ok ? performance.now() : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

/** Waits for a log line containing `text`; returns performance.now() when it was seen (poll-bounded). */
export async function waitForLog(
  exporter: StartedExporter,
  text: string,
  timeoutMs: number,
  intervalMs = 20,
): Promise<number> {
  return waitFor(
    `the log line "${text}"`,
    () => {
      if (exporter.process.child.exitCode !== null)
        throw new GiveUp(`exporter exited:\n${exporter.process.output()}`);
      return exporter.process.output().includes(text) ? performance.now() : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

let profiles = 0;

/**
 * Node flags for an exporter process: with XRPL_BENCH_CPU_PROF=DIR each exporter writes a CPU profile
 * named after its benchmark into DIR when it exits (open it in Chrome DevTools or speedscope).
 */
export function profilingArgs(label: string): string[] {
  const dir = process.env.XRPL_BENCH_CPU_PROF;
  profiles += 1;
  return dir
    ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${label}-${profiles}.cpuprofile`]
    : [];
}

/** CPU time (user + system) the process has used so far, in ms, from /proc/<pid>/stat (Linux, 100 Hz). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Waits until the process used under 5% of a core for a whole `quietMs`: a cheap "it has processed
 * everything it was sent" signal where polling /metrics itself would cost more than the work measured.
 */
export async function waitForQuiet(pid: number, timeoutMs: number, quietMs = 1000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let before = cpuMs(pid);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = cpuMs(pid);
    if (now - before < quietMs * 0.05) return;
    if (performance.now() > deadline) throw new Error(`process ${pid} still busy after ${timeoutMs} ms`);
    before = now;
  }
}
