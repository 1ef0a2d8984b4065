import { type BackoffOptions, ExponentialBackoff } from './backoff.js';

/** `overloaded`: the server closed with 1008 or warned about load; it gets a longer rest. */
export type FailureKind = 'failed' | 'overloaded';

export interface ServerChoice {
  readonly server: string;
  readonly index: number;
  /** How long to wait before connecting (0 when the server may be tried now). */
  readonly waitMs: number;
}

/** One server as the pool sees it at `now`: why it last failed and how long it still rests. */
export interface ServerRest {
  readonly server: string;
  /** The last failure's reason and how long ago it was; null until the server fails. */
  readonly lastFailure: { readonly reason: string; readonly agoMs: number } | null;
  /** How long until the server may be tried again; 0 when it may be tried now. */
  readonly restMs: number;
}

interface ServerState {
  readonly url: string;
  readonly backoff: ExponentialBackoff;
  retryAt: number;
  lastFailure: { reason: string; at: number } | null;
}

/** Which server to try next. Each server keeps its own backoff; the choice is the first server in the
 * configured order whose rest is over, so a failure moves on to the next server at once, and an earlier
 * server is preferred again as soon as it may be retried. Time is an argument, never read here. */
export class ServerPool {
  private readonly states: ServerState[];
  private readonly overloadedBackoffMs: number;

  constructor(
    servers: readonly string[],
    backoff: BackoffOptions,
    overloadedBackoffMs: number,
    random: () => number = Math.random,
  ) {
    if (servers.length === 0) throw new Error('at least one server is required');
    this.states = servers.map((url) => ({
      url,
      backoff: new ExponentialBackoff(backoff, random),
      retryAt: 0,
      lastFailure: null,
    }));
    this.overloadedBackoffMs = overloadedBackoffMs;
  }

  get servers(): readonly string[] {
    return this.states.map((s) => s.url);
  }

  indexOf(server: string): number {
    return this.states.findIndex((s) => s.url === server);
  }

  isAvailable(server: string, now: number): boolean {
    const state = this.states.find((s) => s.url === server);
    return state !== undefined && state.retryAt <= now;
  }

  pick(now: number): ServerChoice {
    let soonest = 0;
    for (const [index, state] of this.states.entries()) {
      if (state.retryAt <= now) return { server: state.url, index, waitMs: 0 };
      if (state.retryAt < (this.states[soonest]?.retryAt ?? Number.POSITIVE_INFINITY)) soonest = index;
    }
    const state = this.states[soonest]!;
    return { server: state.url, index: soonest, waitMs: wholeMs(state.retryAt - now) };
  }

  /** Records a failure (and why, for the status page) and returns how long this server now rests. */
  recordFailure(server: string, kind: FailureKind, now: number, reason: string): number {
    const state = this.states.find((s) => s.url === server);
    if (state === undefined) return 0;
    const delay = state.backoff.next();
    const rest = kind === 'overloaded' ? Math.max(delay, this.overloadedBackoffMs) : delay;
    state.retryAt = now + rest;
    state.lastFailure = { reason, at: now };
    return rest;
  }

  /** Every server in the configured order, as of `now`. */
  rests(now: number): ServerRest[] {
    return this.states.map((state) => ({
      server: state.url,
      lastFailure:
        state.lastFailure === null
          ? null
          : { reason: state.lastFailure.reason, agoMs: Math.max(0, now - state.lastFailure.at) },
      restMs: Math.max(0, wholeMs(state.retryAt - now)),
    }));
  }

  /** A session stayed healthy long enough: the next failure starts again from the shortest delay. */
  recordHealthy(server: string): void {
    const state = this.states.find((s) => s.url === server);
    if (state === undefined) return;
    state.backoff.reset();
    state.retryAt = 0;
  }
}

/**
 * Milliseconds rounded up, but not for floating-point noise: with `now` from performance.now(),
 * (now + rest) - now can exceed a whole `rest` by a few ulps (500000.3 + 60000 - 500000.3 is
 * 60000.00000000006), which must still read 60000.
 */
function wholeMs(ms: number): number {
  return Math.ceil(ms - 1e-6);
}
