import { doublingDelay } from '../backoff.js';

export interface BackoffOptions {
  /** First delay. @default 100 */
  readonly minMs: number;
  /** Cap: a daemon retries forever, but never waits longer than this. @default 60_000 */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 100, maxMs: 60_000 };

/** Capped exponential backoff with "equal jitter": each delay is drawn from [d/2, d) where d doubles
 * per failure up to maxMs, so clients that failed together do not retry together, yet never retry
 * sooner than half the nominal delay. */
export class ExponentialBackoff {
  private failures = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random) {
    this.options = options;
    this.random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    this.failures += 1;
    const nominal = doublingDelay(this.failures, this.options.minMs, this.options.maxMs);
    const jitter = Math.min(Math.max(this.random(), 0), 1);
    return Math.round(nominal / 2 + (nominal / 2) * jitter);
  }

  reset(): void {
    this.failures = 0;
  }

  get failureCount(): number {
    return this.failures;
  }
}
