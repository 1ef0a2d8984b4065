import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A child process whose output is kept for failure messages. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

export function startProcess(command: string, args: readonly string[], cwd: string): RunningProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // 'close' comes after 'exit' once stdout and stderr are drained: only then is the output complete
  // (the last lines before an exit, e.g. a failed shutdown, may still be in the pipe at 'exit').
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await once(child, 'exit');
        clearTimeout(timer);
      }
      await closed;
    },
  };
}

/** Thrown by a `waitFor` probe when waiting longer cannot help (the process died). */
export class GiveUp extends Error {}

/**
 * Polls `probe` until it returns a value (not undefined) or the deadline passes. Other errors the
 * probe throws (connection refused while a server starts) count as "not yet".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The address the exporter reports once it listens: the logfmt line `msg=listening address=HOST:PORT`
 * (or the JSON equivalent). Needed because it is started with port 0.
 */
export function listeningAddress(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!/\bmsg="?listening\b|"msg":"listening"/.test(line)) continue;
    const match = /\baddress="?([^\s"]+:\d+)/.exec(line) ?? /"address":"([^"]+:\d+)"/.exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

/**
 * The address Prometheus (exporter-toolkit) bound, from its log line
 * `msg="Listening on" address=127.0.0.1:PORT`; the line before it repeats the configured `:0`.
 */
export function prometheusListeningAddress(log: string): string | undefined {
  return /msg="Listening on" address=(\S+:\d+)/.exec(log)?.[1];
}

/**
 * Starts Debian's Prometheus with `config` (prometheus.yml text) in `dir`, its database there too, on
 * 127.0.0.1 port 0, and waits for the address it logs.
 */
export async function startPrometheus(
  dir: string,
  config: string,
  timeoutMs = 60_000,
): Promise<{ process: RunningProcess; address: string }> {
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const process = startProcess(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      '--web.listen-address=127.0.0.1:0',
    ],
    dir,
  );
  try {
    const address = await waitFor(
      'Prometheus to log its listening address',
      () => {
        if (process.child.exitCode !== null) throw new GiveUp(`prometheus exited:\n${process.output()}`);
        return prometheusListeningAddress(process.output());
      },
      timeoutMs,
    );
    return { process, address };
  } catch (error) {
    await process.stop();
    throw error;
  }
}

/**
 * Starts a built entry point (dist/main.js, dist/demo.js) with `args` on 127.0.0.1 port 0 and waits for
 * the address it logs.
 */
export async function startExporter(
  main: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ process: RunningProcess; address: string }> {
  const process = startProcess('node', [main, ...args, '--web.listen-address=127.0.0.1:0'], cwd);
  try {
    const address = await waitFor(
      'the exporter to log its listening address',
      () => {
        if (process.child.exitCode !== null) throw new GiveUp(`exporter exited:\n${process.output()}`);
        return listeningAddress(process.output());
      },
      timeoutMs,
    );
    return { process, address };
  } catch (error) {
    await process.stop();
    throw error;
  }
}
