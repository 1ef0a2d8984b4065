import Big from 'big.js';
import { Exact } from './exact.js';

/**
 * Exact histogram of XRP payment sizes for one account. Bucket counts are per bucket (not
 * cumulative): `buckets[i]` counts values in (bounds[i-1], bounds[i]], the last slot counts values
 * above every bound (+Inf). The exposition makes them cumulative.
 */
export interface SizeHistogram {
  readonly buckets: number[];
  sum: Exact;
  count: number;
}

export function emptyHistogram(boundCount: number): SizeHistogram {
  return { buckets: new Array<number>(boundCount + 1).fill(0), sum: Exact.ZERO, count: 0 };
}

/** Bucket upper bounds compiled once to Big, so an observation compares exactly (0.1 is 0.1, not a float). */
export class BucketBounds {
  readonly values: readonly number[];
  private readonly exact: readonly Big[];

  constructor(bounds: readonly number[]) {
    for (let i = 0; i < bounds.length; i++) {
      const bound = bounds[i]!;
      if (!Number.isFinite(bound)) throw new Error(`payment size bucket ${bound} is not a finite number`);
      if (i > 0 && bound <= bounds[i - 1]!)
        throw new Error('payment size buckets must be strictly increasing');
    }
    this.values = [...bounds];
    this.exact = bounds.map((b) => new Big(b));
  }

  sameAs(other: readonly number[]): boolean {
    return other.length === this.values.length && other.every((b, i) => b === this.values[i]);
  }

  /** Index of the first bucket whose upper bound is >= value; bounds.length means +Inf. */
  indexOf(value: Big): number {
    let lo = 0;
    let hi = this.exact.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (value.lte(this.exact[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export function observe(histogram: SizeHistogram, bounds: BucketBounds, value: Big): void {
  const index = bounds.indexOf(value);
  histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
  histogram.sum = histogram.sum.plus(value);
  histogram.count += 1;
}
