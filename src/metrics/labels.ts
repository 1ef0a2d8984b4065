import { encodeAccountID } from 'ripple-address-codec';
import type { Asset } from '../accounting/types.js';

// Local stand-ins until src/accounting/index.ts (task A) exports assetKey and decodeCurrency.

/** A stable map key for an asset. */
export function assetKey(asset: Asset): string {
  switch (asset.kind) {
    case 'xrp':
      return 'XRP';
    case 'token':
      return `${asset.currency}/${asset.issuer}`;
    case 'mpt':
      return `mpt:${asset.mptIssuanceId.toUpperCase()}`;
  }
}

/**
 * A 40-hex currency code as a readable name: the standard format (byte 0 is 0x00, bytes 12-14 the
 * ISO-like code) gives the 3 letters; otherwise the bytes, without trailing zero padding, when they
 * are all printable ASCII; else the hex unchanged (e.g. AMM LP tokens, which start with 0x03).
 */
function decodeCurrency(code: string): string {
  if (!/^[0-9A-Fa-f]{40}$/.test(code)) return code;
  const bytes = Buffer.from(code, 'hex');
  if (bytes[0] === 0) {
    const letters = bytes.subarray(12, 15).toString('latin1');
    const restZero = bytes.every((b, i) => (i >= 12 && i < 15) || b === 0);
    return restZero && /^[\x21-\x7e]{3}$/.test(letters) ? letters : code;
  }
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const text = bytes.subarray(0, end).toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? text : code;
}

/** The `currency` and `issuer` label values of one asset, as spec.md "Metrics" defines them. */
export interface AssetLabels {
  readonly currency: string;
  readonly issuer: string;
}

const MPT_ISSUANCE_ID = /^[0-9A-Fa-f]{48}$/;

/**
 * The issuer of an MPT issuance. An MPTokenIssuanceID is 24 bytes: the issuance's 4-byte sequence
 * then the issuer's 20-byte AccountID (rippled `makeMptID`), so the issuer is the last 40 hex digits.
 */
export function mptIssuer(mptIssuanceId: string): string {
  if (!MPT_ISSUANCE_ID.test(mptIssuanceId)) return '';
  return encodeAccountID(Buffer.from(mptIssuanceId.slice(8), 'hex'));
}

/** Label values for an asset: XRP with an empty issuer, a token's printable code, or an MPT issuance id. */
export function naturalAssetLabels(asset: Asset): AssetLabels {
  switch (asset.kind) {
    case 'xrp':
      return { currency: 'XRP', issuer: '' };
    case 'token': {
      const decoded = decodeCurrency(asset.currency);
      // A 40-hex code whose ASCII reads "XRP" would pass itself off as native XRP: keep the hex.
      const currency = decoded.toUpperCase() === 'XRP' ? asset.currency : decoded;
      return { currency, issuer: asset.issuer };
    }
    case 'mpt':
      return { currency: asset.mptIssuanceId.toUpperCase(), issuer: mptIssuer(asset.mptIssuanceId) };
  }
}

/**
 * Hands out label values per asset and guarantees that two different assets never share one label
 * set: duplicate series would make Prometheus reject the whole scrape. A token whose 40-hex code
 * decodes to the same name as another token of the same issuer (e.g. a look-alike "USD") is exposed
 * under its raw hex code instead. The first asset seen keeps the readable name.
 */
export class AssetLabeler {
  private readonly byKey = new Map<string, AssetLabels & { readonly text: string }>();
  private readonly taken = new Set<string>();

  /** The label pair rendered as exposition text: `currency="…",issuer="…"`. */
  text(asset: Asset): string {
    return this.resolve(asset).text;
  }

  labels(asset: Asset): AssetLabels {
    const { currency, issuer } = this.resolve(asset);
    return { currency, issuer };
  }

  private resolve(asset: Asset): AssetLabels & { readonly text: string } {
    const key = assetKey(asset);
    const known = this.byKey.get(key);
    if (known) return known;
    let labels = naturalAssetLabels(asset);
    if (this.taken.has(pairKey(labels)) && asset.kind === 'token') {
      labels = { currency: asset.currency, issuer: asset.issuer };
    }
    const entry = {
      ...labels,
      text: `currency="${escapeLabelValue(labels.currency)}",issuer="${escapeLabelValue(labels.issuer)}"`,
    };
    this.taken.add(pairKey(labels));
    this.byKey.set(key, entry);
    return entry;
  }
}

function pairKey(labels: AssetLabels): string {
  return `${labels.currency}\u0000${labels.issuer}`;
}

/** Prometheus text format 0.0.4: in label values, backslash, double quote and newline are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** A float sample value as the text format writes it. Our values are always finite. */
export function formatSample(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
