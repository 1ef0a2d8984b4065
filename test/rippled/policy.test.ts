import { isValidClassicAddress } from 'ripple-address-codec';
import { describe, expect, test } from 'vitest';
import { ExponentialBackoff } from '../../src/rippled/backoff.js';
import { ServerPool } from '../../src/rippled/server-pool.js';
import { classifyStreamMessage } from '../../src/rippled/stream-message.js';
import { chunkAccounts } from '../../src/rippled/subscribe-chunks.js';
import { loadFixture } from '../support/fixtures.js';
import { generatedAddresses } from './addresses.js';

describe('ExponentialBackoff', () => {
  test.each([
    { random: 0, expected: [50, 100, 200, 400, 800, 1000, 1000] },
    { random: 0.999999, expected: [100, 200, 400, 800, 1600, 2000, 2000] },
    { random: 0.5, expected: [75, 150, 300, 600, 1200, 1500, 1500] },
  ])('doubles up to the cap with jitter in [d/2, d) (random=$random)', ({ random, expected }) => {
    const backoff = new ExponentialBackoff({ minMs: 100, maxMs: 2000 }, () => random);
    expect(expected.map(() => backoff.next())).toEqual(expected);
  });

  test('reset starts again from the shortest delay', () => {
    const backoff = new ExponentialBackoff({ minMs: 100, maxMs: 60_000 }, () => 1);
    for (let i = 0; i < 40; i++) backoff.next();
    expect(backoff.next()).toBe(60_000);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});

describe('ServerPool', () => {
  const servers = ['ws://a', 'ws://b', 'ws://c'];
  const pool = () => new ServerPool(servers, { minMs: 100, maxMs: 1000 }, 5_000, () => 1);

  test('starts with the first server', () => {
    expect(pool().pick(0)).toEqual({ server: 'ws://a', index: 0, waitMs: 0 });
  });

  test('a failure moves on to the next server at once', () => {
    const p = pool();
    expect(p.recordFailure('ws://a', 'failed', 0, 'refused')).toBe(100);
    expect(p.pick(0)).toEqual({ server: 'ws://b', index: 1, waitMs: 0 });
    p.recordFailure('ws://b', 'failed', 0, 'refused');
    expect(p.pick(0).server).toBe('ws://c');
  });

  test('the first server is preferred again once its rest is over', () => {
    const p = pool();
    p.recordFailure('ws://a', 'failed', 0, 'refused');
    expect(p.pick(99).server).toBe('ws://b');
    expect(p.pick(100).server).toBe('ws://a');
  });

  test('a whole rest reads whole however large the clock (no rounding up of floating-point noise)', () => {
    const p = new ServerPool(['ws://a'], { minMs: 60_000, maxMs: 60_000 }, 5_000, () => 1);
    const now = 500_000.3; // performance.now() after a long run: now + 60000 - now is 60000.00000000006
    p.recordFailure('ws://a', 'failed', now, 'refused');
    expect(p.pick(now).waitMs).toBe(60_000);
    expect(p.rests(now)[0]?.restMs).toBe(60_000);
    expect(p.pick(now + 0.5).waitMs).toBe(60_000); // a part of a millisecond left still rounds up
  });

  test('when every server rests, waits for the one that is free first', () => {
    const p = pool();
    p.recordFailure('ws://a', 'failed', 0, 'refused');
    p.recordFailure('ws://a', 'failed', 0, 'refused'); // a now rests 200ms
    p.recordFailure('ws://b', 'failed', 10, 'refused'); // until 110
    p.recordFailure('ws://c', 'failed', 20, 'refused'); // until 120
    expect(p.pick(50)).toEqual({ server: 'ws://b', index: 1, waitMs: 60 });
  });

  test('an overloaded server rests at least overloadedBackoffMs', () => {
    const p = pool();
    expect(p.recordFailure('ws://a', 'overloaded', 0, 'refused')).toBe(5_000);
    expect(p.isAvailable('ws://a', 4_999)).toBe(false);
    expect(p.isAvailable('ws://a', 5_000)).toBe(true);
  });

  test('each server has its own backoff, and a healthy session resets it', () => {
    const p = pool();
    expect([1, 2, 3].map(() => p.recordFailure('ws://a', 'failed', 0, 'refused'))).toEqual([100, 200, 400]);
    expect(p.recordFailure('ws://b', 'failed', 0, 'refused')).toBe(100);
    p.recordHealthy('ws://a');
    expect(p.isAvailable('ws://a', 0)).toBe(true);
    expect(p.recordFailure('ws://a', 'failed', 0, 'refused')).toBe(100);
  });

  test('tells for each server why it last failed, how long ago, and how long it still rests', () => {
    const p = pool();
    p.recordFailure('ws://b', 'failed', 10, 'connect ECONNREFUSED');
    p.recordFailure('ws://b', 'failed', 30, 'closed with code 1006');
    expect(p.rests(80)).toEqual([
      { server: 'ws://a', lastFailure: null, restMs: 0 },
      { server: 'ws://b', lastFailure: { reason: 'closed with code 1006', agoMs: 50 }, restMs: 150 },
      { server: 'ws://c', lastFailure: null, restMs: 0 },
    ]);
    // A healthy session ends the rest; the last failure stays on record, for the status page.
    p.recordHealthy('ws://b');
    expect(p.rests(300)[1]).toEqual({
      server: 'ws://b',
      lastFailure: { reason: 'closed with code 1006', agoMs: 270 },
      restMs: 0,
    });
  });

  test('needs at least one server', () => {
    expect(() => new ServerPool([], { minMs: 1, maxMs: 2 }, 1)).toThrow('at least one server');
  });
});

describe('chunkAccounts', () => {
  test('50,000 accounts: every request stays under the limit and the chunks add up to the list', () => {
    const accounts = generatedAddresses(50_000);
    expect(accounts.every((a) => isValidClassicAddress(a))).toBe(true);
    const limit = 900_000;
    const chunks = chunkAccounts(accounts, 'subscribe', 2, limit);
    expect(chunks.length).toBeGreaterThan(1);
    for (const [i, chunk] of chunks.entries()) {
      const request = JSON.stringify({
        command: 'subscribe',
        accounts: chunk,
        id: Number.MAX_SAFE_INTEGER,
        api_version: 2,
      });
      expect(Buffer.byteLength(request)).toBeLessThanOrEqual(limit);
      // Greedy packing: one more account would not have fitted (except in the last chunk).
      const next = chunks[i + 1]?.[0];
      if (next !== undefined) {
        const bigger = JSON.stringify({
          command: 'subscribe',
          accounts: [...chunk, next],
          id: Number.MAX_SAFE_INTEGER,
          api_version: 2,
        });
        expect(Buffer.byteLength(bigger)).toBeGreaterThan(limit);
      }
    }
    expect(chunks.flat()).toEqual(accounts);
  });

  test('a short list is one chunk and an empty list none', () => {
    expect(chunkAccounts(['rA', 'rB'], 'unsubscribe', 1, 1_000)).toEqual([['rA', 'rB']]);
    expect(chunkAccounts([], 'subscribe', 2, 1_000)).toEqual([]);
  });

  test('the limit is measured in bytes of the whole request', () => {
    const overhead = JSON.stringify({
      command: 'subscribe',
      accounts: [],
      id: Number.MAX_SAFE_INTEGER,
      api_version: 2,
    }).length;
    // Room for exactly two 4-byte entries ("rA" with quotes) plus one comma.
    expect(chunkAccounts(['rA', 'rB', 'rC'], 'subscribe', 2, overhead + 9)).toEqual([['rA', 'rB'], ['rC']]);
    expect(chunkAccounts(['rA', 'rB', 'rC'], 'subscribe', 2, overhead + 8)).toEqual([['rA'], ['rB'], ['rC']]);
  });
});

describe('classifyStreamMessage', () => {
  test.each([
    [
      { type: 'ledgerClosed', ledger_index: 1969852 },
      { kind: 'ledgerClosed', ledgerIndex: 1969852 },
    ],
    [
      { type: 'ledgerClosed', ledger_index: 4294967295 },
      { kind: 'ledgerClosed', ledgerIndex: 4294967295 },
    ],
    [
      { type: 'ledgerClosed', ledger_index: 4294967296 },
      { kind: 'invalid', reason: 'ledgerClosed without a valid ledger_index' },
    ],
    [
      { type: 'ledgerClosed', ledger_index: 0 },
      { kind: 'invalid', reason: 'ledgerClosed without a valid ledger_index' },
    ],
    [
      { type: 'ledgerClosed', ledger_index: 12.5 },
      { kind: 'invalid', reason: 'ledgerClosed without a valid ledger_index' },
    ],
    [{ type: 'ledgerClosed' }, { kind: 'invalid', reason: 'ledgerClosed without a valid ledger_index' }],
    [{ type: 'transaction', validated: true }, { kind: 'transaction' }],
    [{ type: 'serverStatus' }, { kind: 'invalid', reason: 'unexpected message type "serverStatus"' }],
    [{ hello: 1 }, { kind: 'invalid', reason: 'unexpected message type undefined' }],
    [{ type: { nested: true } }, { kind: 'invalid', reason: 'unexpected message type {"nested":true}' }],
  ])('%j -> %j', (message, expected) => {
    expect(classifyStreamMessage(message)).toEqual(expected);
  });

  test.each([
    ['xrpl.js/rippled/streams/ledger.json', { kind: 'ledgerClosed', ledgerIndex: 66093872 }],
    [
      'xrpl-dev-portal/extracted/subscribe.md-ledgerClosed.json',
      { kind: 'ledgerClosed', ledgerIndex: 7125358 },
    ],
    ['xrpl.js/rippled/streams/transaction.json', { kind: 'transaction' }],
    ['xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json', { kind: 'transaction' }],
  ])('real stream message %s', (file, expected) => {
    expect(classifyStreamMessage(loadFixture<Record<string, unknown>>(file))).toEqual(expected);
  });
});
