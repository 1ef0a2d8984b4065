import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Big from 'big.js';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { decodeStateFile, encodeStateFile } from '../../src/state/document.js';
import { type PersistedState, StateStore } from '../../src/state/store.js';

let dir: string;
let file: string;
let logLines: string[];
const logger = () => createLogger({ level: 'debug', format: 'json', write: (line) => logLines.push(line) });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'xrpl-state-'));
  file = path.join(dir, 'data', 'state.json');
  logLines = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function stateAt(checkpoint: number, received = '1'): PersistedState {
  const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10] });
  totals.recordReceipts({
    account: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
    txType: 'Payment',
    partial: false,
    closeTime: 1_700_000_000,
    received: [{ asset: { kind: 'xrp' }, value: new Big(received) }],
  });
  return {
    version: 1,
    checkpoint,
    totals: totals.snapshot(),
    dedupe: [[checkpoint + 1, ['ABC:rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe']]],
    outbox: { pending: [{ key: 'rule:tx', attempts: 2 }] },
    rules: { windows: {} },
  };
}

describe('state file format', () => {
  test('round-trips a state and detects every single-byte truncation', () => {
    const text = encodeStateFile(stateAt(7, '12.345678'));
    expect(decodeStateFile(text)).toEqual(stateAt(7, '12.345678'));
    for (let cut = 0; cut < text.length - 1; cut += 7) {
      expect(() => decodeStateFile(text.slice(0, cut))).toThrow();
    }
  });

  test('a modified byte inside the state fails the checksum even when the JSON still parses', () => {
    const text = encodeStateFile(stateAt(7));
    const tampered = text.replace('"checkpoint":7', '"checkpoint":8');
    expect(() => decodeStateFile(tampered)).toThrow(/checksum mismatch/);
  });
});

describe('StateStore', () => {
  test('a missing file loads as nothing, without warnings', async () => {
    const result = await new StateStore(file, logger()).load();
    expect(result).toEqual({ state: null, source: 'none', warnings: [], lost: null });
  });

  test('save then load in a new store returns the same state, and leaves no temporary file', async () => {
    const store = new StateStore(file, logger());
    expect(await store.save(stateAt(10))).toEqual({ written: true });
    const loaded = await new StateStore(file, logger()).load();
    expect(loaded).toEqual({ state: stateAt(10), source: 'primary', warnings: [], lost: null });
    await expect(stat(`${file}.tmp`)).rejects.toThrow(/ENOENT/);
  });

  test('the previous primary becomes the backup on each write', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await store.save(stateAt(3));
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(3);
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(2);
  });

  test('identical content is not written again', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(5));
    const before = await stat(file);
    expect(await store.save(stateAt(5))).toEqual({ written: false });
    const after = await stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    await expect(stat(`${file}.bak`)).rejects.toThrow(/ENOENT/);
  });

  test('after a load, saving the loaded state writes nothing', async () => {
    await new StateStore(file, logger()).save(stateAt(5));
    const store = new StateStore(file, logger());
    const { state } = await store.load();
    expect(await store.save(state!)).toEqual({ written: false });
  });

  test.each([
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['garbage', () => 'this is not a state file \u0000\u0001'],
    ['empty', () => ''],
  ])('a %s primary is reported and the backup is used', async (_kind, damage) => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await writeFile(file, damage(await readFile(file, 'utf8')));

    const reloaded = new StateStore(file, logger());
    const result = await reloaded.load();
    expect(result.source).toBe('backup');
    expect(result.state).toEqual(stateAt(1));
    expect(result.warnings[0]).toMatch(new RegExp(`state file ${file} is unusable: `));
    expect(
      logLines.some((l) => JSON.parse(l).level === 'error' && JSON.parse(l).msg.includes('unusable')),
    ).toBe(true);

    // The next save keeps the good backup and sets the damaged file aside instead of rotating it.
    await reloaded.save(stateAt(3));
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(3);
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(1);
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe(damage(encodeStateFile(stateAt(2))));
  });

  test('a missing primary with a backup uses the backup and says so', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await rm(file);
    const result = await new StateStore(file, logger()).load();
    expect(result.source).toBe('backup');
    expect(result.state?.checkpoint).toBe(1);
    expect(result.warnings).toContain(`state file ${file} is missing`);
  });

  test('when both files are unusable it starts empty and says why', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await writeFile(file, '{"format":"xrpl-payments-exporter/state","sha256":"00');
    await writeFile(`${file}.bak`, '');
    const result = await new StateStore(file, logger()).load();
    expect(result.state).toBeNull();
    expect(result.source).toBe('none');
    expect(result.warnings).toHaveLength(3);
    expect(result.warnings[2]).toMatch(/starting without saved state/);
    // The damaged primary still shows where the last run stood.
    expect(result.warnings[2]).toMatch(/the previous checkpoint is unknown/);
    expect(result.lost).toEqual({ checkpoint: null });
  });

  test('a state that does not match version 1 is rejected with its path', async () => {
    const bad = { ...stateAt(1), checkpoint: -4 } as PersistedState;
    await new StateStore(file, logger()).save(bad);
    const result = await new StateStore(file, logger()).load();
    expect(result.source).toBe('none');
    expect(result.warnings[0]).toMatch(/state does not match version 1: checkpoint: /);
  });

  test('live totals serialise to the same file as their snapshot, so an unchanged state is still skipped', async () => {
    const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10] });
    totals.recordReceipts({
      account: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
      txType: 'Payment',
      partial: true,
      closeTime: 5,
      received: [
        {
          asset: { kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' },
          value: new Big('0.1'),
        },
      ],
    });
    const rest = { version: 1, checkpoint: 9, dedupe: [], outbox: undefined, rules: { a: 1 } } as const;
    expect(encodeStateFile({ ...rest, totals })).toBe(
      encodeStateFile({ ...rest, totals: totals.snapshot() }),
    );

    const store = new StateStore(file, logger());
    expect(await store.save({ ...rest, totals })).toEqual({ written: true });
    expect(await store.save({ ...rest, totals: totals.snapshot() })).toEqual({ written: false });
    const { state } = await new StateStore(file, logger()).load();
    expect(state?.totals).toEqual(totals.snapshot());
  });

  test('saves requested while a write runs coalesce into one write of the latest state', async () => {
    const store = new StateStore(file, logger());
    const first = store.save(stateAt(1));
    const queued = [store.save(stateAt(2)), store.save(stateAt(3)), store.save(stateAt(4))];
    expect(queued[1]).toBe(queued[0]);
    expect(queued[2]).toBe(queued[0]);
    expect(await first).toEqual({ written: true });
    expect(await Promise.all(queued)).toEqual([{ written: true }, { written: true }, { written: true }]);
    await store.flush();
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(4);
    // Exactly two writes happened: had 2 and 3 been written, the backup would hold 3.
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(1);
  });

  // Review finding M6: each save encoded the whole state at once, even those coalesced into a later write.
  test('a burst of saves encodes the state at most twice, and the file holds the latest', async () => {
    const store = new StateStore(file, logger());
    let encodes = 0;
    const counted = (checkpoint: number): PersistedState => {
      const state = stateAt(checkpoint);
      // Encoding reads each part once: reading `outbox` counts one encoding.
      return Object.defineProperty({ ...state }, 'outbox', {
        enumerable: true,
        get: () => {
          encodes += 1;
          return state.outbox;
        },
      });
    };
    const bursts = Array.from({ length: 64 }, (_, i) => counted(i + 1));
    const saves = bursts.map((state) => store.save(state));
    expect(await Promise.all(saves)).toHaveLength(64);
    expect(encodes).toBeLessThanOrEqual(2);
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(64);
  });

  test('a state given as a function is built only when its write starts', async () => {
    const store = new StateStore(file, logger());
    const built: number[] = [];
    const saves = [1, 2, 3, 4].map((checkpoint) =>
      store.save(() => {
        built.push(checkpoint);
        return stateAt(checkpoint);
      }),
    );
    await Promise.all(saves);
    expect(built).toEqual([1, 4]);
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(4);
  });

  test('a queued save equal to what was just written writes nothing', async () => {
    const store = new StateStore(file, logger());
    const first = store.save(stateAt(1));
    const second = store.save(stateAt(1));
    expect(await first).toEqual({ written: true });
    expect(await second).toEqual({ written: false });
  });

  test('a failed write rejects with the path and leaves the previous state intact', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    // A directory where the temporary file should go makes the write fail.
    await mkdir(`${file}.tmp`);
    await expect(store.save(stateAt(2))).rejects.toThrow(`cannot write state file ${file}`);
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(1);
    await rm(`${file}.tmp`, { recursive: true });
    expect(await store.save(stateAt(2))).toEqual({ written: true });
  });
});

describe('StateStore faults during a run (real files)', () => {
  function observed(store: StateStore) {
    const outcomes: string[] = [];
    store.observe({
      written: () => outcomes.push('written'),
      failed: (e) => outcomes.push(`failed ${e.message}`),
    });
    return outcomes;
  }

  test('a deleted state file is written again from memory, even unchanged, and the backup survives', async () => {
    const store = new StateStore(file, logger());
    const outcomes = observed(store);
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await rm(file);
    expect(await store.save(stateAt(2))).toEqual({ written: true });
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(2);
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(1);
    // And rotation goes on as before.
    await store.save(stateAt(3));
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(2);
    expect(outcomes).toEqual(['written', 'written', 'written', 'written']);
    expect(logLines.some((l) => JSON.parse(l).msg === 'state file was missing; writing it again')).toBe(true);
  });

  test('a directory in its place fails every save loudly, keeps the newest state in the backup, and recovers', async () => {
    const store = new StateStore(file, logger());
    const outcomes = observed(store);
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await rm(file);
    await mkdir(file);
    await expect(store.save(stateAt(3))).rejects.toThrow(
      `cannot write state file ${file}: it is not a regular file (a directory); the state was saved to ${file}.bak instead`,
    );
    await expect(store.save(stateAt(4))).rejects.toThrow(/a directory/);
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(4);
    expect(outcomes.slice(2)).toEqual([expect.stringMatching(/^failed /), expect.stringMatching(/^failed /)]);
    // A restart now loads the newest state from the backup.
    const reloaded = await new StateStore(file, logger()).load();
    expect(reloaded.source).toBe('backup');
    expect(reloaded.state?.checkpoint).toBe(4);

    await rm(file, { recursive: true });
    expect(await store.save(stateAt(4))).toEqual({ written: true });
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(4);
    expect(outcomes.at(-1)).toBe('written');
  });

  test('a state file replaced by something else is kept aside, never rotated into the backup', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(1));
    await store.save(stateAt(2));
    await writeFile(file, 'edited by hand');
    await store.save(stateAt(3));
    expect(decodeStateFile(await readFile(file, 'utf8')).checkpoint).toBe(3);
    expect(decodeStateFile(await readFile(`${file}.bak`, 'utf8')).checkpoint).toBe(1);
    expect(await readFile(`${file}.corrupt`, 'utf8')).toBe('edited by hand');
  });

  test('saves coalesced into one failing write are reported as one failure', async () => {
    const store = new StateStore(file, logger());
    const outcomes = observed(store);
    await mkdir(`${file}.tmp`, { recursive: true });
    const saves = [store.save(stateAt(1)), store.save(stateAt(2)), store.save(stateAt(3))];
    const settled = await Promise.allSettled(saves);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes).toHaveLength(2); // the first write, then one write of the latest coalesced state
  });
});

describe('StateStore: a start that finds no usable state', () => {
  test('both files corrupt: a warning and the checkpoint the damaged primary still shows', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(41));
    await store.save(stateAt(42));
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, 200));
    await writeFile(`${file}.bak`, 'garbage');
    const result = await new StateStore(file, logger()).load();
    expect(result.state).toBeNull();
    expect(result.lost).toEqual({ checkpoint: 42 });
    expect(result.warnings.at(-1)).toMatch(/the previous run had counted up to ledger 42/);
  });

  test('only an earlier .corrupt copy left: still a warning, not a silent fresh start', async () => {
    const store = new StateStore(file, logger());
    await store.save(stateAt(7));
    const text = await readFile(file, 'utf8');
    await rm(file);
    await writeFile(`${file}.corrupt`, text.slice(0, text.length - 3));
    const result = await new StateStore(file, logger()).load();
    expect(result.source).toBe('none');
    expect(result.lost).toEqual({ checkpoint: 7 });
    expect(result.warnings[0]).toBe(`an earlier damaged state file is kept at ${file}.corrupt`);
  });
});
