import type { CloseInfo, RequestConnection } from './request-connection.js';

/** Why a session ended; the client's loop decides what to do next from it. */
export type SessionEnd =
  | { readonly kind: 'closed'; readonly reason: string }
  /** 1008 close ("client is too slow" / "threshold exceeded") or a load warning: rest this server longer. */
  | { readonly kind: 'overloaded'; readonly reason: string }
  /** Failed subscribe, failed heartbeat, stale ledger stream: we dropped it. */
  | { readonly kind: 'unhealthy'; readonly reason: string }
  | { readonly kind: 'stopped' }
  /** An earlier (preferred) server answered: continue on `to`, which is already open. */
  | { readonly kind: 'switch'; readonly to: Session };

/** One connection's life as the client's session: its flags, its timers and how it ended. All timers
 * are unref'd and cleared when the session ends, so an ended session holds nothing alive. */
export class Session {
  readonly server: string;
  connection: RequestConnection | null = null;
  subscribed = false;
  /** A ledgerClosed (or the subscribe answer) arrived within staleAfterMs. */
  fresh = false;
  readonly ended: Promise<SessionEnd>;
  private endWith: (end: SessionEnd) => void = () => {};
  private isDone = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private staleTimer: NodeJS.Timeout | null = null;

  constructor(server: string) {
    this.server = server;
    this.ended = new Promise((resolve) => {
      this.endWith = resolve;
    });
  }

  get done(): boolean {
    return this.isDone;
  }

  /** The first call wins; later calls (a close racing a stale timer...) are ignored. */
  finish(end: SessionEnd): void {
    if (this.isDone) return;
    this.isDone = true;
    this.fresh = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.staleTimer = null;
    this.endWith(end);
  }

  every(ms: number, tick: () => void): void {
    if (this.isDone) return;
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.add(timer);
  }

  after(ms: number, fire: () => void): NodeJS.Timeout | null {
    if (this.isDone) return null;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fire();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  /** Application-level `ping` every `intervalMs`, one at a time (rippled answers `ping` with an empty
   * result); the first failure is handed to `onFailure`, which normally ends the session. */
  heartbeat(intervalMs: number, onFailure: (error: unknown) => void): void {
    let inFlight = false;
    this.every(intervalMs, () => {
      const connection = this.connection;
      if (inFlight || this.isDone || connection === null) return;
      inFlight = true;
      connection.request({ command: 'ping' }).then(
        () => {
          inFlight = false;
        },
        (error: unknown) => {
          inFlight = false;
          if (!this.isDone) onFailure(error);
        },
      );
    });
  }

  /** (Re)arms the stale-stream deadline: called on subscribe and on every ledgerClosed. */
  markFresh(staleAfterMs: number, onStale: () => void): void {
    if (this.isDone) return;
    this.fresh = true;
    if (this.staleTimer !== null) {
      clearTimeout(this.staleTimer);
      this.timers.delete(this.staleTimer);
    }
    this.staleTimer = this.after(staleAfterMs, () => {
      this.fresh = false;
      onStale();
    });
  }
}

export function closeToEnd(info: CloseInfo): SessionEnd {
  const reason = `closed with code ${info.code}${info.reason ? ` (${info.reason})` : ''}${info.error ? `: ${info.error}` : ''}`;
  // 1008 policy error: rippled's "client is too slow" and "threshold exceeded" (xrpl-protocol.md §6).
  return info.code === 1008 ? { kind: 'overloaded', reason } : { kind: 'closed', reason };
}
