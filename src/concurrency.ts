/** Runs `work` over `items` with at most `limit` in flight (pipelined requests to one server). */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * `work` wrapped so calls run one at a time, in call order: each starts once the previous one has
 * settled, whether it succeeded or failed (its failure is its caller's and does not stop the next call).
 */
export function oneAtATime<A extends unknown[], R>(
  work: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let last: Promise<unknown> = Promise.resolve();
  return (...args) => {
    const run = last.then(() => work(...args));
    last = run.catch(() => undefined);
    return run;
  };
}
