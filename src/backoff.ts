/**
 * The nominal delay before retrying after `failures` consecutive failures (1: the first): `firstMs`,
 * doubled per further failure, never more than `maxMs`. The exponent stops at 52 only to stay finite.
 */
export function doublingDelay(failures: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.min(Math.max(failures - 1, 0), 52));
}
