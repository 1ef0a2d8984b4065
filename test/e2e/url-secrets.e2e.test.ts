/*
 * A token in a server URL's query string (wss://host/?api_key=...) is a secret like a userinfo password:
 * the built binary masks it in its logs, the status page and /api/status, check-config and the `server`
 * label of /metrics.
 */

import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { startExporter, waitFor } from '../support/processes.js';
import { refusingServer } from '../support/refusing-server.js';
import { runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const ALICE = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

describe('a server URL with a token in its query string', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  it('is shown with the value masked in logs, /api/status, the status page, check-config and /metrics', async () => {
    const refusing = await refusingServer();
    cleanups.push(() => new Promise((resolve) => refusing.server.close(resolve)));
    const fake = await FakeRippled.start();
    cleanups.push(() => fake.close());
    const down = `ws://127.0.0.1:${refusing.port}/?api_key=QS-Secret-1`;
    const up = `${fake.url}/?token=QS-Secret-2&region=eu`;
    const masked = {
      down: `ws://127.0.0.1:${refusing.port}/?api_key=<secret>`,
      up: `${fake.url}/?token=<secret>&region=<secret>`,
    };
    const config = configFile('url-secrets', watcherYaml([down, up], { alice: ALICE }));
    const started = await startExporter(
      MAIN,
      [`--config.file=${config.path}`, '--log.level=debug'],
      config.dir,
      15_000,
    );
    const exporter = started.process;
    cleanups.push(() => exporter.stop());
    const base = `http://${started.address}`;

    // The first server refuses, the second is used: both appear in every surface.
    const metrics = await waitFor(
      'a failed attempt on the first server and a connection to the second',
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        const s = parseExposition(text);
        const failed = sampleValue(s, 'xrpl_connection_attempts_failed_total', { server: masked.down }) ?? 0;
        const connected = sampleValue(s, 'xrpl_stream_connected', { server: masked.up });
        return failed >= 1 && connected === 1 ? text : undefined;
      },
      20_000,
    );
    const status = await (await fetch(`${base}/api/status`)).text();
    const parsed = JSON.parse(status) as { connection: { servers: { url: string }[] } };
    expect(parsed.connection.servers.map((s) => s.url)).toEqual([masked.down, masked.up]);
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain(
      masked.up.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
    );
    await waitFor(
      'the refused attempt logged',
      () => (exporter.output().includes('msg="cannot connect to rippled"') ? true : undefined),
      15_000,
    );
    const log = exporter.output();
    expect(log).toContain(masked.down);

    const check = await runNode([MAIN, 'check-config', `--config.file=${config.path}`], config.dir);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(masked.down);
    expect(check.stdout).toContain(masked.up);

    for (const [surface, text] of Object.entries({ log, status, page, metrics, check: check.stdout })) {
      expect(text, surface).not.toContain('QS-Secret');
    }
  }, 60_000);
});
