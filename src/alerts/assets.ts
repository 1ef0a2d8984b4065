import { decodeCurrency } from '../accounting/index.js';
import type { Asset } from '../accounting/types.js';

/*
 * Asset helpers for alerting. formatValue, decodeCurrency (the metrics `currency` label form) and
 * assetKey come from the accounting module so emails, rules and metrics agree; this file adds the
 * canonical form of a rule's currency filter and human descriptions.
 */

export { assetKey, decodeCurrency, formatValue } from '../accounting/index.js';

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

export function isMptIssuanceId(code: string): boolean {
  return HEX48.test(code);
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
