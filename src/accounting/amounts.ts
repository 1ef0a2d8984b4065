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
const BIG_ZERO = new Big(0);
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const LOWER_E = 0x65;
const ZERO_CHAR = 0x30;
const NINE_CHAR = 0x39;

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
 * STAmount::getText), and rejects values outside the protocol's range. A hand-written scanner:
 * this runs for every trust line of every watched account, and big.js's own parser is several
 * times slower.
 */
export function parseTokenValue(value: unknown, what: string): Big {
  if (typeof value !== 'string' || value.length === 0 || value.length > TOKEN_MAX_TEXT) {
    throw new InvalidInputError(`${what}: expected a decimal string, got ${describe(value)}`);
  }
  const length = value.length;
  let i = value.charCodeAt(0) === MINUS ? 1 : 0;
  const negative = i === 1;
  const intStart = i;
  while (i < length && isDigit(value.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < length && value.charCodeAt(i) === DOT) {
    fracStart = ++i;
    while (i < length && isDigit(value.charCodeAt(i))) i++;
    fracEnd = i;
  }
  let exponent = 0;
  if (i < length && (value.charCodeAt(i) | 0x20) === LOWER_E) {
    i++;
    const expNegative = value.charCodeAt(i) === MINUS;
    if (expNegative || value.charCodeAt(i) === PLUS) i++;
    const expStart = i;
    while (i < length && isDigit(value.charCodeAt(i))) i++;
    if (i === expStart) throw notDecimal(value, what);
    if (i - expStart > 4)
      throw new InvalidInputError(`${what}: token value out of range: ${describe(value)}`);
    exponent = Number(value.slice(expStart, i)) * (expNegative ? -1 : 1);
  }
  if (i !== length || (intEnd === intStart && fracEnd === fracStart)) throw notDecimal(value, what);
  const digits = value.slice(intStart, intEnd) + value.slice(fracStart, fracEnd);
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === ZERO_CHAR) lead++;
  const parsed = makeBig(negative, digits.slice(lead), intEnd - intStart - lead - 1 + exponent);
  const isZero = parsed.c.length === 1 && parsed.c[0] === 0;
  if (
    !isZero &&
    (parsed.c.length > TOKEN_MAX_DIGITS || parsed.e < TOKEN_MIN_EXPONENT || parsed.e > TOKEN_MAX_EXPONENT)
  ) {
    throw new InvalidInputError(`${what}: token value out of range: ${describe(value)}`);
  }
  return parsed;
}

function notDecimal(value: string, what: string): InvalidInputError {
  return new InvalidInputError(`${what}: not a decimal number: ${describe(value)}`);
}

function isDigit(code: number): boolean {
  return code >= ZERO_CHAR && code <= NINE_CHAR;
}

/**
 * A big.js number from its parts (sign, significant digits without leading zeros, exponent of the
 * first digit), built the way big.js stores numbers (`c` digits, `e` exponent, `s` sign) without
 * going through its string parser. Copying a Big keeps the instances' shape identical to big.js's.
 */
function makeBig(negative: boolean, digits: string, firstDigitExponent: number): Big {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === ZERO_CHAR) end--;
  const result = new Big(BIG_ZERO);
  if (end === 0) return result;
  const coefficient = new Array<number>(end);
  for (let k = 0; k < end; k++) coefficient[k] = digits.charCodeAt(k) - ZERO_CHAR;
  result.s = negative ? -1 : 1;
  result.e = firstDigitExponent;
  result.c = coefficient;
  return result;
}

/** An integer (drops, MPT units) as a Big, shifted by `decimals` places. */
export function bigFromInteger(units: bigint, decimals = 0): Big {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  return makeBig(negative, digits, digits.length - 1 - decimals);
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
  return bigFromInteger(drops, XRP_DECIMALS);
}

/** An exact decimal string without exponent notation; zero is always "0". */
export function formatValue(value: Big): string {
  const { c, e } = value;
  if (c.length === 1 && c[0] === 0) return '0';
  const digits = c.join('');
  let text: string;
  if (e < 0) text = `0.${'0'.repeat(-e - 1)}${digits}`;
  else if (e + 1 >= digits.length) text = digits + '0'.repeat(e + 1 - digits.length);
  else text = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  return value.s < 0 ? `-${text}` : text;
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
