import { encodeAccountID } from 'ripple-address-codec';
import { assetKey, decodeCurrency } from '../accounting/index.js';
import type { Asset } from '../accounting/types.js';

export { assetKey };

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
  let issuer = issuerOfIssuance.get(mptIssuanceId);
  if (issuer === undefined) {
    // encodeAccountID hashes twice (SHA-256 checksum): once per issuance id, not once per receipt.
    issuer = MPT_ISSUANCE_ID.test(mptIssuanceId)
      ? encodeAccountID(Buffer.from(mptIssuanceId.slice(8), 'hex'))
      : '';
    if (issuerOfIssuance.size < MAX_REMEMBERED_ISSUANCES) issuerOfIssuance.set(mptIssuanceId, issuer);
  }
  return issuer;
}

/** Issuance ids seen are few (the MPTs the watched accounts hold); the bound only guards hostile input. */
const MAX_REMEMBERED_ISSUANCES = 10_000;
const issuerOfIssuance = new Map<string, string>();

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
