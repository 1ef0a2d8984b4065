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

export class LedgerTrust {
  /** The newest ledger trusted on any session: a new session's start must be consistent with it. */
  private newest: LedgerClaim | null = null;
  /** The session's newest trusted ledger (its anchor first); null without an anchor. */
  private last: LedgerClaim | null = null;
  /** Nothing accepted since the anchor: the anchor's ledger announced again is a race, not junk. */
  private atAnchor = false;

  /** A session has subscribed: decides whether its claims can be trusted and where it starts. */
  startSession(claims: SessionClaims): SessionVerdict {
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
    const jump = this.newest && implausibleJump(this.newest, anchor);
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
   * Judges a `ledgerClosed` of the current session. `beforeSubscribed`: it arrived before the
   * subscribe answer, so an index at or below the anchor is merely older, not wrong.
   */
  judge(claim: LedgerClaim, beforeSubscribed = false): LedgerJudgement {
    const last = this.last;
    if (last !== null && claim.index <= last.index) {
      if (beforeSubscribed || (this.atAnchor && claim.index === last.index)) return { kind: 'old' };
      return { kind: 'invalid', reason: `ledgerClosed ${claim.index} is not after ledger ${last.index}` };
    }
    const reference = last ?? this.newest;
    const jump = reference && implausibleJump(reference, claim);
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
  }
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
