import { describe, expect, it } from 'vitest';
import {
  type LedgerClaim,
  LedgerTrust,
  MAX_CLOSE_TIME_AHEAD,
  type SessionClaims,
} from '../../src/pipeline/ledger-trust.js';
import { ledgerTimeToUnix, RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';

/**
 * The local clock of every case (Unix seconds): 2026-12-01T00:00:00Z. Close times below are given as
 * the stream gives them (`ledger_time`, Ripple epoch); the session starts on ledger 1000, closed 10 s
 * before the local clock.
 */
const NOW = Date.parse('2026-12-01T00:00:00Z') / 1000;
const NOW_RIPPLE = NOW - RIPPLE_EPOCH_OFFSET;
const claim = (index: number, ledgerTime?: number): LedgerClaim => ({
  index,
  closeTime: ledgerTimeToUnix(ledgerTime),
});
const SUBSCRIBED: SessionClaims = { subscribe: claim(1000, NOW_RIPPLE - 10), serverInfo: null };
const verdictOf = (judgement: ReturnType<LedgerTrust['judge']>) =>
  judgement.kind === 'invalid' ? judgement.reason : judgement.kind;

describe('LedgerTrust: a ledgerClosed after the subscribe answer', () => {
  it.each([
    { name: 'the next ledger, 4 s later', claim: claim(1001, NOW_RIPPLE - 6), verdict: 'new' },
    {
      name: 'a few ledgers skipped (the stream dropped some)',
      claim: claim(1005, NOW_RIPPLE + 6),
      verdict: 'new',
    },
    {
      name: 'a close time within the rounding and clock tolerance after the local clock',
      claim: claim(1002, NOW_RIPPLE + MAX_CLOSE_TIME_AHEAD),
      verdict: 'new',
    },
    {
      name: 'far ahead with a far-future close time that keeps pace with the index (the review case)',
      claim: { index: 4_000_000_000, closeTime: NOW + 4_000_000_000 },
      verdict:
        'ledgerClosed 4000000000 closes 4000000000 s after the local clock (is the host clock behind?)',
    },
    {
      name: 'far ahead with a future close time a UInt32 holds, keeping pace with the index',
      claim: claim(1000 + (4_200_000_000 - (NOW_RIPPLE - 10)), 4_200_000_000),
      verdict: `ledgerClosed ${1000 + (4_200_000_000 - (NOW_RIPPLE - 10))} closes ${4_200_000_000 - NOW_RIPPLE} s after the local clock (is the host clock behind?)`,
    },
    {
      name: 'a close time just beyond the tolerance',
      claim: claim(1001, NOW_RIPPLE + MAX_CLOSE_TIME_AHEAD + 1),
      verdict: `ledgerClosed 1001 closes ${MAX_CLOSE_TIME_AHEAD + 1} s after the local clock (is the host clock behind?)`,
    },
    {
      name: 'more ledgers than seconds of close time',
      claim: claim(1100, NOW_RIPPLE + 10),
      verdict: 'ledgerClosed 1100 jumps 100 ledgers in 20 s',
    },
    {
      name: 'a close time before the previous ledger',
      claim: claim(1001, NOW_RIPPLE - 20),
      verdict: `ledgerClosed 1001 closes before ledger 1000 (${NOW - 20} < ${NOW - 10})`,
    },
    {
      name: 'far ahead without a close time',
      claim: claim(1100),
      verdict: 'ledgerClosed 1100 jumps 100 ledgers past 1000 without close times to prove it',
    },
    {
      name: 'a ledger_time beyond a UInt32 is no close time: far ahead without proof',
      claim: claim(1100, 0x1_0000_0000),
      verdict: 'ledgerClosed 1100 jumps 100 ledgers past 1000 without close times to prove it',
    },
    { name: 'the same ledger again', claim: claim(1000, NOW_RIPPLE - 10), verdict: 'old' },
  ])('$name', ({ claim: announced, verdict }) => {
    const trust = new LedgerTrust();
    expect(trust.startSession(SUBSCRIBED, NOW)).toEqual({ trusted: true, anchor: 1000 });
    expect(verdictOf(trust.judge(announced, NOW))).toBe(verdict);
    // Only a new ledger moves the session's newest ledger.
    expect(trust.sessionLedger).toBe(verdict === 'new' ? announced.index : 1000);
  });

  it.each([
    {
      name: 'with one close time',
      claims: [claim(1030, NOW_RIPPLE - 10), claim(1060, NOW_RIPPLE - 10), claim(1061, NOW_RIPPLE - 9)],
      verdicts: [
        'new',
        'ledgerClosed 1060 jumps 60 ledgers in 0 s, counting from ledger 1000',
        'ledgerClosed 1061 jumps 61 ledgers in 1 s, counting from ledger 1000',
      ],
    },
    {
      name: 'without close times',
      claims: [claim(1030), claim(1060), claim(1031)],
      verdicts: [
        'new',
        'ledgerClosed 1060 jumps 60 ledgers in 0 s, counting from ledger 1000',
        'ledgerClosed 1031 jumps 31 ledgers in 0 s, counting from ledger 1000',
      ],
    },
  ])('cannot carry the index away by a run of small jumps $name', ({ claims, verdicts }) => {
    const trust = new LedgerTrust();
    trust.startSession(SUBSCRIBED, NOW);
    // Each step alone is within the slack of the previous ledger; together they are not.
    expect(claims.map((c) => verdictOf(trust.judge(c, NOW)))).toEqual(verdicts);
    expect(trust.sessionLedger).toBe(1030);
  });

  it('bounds later sessions from the first ledger trusted with a close time', () => {
    const trust = new LedgerTrust();
    trust.startSession(SUBSCRIBED, NOW);
    expect(verdictOf(trust.judge(claim(1020), NOW))).toBe('new');
    trust.endSession();
    // Within the slack of the newest ledger (1020, without a close time of its own), not of the origin.
    expect(
      trust.startSession({ subscribe: claim(1060, NOW_RIPPLE + 10), serverInfo: null }, NOW + 20),
    ).toEqual({
      trusted: false,
      reason: 'the server starts at 1060 jumps 60 ledgers in 20 s, counting from ledger 1000',
    });
    expect(
      trust.startSession({ subscribe: claim(1060, NOW_RIPPLE + 40), serverInfo: null }, NOW + 60),
    ).toEqual({
      trusted: true,
      anchor: 1060,
    });
  });
});

describe('LedgerTrust: where a session starts', () => {
  it.each([
    {
      name: 'a subscribe answer and server_info that agree',
      claims: { subscribe: claim(1000, NOW_RIPPLE - 10), serverInfo: claim(1000, NOW_RIPPLE - 10) },
      verdict: { trusted: true, anchor: 1000 },
    },
    {
      name: 'a subscribe answer closing in the far future',
      claims: { subscribe: claim(3_000_000_000, NOW_RIPPLE + 3_000_000_000), serverInfo: null },
      verdict: {
        trusted: false,
        reason:
          'the server starts at 3000000000 closes 3000000000 s after the local clock (is the host clock behind?)',
      },
    },
    {
      name: 'server_info closing in the future, the subscribe answer without a close time',
      claims: { subscribe: claim(1000), serverInfo: claim(1000, NOW_RIPPLE + 600) },
      verdict: {
        trusted: false,
        reason: 'the server starts at 1000 closes 600 s after the local clock (is the host clock behind?)',
      },
    },
    {
      name: 'a subscribe answer and server_info that disagree',
      claims: { subscribe: claim(3_000_000_000), serverInfo: claim(1000) },
      verdict: { trusted: false, reason: 'subscribe answered ledger 3000000000 but server_info said 1000' },
    },
  ])('$name', ({ claims, verdict }) => {
    expect(new LedgerTrust().startSession(claims, NOW)).toEqual(verdict);
  });
});
