import type Big from 'big.js';
import { encodeAccountID } from 'ripple-address-codec';
import type { Asset } from '../accounting/types.js';

/*
 * Small asset helpers the alerting code needs. Task A's src/accounting/index.ts provides the same
 * functions (formatValue, decodeCurrency, assetKey); these local versions keep this module independent
 * of its landing order and agree with the spec's `currency` label rules.
 */

/** An exact decimal string, never exponent notation (big.js toFixed() without digits keeps every digit). */
export function formatValue(value: Big): string {
  return value.toFixed();
}

const HEX40 = /^[0-9A-Fa-f]{40}$/;
const HEX48 = /^[0-9A-Fa-f]{48}$/;

/**
 * The ledger's canonical form of a currency code: a 3-character code as is; a 40-hex code upper-cased,
 * except the standard form (first byte 0x00, three ASCII letters at bytes 12..14, the rest zero), which
 * rippled always prints as the 3 characters (protocol doc §2).
 */
export function canonicalCurrency(code: string): string {
  if (!HEX40.test(code)) return code;
  const hex = code.toUpperCase();
  const isStandard = hex.startsWith('00') && /^0{24}[0-9A-F]{6}0{10}$/.test(hex);
  if (isStandard) {
    const ascii = Buffer.from(hex.slice(24, 30), 'hex').toString('latin1');
    if (/^[\x21-\x7e]{3}$/.test(ascii) && ascii !== 'XRP') return ascii;
  }
  return hex;
}

/**
 * The metrics `currency` label form: a 40-hex code decoded to its printable ASCII name when it is one
 * (trailing NUL padding removed), else the hex. AMM LP codes (first byte 0x03) and other binary codes stay hex.
 */
export function decodeCurrency(code: string): string {
  const canonical = canonicalCurrency(code);
  if (!HEX40.test(canonical)) return canonical;
  const bytes = Buffer.from(canonical, 'hex');
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0) return canonical;
  const name = bytes.subarray(0, end);
  const printable = name.every((b) => b >= 0x20 && b <= 0x7e);
  return printable ? name.toString('latin1') : canonical;
}

export function isMptIssuanceId(code: string): boolean {
  return HEX48.test(code);
}

/**
 * The issuer of an MPT issuance: an MPTokenIssuanceID is the issuance's 32-bit sequence followed by the
 * 160-bit AccountID of the issuer (XLS-33), so the last 20 bytes encode the issuer's classic address.
 */
export function mptIssuer(mptIssuanceId: string): string | null {
  if (!HEX48.test(mptIssuanceId)) return null;
  return encodeAccountID(Buffer.from(mptIssuanceId.slice(8), 'hex'));
}

/** A stable key for maps: one string per distinct asset. */
export function assetKey(asset: Asset): string {
  switch (asset.kind) {
    case 'xrp':
      return 'XRP';
    case 'token':
      return `${canonicalCurrency(asset.currency)}/${asset.issuer}`;
    case 'mpt':
      return `MPT/${asset.mptIssuanceId.toUpperCase()}`;
  }
}

/** How an asset reads to a person: `XRP`, `USD (issuer r...)`, `xCoin [78436F...] (issuer r...)`, `MPT 00...`. */
export function describeAsset(asset: Asset): string {
  switch (asset.kind) {
    case 'xrp':
      return 'XRP';
    case 'token': {
      const code = canonicalCurrency(asset.currency);
      const name = decodeCurrency(code);
      const label = name === code ? code : `${name} [${code}]`;
      return `${label} (issuer ${asset.issuer})`;
    }
    case 'mpt':
      return `MPT ${asset.mptIssuanceId.toUpperCase()}`;
  }
}

/** The short unit for a subject line: `XRP`, the token name, or `MPT`. */
export function assetUnit(asset: Asset): string {
  switch (asset.kind) {
    case 'xrp':
      return 'XRP';
    case 'token':
      return decodeCurrency(asset.currency);
    case 'mpt':
      return 'MPT';
  }
}
