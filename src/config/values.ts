import Big from 'big.js';
import { isValidClassicAddress, isValidXAddress, xAddressToClassicAddress } from 'ripple-address-codec';
import { type HistoryPoint, parseHistoryPoint } from '../history/since.js';
import { parseDuration } from './duration.js';
import { maskUrlSecrets } from './url-secrets.js';
import { YamlNumber } from './yaml-tree.js';

/**
 * Parsers for single config values: YAML data in, a typed value or one human message out. Messages
 * quote the offending value only where it cannot be a secret.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (error: string): Parsed<never> => ({ ok: false, error });

/** What a YAML value is, for "expected X, got Y" messages (never the value itself). */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'true/false';
  if (value instanceof YamlNumber) return 'a number';
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

const expected = (what: string, value: unknown): Parsed<never> =>
  fail(`expected ${what}, got ${describe(value)}`);

export function parseText(value: unknown): Parsed<string> {
  if (typeof value !== 'string') return expected('a string', value);
  return value === '' ? fail('must not be empty') : ok(value);
}

/** A secret never reaches a message: a number is the likely mistake (an unquoted digit password). */
export function parseSecret(value: unknown): Parsed<string> {
  if (value instanceof YamlNumber) return fail('expected a string, got a number (quote it)');
  return typeof value === 'string' ? ok(value) : expected('a string', value);
}

export function parseBoolean(value: unknown): Parsed<boolean> {
  return typeof value === 'boolean' ? ok(value) : expected('true or false', value);
}

/** A whole number written in decimal (exponent form allowed when it is whole, e.g. 1e5). */
export function parseInteger(value: unknown, min: number, max: number, range: string): Parsed<number> {
  if (!(value instanceof YamlNumber)) return expected('a number', value);
  const decimal = toBig(value.source);
  if (decimal === null || !decimal.eq(decimal.round(0, Big.roundDown)))
    return fail(`must be a whole number ${range}`);
  if (decimal.lt(min) || decimal.gt(max)) return fail(`must be a whole number ${range}`);
  return ok(decimal.toNumber());
}

/** A finite float, for histogram buckets (they become floats in Prometheus anyway). */
export function parseFiniteNumber(value: unknown): Parsed<number> {
  if (!(value instanceof YamlNumber)) return expected('a number', value);
  const number = toBig(value.source)?.toNumber();
  return number === undefined || !Number.isFinite(number)
    ? fail('must be a finite decimal number')
    : ok(number);
}

/** An exact decimal amount from a YAML number (its source text) or a string; never through a float. */
export function parseAmount(value: unknown): Parsed<Big> {
  const text = value instanceof YamlNumber ? value.source : value;
  if (typeof text !== 'string') return expected('an amount such as 1000 or "0.5"', value);
  const decimal = toBig(text.trim());
  return decimal === null
    ? fail(`invalid amount "${text}" (use a decimal number such as 1000 or 0.5)`)
    : ok(decimal);
}

const DECIMAL = /^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

function toBig(text: string): Big | null {
  if (!DECIMAL.test(text)) return null;
  try {
    return new Big(text.startsWith('+') ? text.slice(1) : text);
  } catch {
    return null;
  }
}

/** `accounts[].since`: a ledger index (a YAML number or digits) or an ISO 8601 date-time. */
export function parseSince(value: unknown): Parsed<HistoryPoint> {
  const text = value instanceof YamlNumber ? value.source : value;
  if (typeof text !== 'string') return expected('a ledger index or an ISO 8601 date-time', value);
  const parsed = parseHistoryPoint(text);
  return parsed.ok ? ok(parsed.point) : fail(parsed.error);
}

/** Prometheus duration in milliseconds; a bare YAML `0` is accepted as zero. */
export function parseDurationValue(value: unknown): Parsed<number> {
  if (value instanceof YamlNumber && value.source === '0') return ok(0);
  const text = value instanceof YamlNumber ? value.source : value;
  if (typeof text !== 'string') return expected('a duration such as 30s, 10m or 1h', value);
  const ms = parseDuration(text);
  return ms === null ? fail(`invalid duration "${text}" (use e.g. 30s, 10m, 1h)`) : ok(ms);
}

const BASE58_ALPHABET = /^[rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz]*$/;

/** A checksum-validated classic address (r...); X-addresses are refused with their classic form. */
export function parseAddress(value: unknown): Parsed<string> {
  if (typeof value !== 'string') return expected('an XRP Ledger address', value);
  const problem = addressProblem(value);
  if (problem === null) return ok(value);
  return fail(
    problem.xAddress ? problem.reason : `invalid XRP Ledger address "${value}" (${problem.reason})`,
  );
}

/**
 * Why `text` is not a watched-account address, or null when it is a valid classic address. `reason` is
 * short ("invalid checksum") except for an X-address, where it is the whole message with the classic form.
 */
export function addressProblem(text: string): { reason: string; xAddress: boolean } | null {
  if (isValidClassicAddress(text)) return null;
  if (isValidXAddress(text)) {
    const { classicAddress } = xAddressToClassicAddress(text);
    return {
      reason: `X-address "${text}" is not supported: use the classic address "${classicAddress}"`,
      xAddress: true,
    };
  }
  return { reason: classicAddressProblem(text), xAddress: false };
}

function classicAddressProblem(text: string): string {
  if (!text.startsWith('r')) return 'a classic address starts with r';
  const bad = [...text].find((c) => !BASE58_ALPHABET.test(c));
  if (bad !== undefined) return `character "${bad}" is not in the XRP Ledger base58 alphabet`;
  // Classic addresses are 25 to 35 characters (a 21-byte payload plus a 4-byte checksum in base58).
  if (text.length < 25 || text.length > 35) return 'wrong length';
  return 'invalid checksum';
}

const ISO_CODE = /^[A-Za-z0-9?!@#$%^&*<>(){}[\]|]{3}$/;
const HEX40 = /^[0-9A-Fa-f]{40}$/;
const HEX48 = /^[0-9A-Fa-f]{48}$/;

/**
 * "XRP"; a 3-character code (case-sensitive, only the characters rippled accepts, not "XRP"); a 40-hex
 * code; or a 48-hex MPT issuance id (protocol doc §2). Hex is upper-cased, as rippled prints it.
 */
export function parseCurrency(value: unknown): Parsed<string> {
  if (typeof value !== 'string') return expected('a currency code', value);
  if (value === 'XRP' || ISO_CODE.test(value)) return ok(value);
  if (HEX40.test(value) && !/^0{40}$/.test(value)) return ok(value.toUpperCase());
  if (HEX48.test(value)) return ok(value.toUpperCase());
  return fail(
    `invalid currency "${value}" (use XRP, a 3-character code, a 40-hex code or a 48-hex MPT issuance id)`,
  );
}

/** `missing` (the payment carries no destination tag) or a UInt32 tag. */
export function parseDestinationTag(value: unknown): Parsed<number | 'missing'> {
  if (value === 'missing') return ok('missing');
  const tag = value instanceof YamlNumber ? parseInteger(value, 0, 4294967295, '') : null;
  return tag?.ok ? tag : fail('must be a whole number from 0 to 4294967295, or missing');
}

/** A URL with one of the given schemes; its password and query values are masked in messages. */
export function parseUrl(value: unknown, schemes: readonly string[]): Parsed<string> {
  if (typeof value !== 'string') return expected('a URL', value);
  const hint = `use ${schemes.map((s) => `${s}://`).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`invalid URL "${maskUrlSecrets(value)}" (${hint})`);
  }
  if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
    return fail(`"${maskUrlSecrets(value)}" is not a ${schemes.join('/')} URL (${hint})`);
  }
  return ok(value);
}

/** `ops@example.com` or `Name <ops@example.com>`; nodemailer accepts both forms. */
export function parseEmailAddress(value: unknown): Parsed<string> {
  if (typeof value !== 'string') return expected('an email address', value);
  const bare = /^[^\s<>@]+@[^\s<>@]+$/;
  const named = /^[^<>]*<[^\s<>@]+@[^\s<>@]+>$/;
  return bare.test(value.trim()) || named.test(value.trim())
    ? ok(value.trim())
    : fail(`invalid email address "${value}"`);
}
