import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';
import { REPO_ROOT } from './tools.js';

/**
 * The compose `demo` profile's command, run as the image would run it (node dist/demo.js from the
 * package root), except that it listens on 127.0.0.1 port 0 instead of :29770 and has no Mailpit.
 */

interface ComposeService {
  entrypoint: string[];
  command: string[];
}

let demo: RunningProcess | undefined;
let workDir = '';

afterAll(async () => {
  await demo?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the compose demo profile', () => {
  it('starts the demo with the compose command, and payments show up in /metrics', async () => {
    const compose = parse(await readFile(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, ComposeService>;
    };
    const service = compose.services['exporter-demo']!;
    const [node, script] = service.entrypoint;
    expect([node, script]).toEqual(['node', 'dist/demo.js']);
    const main = join(REPO_ROOT, script!);
    expect(existsSync(main), 'dist/demo.js: run `npm run build` first (npm test does)').toBe(true);
    const args = service.command.filter((a) => !a.startsWith('--web.listen-address='));
    workDir = await mkdtemp(join(tmpdir(), 'xrpl-compose-demo-'));
    const started = await startExporter(main, args, workDir, 30_000);
    demo = started.process;
    const paid = await waitFor(
      'a demo payment in /metrics',
      async () => {
        const text = await (await fetch(`http://${started.address}/metrics`)).text();
        return /^xrpl_payments_received_total\{.*\} [1-9]/m.test(text) ? text : undefined;
      },
      45_000,
      500,
    );
    expect(paid).toMatch(/^xrpl_up 1$/m);
  }, 90_000);
});
