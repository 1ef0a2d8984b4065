import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { decodeStateFile } from '../../src/state/document.js';
import { StateStore } from '../../src/state/store.js';

/**
 * The state file deleted in the middle of a save, after the store looked at it and before it linked it
 * into the backup: the moment is forced by running `beforeLink` inside the real `link`, on real files.
 */
const hooks = vi.hoisted(() => ({ beforeLink: null as (() => Promise<void>) | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    link: async (existing: string, created: string) => {
      const hook = hooks.beforeLink;
      hooks.beforeLink = null;
      await hook?.();
      return real.link(existing, created);
    },
  };
});

let dir: string;
let file: string;
let logLines: string[];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'xrpl-state-vanishing-'));
  file = path.join(dir, 'state.json');
  logLines = [];
});
afterEach(async () => {
  hooks.beforeLink = null;
  await fs.rm(dir, { recursive: true, force: true });
});

const stateAt = (checkpoint: number) => ({
  version: 1 as const,
  checkpoint,
  totals: new ReceiptTotals({ paymentSizeBucketsXrp: [1] }).snapshot(),
  dedupe: [],
  outbox: { pending: [] },
  rules: { windows: {} },
});

test('a state file deleted during a save is written again by that save, not counted as a failure', async () => {
  const store = new StateStore(
    file,
    createLogger({ level: 'debug', format: 'json', write: (line) => logLines.push(line) }),
  );
  const outcomes: string[] = [];
  store.observe({ written: () => outcomes.push('written'), failed: (e) => outcomes.push(e.message) });
  await store.save(stateAt(1));
  await store.save(stateAt(2));
  hooks.beforeLink = () => fs.rm(file);

  expect(await store.save(stateAt(3))).toEqual({ written: true });
  expect(hooks.beforeLink).toBeNull(); // the deletion did happen inside this save
  expect(decodeStateFile(await fs.readFile(file, 'utf8')).checkpoint).toBe(3);
  // The backup is kept as it was: the deleted primary could not be rotated into it.
  expect(decodeStateFile(await fs.readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(1);
  expect(outcomes).toEqual(['written', 'written', 'written']);
  expect(logLines.some((l) => JSON.parse(l).msg === 'state file was missing; writing it again')).toBe(true);
  expect(await fs.readdir(dir)).toEqual(['state.json', 'state.json.bak']);
});
