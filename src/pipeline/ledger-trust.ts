/**
 * Which ledger indexes a server may be believed about, as pure bookkeeping.
 *
 * A ledger index moves the checkpoint, so one implausible index (4,000,000,000) would put every real
 * ledger behind it and silently stop all counting. An index is trusted only when it is consistent
 * with what the server said when the session started (the subscribe answer and `server_info`, which
 * must agree with each other and with the newest ledger trusted on earlier sessions) and with the
 * previous ledger of the session: later, with a close time that does not go backwards, and no more
 * ledgers ahead than seconds of close time have passed. That bound is the real network's: every
 * ledger closes at least one second after its parent (close times are rounded to at most 10 s and
 * bumped by 1 s when equal; rippled `Consensus::effCloseTime`), so index advance <= close-time advance.
 *
 * Close times are the server's word too, so two more rules keep a liar from carrying the index away:
 * - a close time after the local clock (`now`, Unix seconds, given by the caller) beyond
 *   MAX_CLOSE_TIME_AHEAD is a lie: a far-future close time would otherwise "prove" any index;
 * - the bound also holds from the first ledger trusted with a close time (the origin), not only from
 *   the previous one: the slack allowed on each step cannot add up over a run of small jumps.
 * So no trusted index is more than LEDGER_JUMP_SLACK ledgers past the origin's plus the seconds from
 * the origin's close to the local clock (plus MAX_CLOSE_TIME_AHEAD).
 */

/** A server's claim about a validated ledger: its index and close time (Unix seconds) when given. */
export interface LedgerClaim {
  readonly index: number;
  readonly closeTime: number | null;
}

/** What a session said about its newest validated ledger when it started. */
export interface SessionClaims {
  /** The ledger-stream subscribe answer (`ledger_index`, `ledger_time`). */
  readonly subscribe: LedgerClaim | null;
  /** `server_info`'s `validated_ledger`. */
  readonly serverInfo: LedgerClaim | null;
}

export type SessionVerdict =
  /** `anchor`: the index the session starts from (null when the server named none). */
  | { readonly trusted: true; readonly anchor: number | null }
  | { readonly trusted: false; readonly reason: string };

export type LedgerJudgement =
  /** A new validated ledger, now the session's newest. */
  | { readonly kind: 'new' }
  /** Not newer than what the session already stands on, and harmless (the subscribe answer's ledger
   * announced again, or announced before the subscription completed): no effect. */
  | { readonly kind: 'old' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Rounding and clock slack on top of one ledger per second of close time. */
export const LEDGER_JUMP_SLACK = 30;

/**
 * How far a close time may be after the local clock, in seconds: the network rounds close times to
 * its `close_time_resolution` (10 s today, at most 120 s: xrpl.org, Ledger Header and Ledger Close
 * Times), so up to 60 s later than the real close, and the host's clock may be somewhat behind.
 */
export const MAX_CLOSE_TIME_AHEAD = 120;

export class LedgerTrust {
  /** The newest ledger trusted on any session: a new session's start must be consistent with it. */
  private newest: LedgerClaim | null = null;
  /** The first ledger trusted with a close time, on any session: every later claim is bounded from it. */
  private origin: { readonly index: number; readonly closeTime: number } | null = null;
  /** The session's newest trusted ledger (its anchor first); null without an anchor. */
  private last: LedgerClaim | null = null;
  /** Nothing accepted since the anchor: the anchor's ledger announced again is a race, not junk. */
  private atAnchor = false;

  /**
   * A session has subscribed at `now` (the local clock, Unix seconds): decides whether its claims can
   * be trusted and where it starts.
   */
  startSession(claims: SessionClaims, now: number): SessionVerdict {
    this.last = null;
    this.atAnchor = false;
    const { subscribe, serverInfo } = claims;
    if (subscribe && serverInfo && Math.abs(subscribe.index - serverInfo.index) > LEDGER_JUMP_SLACK) {
      return {
        trusted: false,
        reason: `subscribe answered ledger ${subscribe.index} but server_info said ${serverInfo.index}`,
      };
    }
    // The subscribe answer names the ledger the stream starts after; server_info may supply its close time.
    const anchor = subscribe
      ? {
          index: subscribe.index,
          closeTime:
            subscribe.closeTime ?? (serverInfo?.index === subscribe.index ? serverInfo.closeTime : null),
        }
      : serverInfo;
    if (anchor === null) return { trusted: true, anchor: null };
    const future = closesInFuture(subscribe, now) ?? closesInFuture(serverInfo, now);
    if (future) return { trusted: false, reason: `the server starts at ${future}` };
    const jump = this.newest && this.implausible(this.newest, anchor);
    if (jump) return { trusted: false, reason: `the server starts at ${jump}` };
    this.accept(anchor);
    this.atAnchor = true;
    return { trusted: true, anchor: anchor.index };
  }

  /** The newest ledger trusted on the current session, or null. */
  get sessionLedger(): number | null {
    return this.last?.index ?? null;
  }

  endSession(): void {
    this.last = null;
    this.atAnchor = false;
  }

  /**
   * Judges a `ledgerClosed` of the current session at `now` (the local clock, Unix seconds).
   * `beforeSubscribed`: it arrived before the subscribe answer, so an index at or below the anchor is
   * merely older, not wrong.
   */
  judge(claim: LedgerClaim, now: number, beforeSubscribed = false): LedgerJudgement {
    const last = this.last;
    if (last !== null && claim.index <= last.index) {
      if (beforeSubscribed || (this.atAnchor && claim.index === last.index)) return { kind: 'old' };
      return { kind: 'invalid', reason: `ledgerClosed ${claim.index} is not after ledger ${last.index}` };
    }
    const future = closesInFuture(claim, now);
    if (future) return { kind: 'invalid', reason: `ledgerClosed ${future}` };
    const reference = last ?? this.newest;
    const jump = reference && this.implausible(reference, claim);
    if (jump) return { kind: 'invalid', reason: `ledgerClosed ${jump}` };
    this.accept(claim);
    return { kind: 'new' };
  }

  private accept(claim: LedgerClaim): void {
    // A claim without a close time keeps the previous one: the next jump is then measured from it.
    const closeTime = claim.closeTime ?? this.last?.closeTime ?? null;
    this.last = { index: claim.index, closeTime };
    this.atAnchor = false;
    if (this.newest === null || claim.index > this.newest.index) this.newest = this.last;
    if (this.origin === null && claim.closeTime !== null) {
      this.origin = { index: claim.index, closeTime: claim.closeTime };
    }
  }

  /** Why `claim` cannot follow `reference` (and the origin) on the real network, or null when it can. */
  private implausible(reference: LedgerClaim, claim: LedgerClaim): string | null {
    const origin = this.origin;
    // A claim without a close time is measured with the newest close time known (the reference's).
    const closeTime = claim.closeTime ?? reference.closeTime;
    const step = implausibleJump(reference, claim);
    if (step || origin === null || closeTime === null) return step;
    const sinceOrigin = implausibleJump(origin, { index: claim.index, closeTime });
    return sinceOrigin && `${sinceOrigin}, counting from ledger ${origin.index}`;
  }
}

/** Why `claim`'s close time cannot be true at `now` (it is after the local clock), or null. */
function closesInFuture(claim: LedgerClaim | null, now: number): string | null {
  if (!claim || claim.closeTime === null || claim.closeTime <= now + MAX_CLOSE_TIME_AHEAD) return null;
  return `${claim.index} closes ${Math.round(claim.closeTime - now)} s after the local clock (is the host clock behind?)`;
}

/**
 * Why `claim` cannot follow `reference` on the real network, or null when it can. Only a claim ahead
 * of the reference is judged (a server behind another one is merely late). Without both close times
 * only LEDGER_JUMP_SLACK ledgers of advance can be believed.
 */
function implausibleJump(reference: LedgerClaim, claim: LedgerClaim): string | null {
  if (claim.index <= reference.index) return null;
  const ahead = claim.index - reference.index;
  if (reference.closeTime === null || claim.closeTime === null) {
    return ahead > LEDGER_JUMP_SLACK
      ? `${claim.index} jumps ${ahead} ledgers past ${reference.index} without close times to prove it`
      : null;
  }
  const seconds = claim.closeTime - reference.closeTime;
  if (seconds < 0) {
    return `${claim.index} closes before ledger ${reference.index} (${claim.closeTime} < ${reference.closeTime})`;
  }
  if (ahead > Math.ceil(seconds) + LEDGER_JUMP_SLACK) {
    return `${claim.index} jumps ${ahead} ledgers in ${seconds} s`;
  }
  return null;
}
