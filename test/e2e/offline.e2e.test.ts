import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFile, watcherYaml } from '../support/config-file.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';
import { refusingServer } from '../support/refusing-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const ALICE = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

describe('a watcher that cannot connect to any server', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('says why, per server, in one log line per attempt, on the status page and in /metrics', async () => {
    const first = await refusingServer();
    const second = await refusingServer();
    cleanups.push(
      () => new Promise((resolve) => first.server.close(resolve)),
      () => new Promise((resolve) => second.server.close(resolve)),
    );
    const withPassword = `ws://watcher:s3cret-pw@127.0.0.1:${first.port}`;
    const masked = `ws://watcher:<secret>@127.0.0.1:${first.port}`;
    const plain = `ws://127.0.0.1:${second.port}`;
    const config = configFile('offline', watcherYaml([withPassword, plain], { alice: ALICE }));
    const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
    const exporter: RunningProcess = started.process;
    cleanups.push(() => exporter.stop());
    const base = `http://${started.address}`;

    // Prometheus sees the failures although no session ever opened.
    const samples = await waitFor(
      'failed attempts on both servers',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        const failed = (server: string) =>
          sampleValue(s, 'xrpl_connection_attempts_failed_total', { server }) ?? 0;
        return failed(masked) >= 2 && failed(plain) >= 2 ? s : undefined;
      },
      15_000,
    );
    expect(sampleValue(samples, 'xrpl_reconnects_total', { server: masked })).toBe(0);
    expect(sampleValue(samples, 'xrpl_up', {})).toBe(0);

    const status = (await (await fetch(`${base}/api/status`)).json()) as {
      now: number;
      connection: {
        state: string;
        servers: Array<{
          url: string;
          connected: boolean;
          lastError: string | null;
          lastErrorAt: number | null;
          nextAttemptAt: number | null;
        }>;
      };
    };
    expect(status.connection.state).toBe('connecting');
    expect(status.connection.servers.map((s) => s.url)).toEqual([masked, plain]);
    for (const server of status.connection.servers) {
      expect(server.connected).toBe(false);
      expect(server.lastError).toContain('503');
      expect(server.lastErrorAt).toBeLessThanOrEqual(status.now);
    }
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('<th>Last error</th>');
    expect(page).toContain('Unexpected server response: 503');
    expect(`${page}${JSON.stringify(status)}${await (await fetch(`${base}/metrics`)).text()}`).not.toContain(
      's3cret-pw',
    );

    // One line per attempt: the server that failed, why, and the one tried next with its delay; the
    // next line is about that server.
    // The log reaches this process through a pipe, not necessarily before the metrics did; only whole
    // lines (up to the last newline) are read.
    const attemptLines = () =>
      exporter
        .output()
        .split('\n')
        .slice(0, -1)
        .filter((line) => line.includes('msg="cannot connect to rippled"'));
    const attempts = await waitFor(
      'four attempts logged',
      () => (attemptLines().length >= 4 ? attemptLines() : undefined),
      15_000,
    );
    expect(exporter.output()).not.toContain('waiting before connecting');
    expect(exporter.output()).not.toContain('s3cret-pw');
    const field = (line: string, name: string) => new RegExp(` ${name}=(\\S+)`).exec(line)?.[1];
    for (const [i, line] of attempts.entries()) {
      expect(line).toMatch(/^ts=\S+ level=warn msg="cannot connect to rippled" server=ws:\S+ reason="/);
      expect(line).toContain('503');
      expect(field(line, 'next_attempt_in_ms')).toMatch(/^\d+$/);
      const next = attempts[i + 1];
      if (next !== undefined) expect(field(next, 'server')).toBe(field(line, 'next_server'));
    }
  });
});
