import Big from 'big.js';
import type { Asset } from './types.js';

/** Thrown while reading a transaction whose fields are not what the protocol allows. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

// XRP amounts are integer drops: at most 1e17 (cMaxNativeN in STAmount.h), so 18 digits.
const DROPS = /^\d{1,18}$/;
// MPT amounts are integers up to 0x7FFFFFFFFFFFFFFF (19 digits); checked against the maximum below.
const MPT_UNITS = /^\d{1,19}$/;
const MPT_MAX = 0x7fffffffffffffffn;
// Standard currency codes: 3 characters from this set (currency-formats.md); or 160-bit hex codes.
const CURRENCY_3 = /^[A-Za-z0-9?!@#$%^&*<>(){}[\]|]{3}$/;
const CURRENCY_HEX = /^[0-9A-Fa-f]{40}$/;
const MPT_ISSUANCE_ID = /^[0-9A-Fa-f]{48}$/;
// Token values have a 16-digit mantissa and an exponent in -96..80 (STAmount.h), so a value's
// first digit sits between 1e-81 and 1e95. A little slack is allowed; anything beyond is hostile.
const TOKEN_MAX_DIGITS = 20;
const TOKEN_MIN_EXPONENT = -100;
const TOKEN_MAX_EXPONENT = 100;
const TOKEN_MAX_TEXT = 64;

const XRP_DECIMALS = 6;

/** Parses an XRP amount in drops ("13100000") exactly. */
export function parseDrops(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !DROPS.test(value)) {
    throw new InvalidInputError(`${what}: expected XRP drops as an integer string, got ${describe(value)}`);
  }
  return BigInt(value);
}

/** Parses an MPT amount (a base-ten UInt64 string) exactly. */
export function parseMptUnits(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !MPT_UNITS.test(value)) {
    throw new InvalidInputError(`${what}: expected MPT units as an integer string, got ${describe(value)}`);
  }
  const units = BigInt(value);
  if (units > MPT_MAX) throw new InvalidInputError(`${what}: MPT amount ${value} exceeds the maximum`);
  return units;
}

/**
 * Parses a token value exactly, including rippled's scientific form ("1413500174054660e-4",
 * STAmount::getText), and rejects values outside the protocol's range.
 */
export function parseTokenValue(value: unknown, what: string): Big {
  if (typeof value !== 'string' || value.length === 0 || value.length > TOKEN_MAX_TEXT) {
    throw new InvalidInputError(`${what}: expected a decimal string, got ${describe(value)}`);
  }
  let parsed: Big;
  try {
    parsed = new Big(value);
  } catch {
    throw new InvalidInputError(`${what}: not a decimal number: ${describe(value)}`);
  }
  const isZero = parsed.c.length === 1 && parsed.c[0] === 0;
  if (
    !isZero &&
    (parsed.c.length > TOKEN_MAX_DIGITS || parsed.e < TOKEN_MIN_EXPONENT || parsed.e > TOKEN_MAX_EXPONENT)
  ) {
    throw new InvalidInputError(`${what}: token value out of range: ${describe(value)}`);
  }
  return parsed;
}

/** A currency code as it appears on the ledger: 3 characters or 40 hex digits. */
export function parseCurrency(value: unknown, what: string): string {
  if (typeof value !== 'string' || !(CURRENCY_3.test(value) || CURRENCY_HEX.test(value))) {
    throw new InvalidInputError(`${what}: not a currency code: ${describe(value)}`);
  }
  return value;
}

/** An MPT issuance id: 48 hex digits (192 bits). */
export function parseMptIssuanceId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !MPT_ISSUANCE_ID.test(value)) {
    throw new InvalidInputError(`${what}: not an MPT issuance id: ${describe(value)}`);
  }
  return value;
}

/** XRP drops to XRP, exactly (1 XRP = 1,000,000 drops). */
export function dropsToXrp(drops: bigint): Big {
  return new Big(`${drops}e-${XRP_DECIMALS}`);
}

/** An exact decimal string without exponent notation; zero is always "0". */
export function formatValue(value: Big): string {
  if (value.c.length === 1 && value.c[0] === 0) return '0';
  return value.toFixed();
}

/** A stable, unambiguous map key for an asset (currency codes never contain "." or ":"). */
export function assetKey(asset: Asset): string {
  switch (asset.kind) {
    case 'xrp':
      return 'XRP';
    case 'token':
      return `${asset.currency}.${asset.issuer}`;
    case 'mpt':
      return `mpt:${asset.mptIssuanceId}`;
  }
}

/**
 * The name to show for a currency code: a 40-hex code that spells printable ASCII (trailing zero
 * bytes dropped, e.g. 78436F696E00… = "xCoin") becomes that text; anything else stays as given.
 * AMM LP-token codes start with byte 0x03 (not printable) and so stay hex. A decoded name of three
 * characters would be mistaken for a standard code (or XRP), so such codes also stay hex.
 */
export function decodeCurrency(code: string): string {
  if (!CURRENCY_HEX.test(code)) return code;
  let end = code.length;
  while (end >= 2 && code.slice(end - 2, end) === '00') end -= 2;
  if (end === 0) return code;
  let name = '';
  for (let i = 0; i < end; i += 2) {
    const byte = Number.parseInt(code.slice(i, i + 2), 16);
    if (byte < 0x20 || byte > 0x7e) return code;
    name += String.fromCharCode(byte);
  }
  if (name.length === 3) return code;
  return name;
}

/** A short, safe rendering of an unexpected value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value).slice(0, 40)}`;
}
