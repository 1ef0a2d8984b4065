import { isRecord } from '../json.js';
import { RIPPLE_EPOCH_OFFSET } from '../ripple-time.js';
import { describe, InvalidInputError } from './amounts.js';

export type JsonObject = Record<string, unknown>;

/** One transaction taken out of whatever envelope carried it. */
export interface Envelope {
  /** The transaction's own fields; empty when the input was bare metadata. */
  readonly tx: JsonObject;
  /** Null only for an unvalidated (proposed) message, which carries no metadata. */
  readonly meta: JsonObject | null;
  readonly hash: string | null;
  readonly ledgerIndex: number | null;
  readonly validated: boolean;
  /** Unix seconds. */
  readonly closeTime: number | null;
  /**
   * meta.TransactionIndex: the order in which the ledger applied its transactions (xrpl.org, Transaction
   * Metadata), so the balances a transaction leaves are those after every lower one. Null when absent.
   */
  readonly transactionIndex: number | null;
  /** The provisional result a stream message reports (`engine_result`); metadata's result is final. */
  readonly engineResult: string | null;
}

const HASH = /^[0-9A-Fa-f]{64}$/;
const LEDGER_INDEX = /^\d{1,10}$/;
const ISO_SECOND = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UINT32_MAX = 0xffffffff;

function carriesTransaction(o: JsonObject): boolean {
  return (
    o.tx_json !== undefined ||
    o.transaction !== undefined ||
    o.tx !== undefined ||
    o.meta !== undefined ||
    o.metaData !== undefined ||
    o.metadata !== undefined ||
    o.TransactionType !== undefined ||
    o.AffectedNodes !== undefined
  );
}

/**
 * Finds the transaction, metadata, hash, ledger index, validation flag and close time in any of the
 * envelopes rippled and the usual tools produce (xrpl-protocol.md §1.4, §5; fixtures README):
 * stream messages v1 (`transaction`) and v2 (`tx_json`, top-level `hash`), `tx` responses v1 (flat
 * fields + `meta`) and v2 (`tx_json`), `account_tx` entries, `ledger` entries (flat + `metaData`, or
 * `tx_json` + `meta`), `{tx, meta}`, xrpl.js fixtures (`metadata`), and `{result: …}` wrappers.
 */
export function openEnvelope(input: unknown): Envelope {
  if (!isRecord(input)) throw new InvalidInputError(`expected a JSON object, got ${describe(input)}`);
  if (input.status === 'error' || typeof input.error === 'string') {
    throw new InvalidInputError(`error response: ${describe(input.error)}`);
  }
  const o = !carriesTransaction(input) && isRecord(input.result) ? input.result : input;
  if (Array.isArray(o.transactions) || (isRecord(o.ledger) && Array.isArray(o.ledger.transactions))) {
    throw new InvalidInputError('a list of transactions (account_tx or ledger response): pass one entry');
  }
  if (o.tx_blob !== undefined || o.meta_blob !== undefined) {
    throw new InvalidInputError('binary transactions are not supported: request JSON (binary: false)');
  }

  const bare = isBareMetadata(o);
  const tx = bare ? {} : findTransaction(o);
  const meta = bare ? o : findMetadata(o, tx);
  const explicitValidated =
    typeof o.validated === 'boolean' ? o.validated : typeof tx.validated === 'boolean' ? tx.validated : null;
  if (meta === null && explicitValidated !== false) {
    throw new InvalidInputError('no transaction metadata (meta, metaData or metadata)');
  }
  return {
    tx,
    meta,
    hash: firstHash(o.hash, tx.hash),
    ledgerIndex: firstLedgerIndex(o.ledger_index, tx.ledger_index, tx.inLedger, o.inLedger),
    // Metadata exists only for transactions applied in a closed ledger; rippled marks every
    // message, account_tx and tx entry with `validated`. Inputs without the flag (`{tx, meta}`,
    // ledger entries of a validated ledger, test fixtures) are taken as validated, as the explain
    // contract says: nothing is counted only when the input says it is not validated.
    validated: explicitValidated ?? meta !== null,
    closeTime: closeTimeOf(o, tx),
    transactionIndex: transactionIndexOf(meta),
    engineResult: typeof o.engine_result === 'string' ? o.engine_result : null,
  };
}

/** A metadata object on its own (e.g. dev-portal examples): balances can be read, nothing else. */
function isBareMetadata(o: JsonObject): boolean {
  return (
    Array.isArray(o.AffectedNodes) &&
    o.tx_json === undefined &&
    o.transaction === undefined &&
    o.tx === undefined &&
    o.TransactionType === undefined
  );
}

function findTransaction(o: JsonObject): JsonObject {
  const nested = o.tx_json ?? o.transaction ?? o.tx;
  if (nested !== undefined) {
    if (!isRecord(nested)) throw new InvalidInputError(`transaction is ${describe(nested)}, not an object`);
    return nested;
  }
  if (o.TransactionType !== undefined) return o;
  throw new InvalidInputError('no transaction found (tx_json, transaction, tx or flat transaction fields)');
}

function findMetadata(o: JsonObject, tx: JsonObject): JsonObject | null {
  const outer = o.meta ?? o.metaData ?? o.metadata;
  if (outer !== undefined) {
    if (!isRecord(outer)) throw new InvalidInputError(`metadata is ${describe(outer)}, not an object`);
    return outer;
  }
  if (tx === o) return null;
  // Some tools (ripple/explorer, Clio) keep a copy of the metadata inside the transaction object.
  for (const inner of [tx.meta, tx.metaData, tx.metadata]) {
    if (isRecord(inner)) return inner;
  }
  return null;
}

function firstHash(...candidates: unknown[]): string | null {
  for (const c of candidates) if (typeof c === 'string' && HASH.test(c)) return c.toUpperCase();
  return null;
}

function firstLedgerIndex(...candidates: unknown[]): number | null {
  for (const c of candidates) {
    if (typeof c === 'number' && Number.isSafeInteger(c) && c >= 0) return c;
    if (typeof c === 'string' && LEDGER_INDEX.test(c)) return Number(c);
  }
  return null;
}

function transactionIndexOf(meta: JsonObject | null): number | null {
  const index = meta?.TransactionIndex;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index <= UINT32_MAX
    ? index
    : null;
}

function closeTimeOf(o: JsonObject, tx: JsonObject): number | null {
  const iso = o.close_time_iso ?? tx.close_time_iso;
  if (typeof iso === 'string' && ISO_SECOND.test(iso)) {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  }
  // `date` is Ripple-epoch seconds (a UInt32) in rippled output; other tools put milliseconds or
  // ISO strings there, which are not used.
  const date = tx.date;
  if (typeof date === 'number' && Number.isInteger(date) && date >= 0 && date <= UINT32_MAX) {
    return date + RIPPLE_EPOCH_OFFSET;
  }
  return null;
}
