import { describe, expect, it } from 'vitest';
import { forEachLimited, oneAtATime } from '../src/concurrency.js';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('oneAtATime', () => {
  it('starts each call only after the previous one settled, and a failure does not stop the next', async () => {
    const started: string[] = [];
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const run = oneAtATime((name: string) => {
      started.push(name);
      const d = deferred<string>();
      pending.set(name, d);
      return d.promise;
    });
    const a = run('a');
    const b = run('b');
    const c = run('c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a']);
    pending.get('a')!.reject(new Error('a failed'));
    await expect(a).rejects.toThrow('a failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b']);
    pending.get('b')!.resolve('B');
    await expect(b).resolves.toBe('B');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c']);
    pending.get('c')!.resolve('C');
    await expect(c).resolves.toBe('C');
  });
});

describe('forEachLimited', () => {
  it('never has more than the limit in flight and visits every item once', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(item);
      inFlight -= 1;
    });
    expect(most).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
