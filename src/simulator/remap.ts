import { isValidClassicAddress } from 'ripple-address-codec';
import { accountRootIndex } from '../ledger-keys.js';
import type { HistoryTx } from './fake-rippled/tx-shapes.js';

/** Placeholder accounts that must never be remapped: rippled's ACCOUNT_ONE (RippleState Balance issuer) and zero. */
const RESERVED = new Set(['rrrrrrrrrrrrrrrrrrrrBZbvji', 'rrrrrrrrrrrrrrrrrrrrrhoLvTp']);

/** Every classic address that appears as a JSON string value in the transaction or its metadata. */
export function addressesIn(tx: HistoryTx): string[] {
  const found = new Set<string>();
  for (const match of JSON.stringify([tx.tx, tx.meta]).matchAll(/"(r[1-9A-HJ-NP-Za-km-z]{24,34})"/g)) {
    const address = match[1]!;
    if (!RESERVED.has(address) && isValidClassicAddress(address)) found.add(address);
  }
  return [...found];
}

/**
 * Replaces every occurrence of each mapped address (as a whole JSON string) in tx and metadata, and
 * gives the result a new hash. The AccountRoot ids (LedgerIndex) of mapped accounts move with them, so an
 * AccountRoot that metadata shows only by its id (threaded, no fields) follows too. Other hex-encoded
 * account ids (e.g. inside an MPTokenIssuanceID) are left alone.
 */
export function remapAddresses(tx: HistoryTx, mapping: ReadonlyMap<string, string>, hash: string): HistoryTx {
  return remapText(JSON.stringify({ tx: tx.tx, meta: tx.meta }), mapping, hash);
}

/** remapAddresses on `JSON.stringify({tx, meta})` text serialised once (callers remapping one tx often). */
export function remapText(text: string, mapping: ReadonlyMap<string, string>, hash: string): HistoryTx {
  let out = text;
  for (const [from, to] of mapping) {
    out = out.split(`"${from}"`).join(`"${to}"`);
    out = out.split(`"${rootIndex(from)}"`).join(`"${rootIndex(to)}"`);
  }
  const parsed = JSON.parse(out) as { tx: HistoryTx['tx']; meta: HistoryTx['meta'] };
  return { tx: parsed.tx, meta: parsed.meta, hash };
}

const rootIndexes = new Map<string, string>();

/** accountRootIndex, cached: remapping runs per replayed transaction over a few accounts. */
function rootIndex(account: string): string {
  let index = rootIndexes.get(account);
  if (index === undefined) {
    index = accountRootIndex(account);
    if (rootIndexes.size > 10_000) rootIndexes.clear();
    rootIndexes.set(account, index);
  }
  return index;
}
