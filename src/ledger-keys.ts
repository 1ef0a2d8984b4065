import { createHash } from 'node:crypto';
import { decodeAccountID } from 'ripple-address-codec';

// Ledger entry ids (keylets) as rippled computes them: SHA-512Half of a 2-byte space key followed by the
// entry's identifying fields (rippled src/libxrpl/protocol/Indexes.cpp, LedgerNameSpace).
const SPACE_ACCOUNT = 0x0061; // 'a'
const SPACE_RIPPLE_STATE = 0x0072; // 'r'
const SPACE_MPTOKEN = 0x0074; // 't'
const SPACE_MPTOKEN_ISSUANCE = 0x007e; // '~'

function sha512Half(...parts: Uint8Array[]): string {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest().subarray(0, 32).toString('hex').toUpperCase();
}

function space(code: number): Uint8Array {
  return Uint8Array.of(code >> 8, code & 0xff);
}

/** keylet::account: the AccountRoot's LedgerIndex. */
export function accountRootIndex(account: string): string {
  return sha512Half(space(SPACE_ACCOUNT), decodeAccountID(account));
}

/** True when `a` is the low account of a trust line with `b` (AccountIDs compared as 160-bit numbers). */
export function isLowAccount(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(decodeAccountID(a)), Buffer.from(decodeAccountID(b))) < 0;
}

/**
 * A currency code as its 160-bit form: 40 hex digits as they are; a 3-character ISO-style code as 12 zero
 * bytes, the ASCII code, 5 zero bytes.
 */
function currencyBytes(code: string): Uint8Array {
  if (/^[0-9A-Fa-f]{40}$/.test(code)) return Buffer.from(code, 'hex');
  const bytes = new Uint8Array(20);
  bytes.set(Buffer.from(code, 'ascii'), 12);
  return bytes;
}

/** keylet::line: the RippleState's LedgerIndex (low account, high account, currency). */
export function rippleStateIndex(a: string, b: string, currency: string): string {
  const [low, high] = isLowAccount(a, b) ? [a, b] : [b, a];
  return sha512Half(
    space(SPACE_RIPPLE_STATE),
    decodeAccountID(low),
    decodeAccountID(high),
    currencyBytes(currency),
  );
}

/** keylet::mptoken: the MPToken's LedgerIndex (its issuance's LedgerIndex, then the holder). */
export function mptokenIndex(mptIssuanceId: string, holder: string): string {
  const issuance = sha512Half(space(SPACE_MPTOKEN_ISSUANCE), Buffer.from(mptIssuanceId, 'hex'));
  return sha512Half(space(SPACE_MPTOKEN), Buffer.from(issuance, 'hex'), decodeAccountID(holder));
}
