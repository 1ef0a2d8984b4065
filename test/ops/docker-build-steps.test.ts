import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';
import { REPO_ROOT, runTool } from './tools.js';

/**
 * The Dockerfile's build steps without Docker: the final image holds package*.json, the built dist/
 * and the production dependencies from `npm ci --omit=dev`. Reproduce that in a clean folder outside
 * the repository (so nothing resolves from the repo's node_modules) and check the result starts.
 */

const WATCHED = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';
const INSTALL_TIMEOUT_MS = 240_000;

let image = '';
let fake: FakeRippled | undefined;
let exporter: RunningProcess | undefined;
let address = '';

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'main.js'))) {
    throw new Error('dist/main.js is missing: run `npm run build` first (npm test does)');
  }
  image = await mkdtemp(join(tmpdir(), 'xrpl-image-'));
  for (const file of ['package.json', 'package-lock.json'])
    await cp(join(REPO_ROOT, file), join(image, file));
  await cp(join(REPO_ROOT, 'dist'), join(image, 'dist'), { recursive: true });
  const install = await runTool(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
    image,
  );
  if (install.code !== 0) throw new Error(`npm ci --omit=dev failed:\n${install.output}`);

  fake = await FakeRippled.start();
  fake.startAutoPublish(500);
  const config = join(image, 'config.yaml');
  await writeFile(config, `xrpl:\n  servers: [${fake.url}]\naccounts:\n  - address: ${WATCHED}\n`);
  const started = await startExporter(
    join(image, 'dist', 'main.js'),
    [`--config.file=${config}`],
    image,
    30_000,
  );
  exporter = started.process;
  address = started.address;
}, INSTALL_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await exporter?.stop();
  fake?.stopAutoPublish();
  await fake?.close();
  if (image) await rm(image, { recursive: true, force: true });
});

describe('a production install of the built exporter', () => {
  it('has no development dependencies', () => {
    for (const dev of ['vitest', 'typescript', '@biomejs/biome', 'xrpl']) {
      expect(existsSync(join(image, 'node_modules', dev)), dev).toBe(false);
    }
    expect(existsSync(join(image, 'node_modules', 'prom-client'))).toBe(true);
  });

  it('answers /-/healthy, the Docker HEALTHCHECK probe', async () => {
    const response = await fetch(`http://${address}/-/healthy`);
    expect(response.status).toBe(200);
  });

  it('connects to the ledger and serves metrics', async () => {
    await waitFor(
      'the exporter to be ready',
      async () => ((await fetch(`http://${address}/-/ready`)).status === 200 ? true : undefined),
      30_000,
    );
    const metrics = await (await fetch(`http://${address}/metrics`)).text();
    expect(metrics).toMatch(/^xrpl_up 1$/m);
    expect(metrics).toContain(`account="${WATCHED}"`);
    // The version comes from the package.json the image ships next to dist/.
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const buildInfo = metrics.split('\n').find((line) => line.startsWith('xrpl_exporter_build_info{'));
    expect(buildInfo).toContain(`version="${pkg.version}"`);
  });
});
