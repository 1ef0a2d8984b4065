/* The outbox discipline with a scripted in-memory sink: what happens is decided by the test, per attempt. */

import { afterEach, describe, expect, test } from 'vitest';
import { Outbox, type OutboxEntry } from '../../../src/alerts/sinks/outbox.js';
import type { Delivery, Sink } from '../../../src/alerts/sinks/types.js';

interface Scripted extends Sink<string> {
  /** Every delivery: target and payloads. */
  readonly calls: { target: string; payloads: readonly string[] }[];
  /** Deliveries waiting for release(). */
  readonly held: (() => void)[];
  closed: number;
}

/** A sink that answers with `answer(target, payloads)`; when `hold` is set, each delivery waits for release. */
function scripted(
  answer: (target: string, payloads: readonly string[]) => Delivery<string>,
  options: { batchSize?: number; hold?: boolean } = {},
): Scripted {
  const sink: Scripted = {
    batchSize: options.batchSize ?? 1,
    calls: [],
    held: [],
    closed: 0,
    async deliver(target, payloads) {
      sink.calls.push({ target, payloads });
      if (options.hold) await new Promise<void>((resolve) => sink.held.push(resolve));
      return answer(target, payloads);
    },
    close() {
      sink.closed += 1;
    },
  };
  return sink;
}

const delivered: Delivery<string> = { status: 'delivered', refused: [] };

const outboxes: Outbox<string>[] = [];
afterEach(async () => {
  for (const box of outboxes.splice(0)) await box.stop();
});

function outbox(sink: Sink<string>, extra: { concurrency?: number; stopGraceMs?: number } = {}) {
  const box = new Outbox<string>({
    name: 'alertmanager',
    sink,
    describe: (p) => p,
    isPayload: (v): v is string => typeof v === 'string',
    retryInitialMs: 10,
    retryMaxMs: 50,
    ...extra,
  });
  outboxes.push(box);
  return box;
}

const entry = (
  key: string,
  payload: string,
  extra: Partial<OutboxEntry<string>> = {},
): OutboxEntry<string> => ({
  key,
  target: 'http://am1',
  rule: 'r',
  payload,
  mode: 'once',
  ...extra,
});

describe('outbox', () => {
  test('batches per target up to the sink size; targets are independent', async () => {
    const sink = scripted(() => delivered, { batchSize: 2 });
    const box = outbox(sink);
    for (const k of ['a', 'b', 'c']) box.enqueue(entry(k, k));
    box.enqueue(entry('d', 'd', { target: 'http://am2' }));
    await box.idle();
    expect(sink.calls.map((c) => `${c.target} ${c.payloads.join('')}`).sort()).toEqual([
      'http://am1 ab',
      'http://am1 c',
      'http://am2 d',
    ]);
  });

  test('a `latest` entry replaces the queued one, and one that arrives during delivery is delivered after it', async () => {
    const sink = scripted(() => delivered, { hold: true });
    const box = outbox(sink);
    box.enqueue(entry('alert', 'firing v1', { mode: 'latest' }));
    await expect.poll(() => sink.held.length).toBe(1);
    box.enqueue(entry('alert', 'firing v2', { mode: 'latest' }));
    box.enqueue(entry('alert', 'resolved', { mode: 'latest' }));
    expect(box.snapshot().queued.map((e) => e.payload)).toEqual(['resolved']);
    sink.held.shift()?.();
    await expect.poll(() => sink.held.length).toBe(1);
    sink.held.shift()?.();
    await box.idle();
    expect(sink.calls.map((c) => c.payloads[0])).toEqual(['firing v1', 'resolved']);
    // `latest` keys are not retired: the alert can be sent again.
    expect(box.enqueue(entry('alert', 'firing again', { mode: 'latest' }))).toBe(true);
  });

  test('a target failure pauses that target only, with backoff, and retries the same item', async () => {
    let failures = 2;
    const sink = scripted((target) => {
      if (target === 'http://am1' && failures > 0) {
        failures -= 1;
        return {
          status: 'failed',
          permanent: false,
          scope: 'target',
          error: 'connection refused',
          refused: [],
        };
      }
      return delivered;
    });
    const box = outbox(sink);
    box.enqueue(entry('x', 'x'));
    box.enqueue(entry('y', 'y', { target: 'http://am2' }));
    await box.idle();
    expect(sink.calls.map((c) => `${c.target} ${c.payloads[0]}`)).toEqual([
      'http://am1 x',
      'http://am2 y',
      'http://am1 x',
      'http://am1 x',
    ]);
    const [am1] = box.status(['http://am1']);
    expect(am1).toMatchObject({ queued: 0, lastError: null });
    expect(am1?.lastSuccessAt).not.toBeNull();
  });

  // Review finding M4: alerts queued for a removed Alertmanager URL were retried forever after a restart,
  // and dropped by a reload instead of going to the URLs configured now.
  describe('retarget', () => {
    const down: Delivery<string> = {
      status: 'failed',
      permanent: false,
      scope: 'target',
      error: 'down',
      refused: [],
    };
    const rekey = (e: OutboxEntry<string>, target: string) => ({
      ...e,
      target,
      key: `${target} ${e.payload}`,
    });
    const at = (target: string, payload: string) => entry(`${target} ${payload}`, payload, { target });

    test('gives every queued notification to each current target once, and never tries a removed one again', async () => {
      const sink = scripted((target) => (target === 'http://am1' ? down : delivered));
      const box = outbox(sink);
      for (const target of ['http://am1', 'http://am2'])
        for (const p of ['x', 'y']) box.enqueue(at(target, p));
      await expect.poll(() => sink.calls.filter((c) => c.target === 'http://am1').length).toBeGreaterThan(0);
      await expect
        .poll(() => box.snapshot().queued.map((e) => e.key))
        .toEqual(['http://am1 x', 'http://am1 y']);
      const before = sink.calls.length;

      expect(box.retarget(['http://am2', 'http://am3'], rekey)).toEqual({ added: 2, dropped: 2 });
      await box.idle();
      const after = sink.calls.slice(before).flatMap((c) => c.payloads.map((p) => `${c.target} ${p}`));
      // am2 already had both; am3 is new and gets each once; am1 is never called again.
      expect(after.sort()).toEqual(['http://am3 x', 'http://am3 y']);
      expect(box.status(['http://am2', 'http://am3']).map((s) => s.target)).toEqual([
        'http://am2',
        'http://am3',
      ]);
      // Delivered keys stay delivered: the same alert enqueued again is not sent again.
      expect(box.enqueue(at('http://am3', 'x'))).toBe(false);
    });

    test('a delivery in flight to a removed target is not retried there once it fails', async () => {
      const sink = scripted((target) => (target === 'http://am1' ? down : delivered), { hold: true });
      const box = outbox(sink);
      box.enqueue(at('http://am1', 'x'));
      await expect.poll(() => sink.held.length).toBe(1);
      expect(box.retarget(['http://am2'], rekey)).toEqual({ added: 1, dropped: 1 });
      await expect.poll(() => sink.held.length).toBe(2); // the copy for am2 goes out at once
      for (const release of sink.held.splice(0)) release();
      await box.idle();
      expect(sink.calls.map((c) => `${c.target} ${c.payloads.join('')}`)).toEqual([
        'http://am1 x',
        'http://am2 x',
      ]);
      expect(box.status([]).map((s) => s.target)).toEqual([]);
    });
  });

  test('stop() waits for a delivery in flight at most the grace period, and keeps it queued', async () => {
    const sink = scripted(() => delivered, { hold: true });
    const box = outbox(sink, { stopGraceMs: 50 });
    box.enqueue(entry('x', 'x'));
    await expect.poll(() => sink.held.length).toBe(1);
    await box.stop();
    expect(sink.closed).toBe(1);
    expect(box.snapshot().queued.map((e) => e.key)).toEqual(['x']);
    expect(box.enqueue(entry('y', 'y'))).toBe(false);
  });

  test('a sink that throws is treated as a transient failure, never a crash', async () => {
    let thrown = false;
    const sink: Sink<string> = {
      batchSize: 1,
      async deliver() {
        if (!thrown) {
          thrown = true;
          throw new Error('boom');
        }
        return delivered;
      },
      close() {},
    };
    const box = outbox(sink);
    box.enqueue(entry('x', 'x'));
    await box.idle();
    expect(thrown).toBe(true);
  });
});
