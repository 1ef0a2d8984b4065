import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { paymentsScenario } from '../support/history.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');

function writeConfig(lines: string[]): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xrpl-modes-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);
  return { dir, config };
}

describe('operating modes of the built exporter', () => {
  let exporter: RunningProcess | null = null;
  let fake: FakeRippled | null = null;
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
    exporter = null;
    fake = null;
  });

  it('above xrpl.full_stream_threshold subscribes to the transactions stream and filters locally', async () => {
    const history = paymentsScenario(3);
    const [alice, bob] = history.accounts as [string, string];
    fake = await FakeRippled.start();
    const { dir, config } = writeConfig([
      'xrpl:',
      `  servers: ["${fake.url}"]`,
      '  full_stream_threshold: 1',
      'accounts:',
      `  - { address: ${alice}, name: alice }`,
      `  - { address: ${bob}, name: bob }`,
    ]);
    const started = await startExporter(MAIN, [`--config.file=${config}`], dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
    const subscribe = fake.requests.find((r) => r.command === 'subscribe');
    expect(subscribe?.params.streams).toEqual(['ledger', 'transactions']);
    expect(subscribe?.params.accounts ?? []).toEqual([]);

    fake.addLedgers(history.ledgers);
    fake.addLedger([]);
    await fake.publishAll();
    const samples = await waitFor(
      'the receipts',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_partial_payments_received_total', { name: 'alice' }) === 1
          ? s
          : undefined;
      },
      15_000,
    );
    expect(sampleValue(samples, 'xrpl_received_amount_total', { name: 'alice', currency: 'XRP' })).toBe(
      1531.271456,
    );
    expect(sampleValue(samples, 'xrpl_received_amount_total', { name: 'bob', currency: 'USD' })).toBe(0.01);
    // Every transaction of the ledgers arrived; those of other accounts count nothing and are not invalid.
    expect(sampleValue(samples, 'xrpl_invalid_messages_total')).toBe(0);
  });

  it('without a reachable server keeps retrying, reports xrpl_up 0 and stays healthy', async () => {
    // The server URL carries a password: it must never be shown, in logs, labels or the status page.
    const server = 'ws://ops:s3cret-in-url@127.0.0.1:1';
    const { dir, config } = writeConfig([
      'xrpl:',
      `  servers: ["${server}"]`,
      'accounts:',
      '  - { address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe, name: faucet }',
    ]);
    const started = await startExporter(MAIN, [`--config.file=${config}`], dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor(
      'retries in the log',
      () => ((exporter?.output().match(/cannot connect/g)?.length ?? 0) >= 3 ? true : undefined),
      15_000,
    );
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${base}/-/ready`)).status).toBe(503);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const samples = parseExposition(metrics);
    expect(sampleValue(samples, 'xrpl_up')).toBe(0);
    expect(sampleValue(samples, 'xrpl_stream_connected', { server: 'ws://ops:<secret>@127.0.0.1:1' })).toBe(
      0,
    );
    expect(exporter.child.exitCode).toBeNull();
    const page = await (await fetch(`${base}/`)).text();
    for (const surface of [exporter.output(), metrics, page]) expect(surface).not.toContain('s3cret-in-url');
    expect(exporter.output()).toContain('ws://ops:<secret>@127.0.0.1:1');
  });
});
