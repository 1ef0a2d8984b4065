import { createHash } from 'node:crypto';
import { isRecord } from '../../json.js';
import { getAffectedAccounts } from '../affected-accounts.js';
import { engineResultCode, engineResultMessage } from './engine-results.js';

type Json = Record<string, unknown>;
export type ApiVersion = 1 | 2;

/** A transaction as stored in a ledger: bare tx fields (no envelope), metadata, hash. */
export interface HistoryTx {
  readonly tx: Json;
  readonly meta: Json;
  readonly hash: string;
}

export interface LedgerHeader {
  readonly index: number;
  readonly hash: string;
  readonly parentHash: string;
  /** Ripple-epoch seconds (Unix - 946684800). */
  readonly closeTime: number;
  readonly closeTimeIso: string;
}

/** A transaction placed in a ledger, with lazily built, cached wire forms. */
export interface StoredTx extends HistoryTx {
  readonly ledger: LedgerHeader;
  /** Position in the ledger, also written to meta.TransactionIndex. */
  readonly position: number;
  readonly affected: ReadonlySet<string>;
  /** The metadata given to addLedger, before TransactionIndex was set (key for shared caches). */
  readonly sourceMeta: Json;
  /** The stream message per API version, built on first use and kept as bytes (off the JS heap). */
  readonly streamCache: [Buffer | undefined, Buffer | undefined];
}

/** Envelope-only keys that rippled adds around or inside a tx; stripped so each shape is rebuilt exactly. */
const ENVELOPE_TX_KEYS: ReadonlySet<string> = new Set([
  'hash',
  'ledger_index',
  'ledger_hash',
  'inLedger',
  'date',
  'ctid',
  'warnings',
  'validated',
  'meta',
  'metaData',
  'metadata',
  'owner_funds',
  'close_time_iso',
  'status',
]);

/**
 * Turns any fixture envelope into `{tx, meta, hash}`: `{tx, meta}` (ripple/explorer), `{tx_json, meta}`,
 * `{transaction, meta|metadata}` (stream v1), a flat tx with `meta|metaData|metadata`, or any of these
 * wrapped in `{result}`. Payment `DeliverMax` becomes `Amount` (rippled stores Amount; DeliverMax is an
 * API alias). Returns null when there is no tx or no metadata with AffectedNodes. The result shares
 * nested objects with the input: the fake never mutates them, and callers must not either.
 */
export function normalizeEnvelope(input: unknown): HistoryTx | null {
  if (!isRecord(input)) return null;
  if (isRecord(input.result)) return normalizeEnvelope(input.result);
  const txSource = pickRecord(input.tx_json, input.transaction, input.tx) ?? input;
  const meta = pickRecord(input.meta, input.metaData, input.metadata, txSource.meta, txSource.metaData);
  if (!meta || !Array.isArray(meta.AffectedNodes) || typeof txSource.TransactionType !== 'string') {
    return null;
  }
  // Copy without `delete`: deleting keys turns V8 objects into slow dictionaries, and these get serialised
  // for every subscriber.
  const tx: Json = {};
  for (const [key, value] of Object.entries(txSource)) if (!ENVELOPE_TX_KEYS.has(key)) tx[key] = value;
  if (tx.TransactionType === 'Payment' && 'DeliverMax' in tx) {
    const { DeliverMax, ...rest } = tx;
    return { tx: { ...rest, Amount: rest.Amount ?? DeliverMax }, meta, hash: hashOf(input, txSource, rest) };
  }
  return { tx, meta, hash: hashOf(input, txSource, tx) };
}

function hashOf(input: Json, txSource: Json, tx: Json): string {
  const hashCandidate = typeof input.hash === 'string' ? input.hash : txSource.hash;
  return typeof hashCandidate === 'string' ? hashCandidate.toUpperCase() : contentHash(tx);
}

/** A stable 64-hex id for a tx that came without a hash. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').toUpperCase();
}

export function storeTx(input: HistoryTx, ledger: LedgerHeader, position: number): StoredTx {
  return {
    tx: input.tx,
    meta: { ...input.meta, TransactionIndex: position },
    sourceMeta: input.meta,
    hash: input.hash,
    ledger,
    position,
    affected: affectedOf(input.meta),
    streamCache: [undefined, undefined],
  };
}

/*
 * Histories reuse the same tx and metadata objects many times (a benchmark sends one fixture 100,000
 * times under fresh hashes), so derived forms are cached per source object, not per stored transaction.
 */
const affectedCache = new WeakMap<Json, ReadonlySet<string>>();
const sortedTxCache = new WeakMap<Json, [Json | undefined, Json | undefined]>();
/** delivered_amount depends on the tx's type and Amount too, so those are part of the cached entry. */
const sortedMetaCache = new WeakMap<Json, { type: unknown; amount: unknown; meta: Json }>();

function affectedOf(meta: Json): ReadonlySet<string> {
  let affected = affectedCache.get(meta);
  if (!affected) {
    affected = new Set(getAffectedAccounts(meta));
    affectedCache.set(meta, affected);
  }
  return affected;
}

/** The tx fields for an API version, keys sorted; `date`, `hash` etc. sort after them (lowercase). */
function sortedTx(stored: HistoryTx, version: ApiVersion): Json {
  let entry = sortedTxCache.get(stored.tx);
  if (!entry) {
    entry = [undefined, undefined];
    sortedTxCache.set(stored.tx, entry);
  }
  entry[version - 1] ??= sortKeys(txFields(stored, version));
  return entry[version - 1]!;
}

/** Metadata as every API shape shows it: delivered_amount inserted, keys sorted, this TransactionIndex. */
function sortedMeta(stored: StoredTx): Json {
  let cached = sortedMetaCache.get(stored.sourceMeta);
  const { TransactionType: type, Amount: amount } = stored.tx;
  if (!cached || cached.type !== type || cached.amount !== amount) {
    cached = { type, amount, meta: sortKeys(withDeliveredAmount(stored)) };
    sortedMetaCache.set(stored.sourceMeta, cached);
  }
  const meta = { ...cached.meta, TransactionIndex: stored.position };
  return 'TransactionIndex' in cached.meta ? meta : sortKeys(meta);
}

export function txResult(stored: HistoryTx): string {
  const result = stored.meta.TransactionResult;
  return typeof result === 'string' ? result : 'tesSUCCESS';
}

/** The `transaction` stream message (NetworkOPsImp::transJson), serialised once per API version. */
export function streamMessage(stored: StoredTx, version: ApiVersion): Buffer {
  const cached = stored.streamCache[version - 1];
  if (cached !== undefined) return cached;
  const result = txResult(stored);
  const tx = { ...sortedTx(stored, version), date: stored.ledger.closeTime };
  // Keys written in sorted order, as rippled's ordered Json::Value map emits them.
  const text = JSON.stringify({
    close_time_iso: stored.ledger.closeTimeIso,
    engine_result: result,
    engine_result_code: engineResultCode(result),
    engine_result_message: engineResultMessage(result),
    ...(version === 2 ? { hash: stored.hash } : {}),
    ledger_hash: stored.ledger.hash,
    ledger_index: stored.ledger.index,
    meta: sortedMeta(stored),
    status: 'closed',
    ...(version === 1 ? { transaction: { ...tx, hash: stored.hash } } : { tx_json: tx }),
    type: 'transaction',
    validated: true,
  });
  const bytes = Buffer.from(text);
  stored.streamCache[version - 1] = bytes;
  return bytes;
}

/** One `account_tx` entry (AccountTx.cpp populateJsonResponse). */
export function accountTxEntry(stored: StoredTx, version: ApiVersion): Json {
  const meta = sortedMeta(stored);
  const common = { date: stored.ledger.closeTime, ledger_index: stored.ledger.index };
  if (version === 2) {
    return {
      close_time_iso: stored.ledger.closeTimeIso,
      hash: stored.hash,
      ledger_hash: stored.ledger.hash,
      ledger_index: stored.ledger.index,
      meta,
      tx_json: { ...sortedTx(stored, 2), ...common },
      validated: true,
    };
  }
  const tx = { ...sortedTx(stored, 1), ...common, hash: stored.hash, inLedger: stored.ledger.index };
  return { meta, tx: sortKeys(tx), validated: true };
}

/** One expanded transaction of the `ledger` method (LedgerToJson.cpp fillJsonTx). */
export function ledgerTxEntry(stored: StoredTx, version: ApiVersion): Json {
  // fillJsonTx inserts delivered_amount only for Payment and CheckCash (protocol doc §5).
  const meta = stored.tx.TransactionType === 'AccountDelete' ? sortKeys(stored.meta) : sortedMeta(stored);
  if (version === 2) {
    return {
      close_time_iso: stored.ledger.closeTimeIso,
      hash: stored.hash,
      ledger_hash: stored.ledger.hash,
      ledger_index: stored.ledger.index,
      meta,
      tx_json: sortedTx(stored, 2),
      validated: true,
    };
  }
  return sortKeys({ ...sortedTx(stored, 1), hash: stored.hash, metaData: meta });
}

/** RPC::insertDeliverMax: Payment only; v1 keeps Amount and adds DeliverMax, v2 has DeliverMax only. */
function txFields(stored: HistoryTx, version: ApiVersion): Json {
  const tx = stored.tx;
  if (tx.TransactionType !== 'Payment' || !('Amount' in tx)) return tx;
  if (version === 1) return { ...tx, DeliverMax: tx.Amount };
  const { Amount, ...rest } = tx;
  return { ...rest, DeliverMax: Amount };
}

/**
 * RPC::insertDeliveredAmount: for Payment, CheckCash and AccountDelete with tesSUCCESS, `delivered_amount` = meta DeliveredAmount
 * if present, else the tx Amount, else "unavailable". A delivered_amount already in the scripted metadata
 * is kept, so tests can script e.g. "unavailable".
 */
function withDeliveredAmount(stored: HistoryTx): Json {
  const meta = stored.meta;
  if ('delivered_amount' in meta) return meta;
  if (txResult(stored) !== 'tesSUCCESS') return meta;
  if (!DELIVERED_AMOUNT_TYPES.has(String(stored.tx.TransactionType))) return meta;
  return { ...meta, delivered_amount: meta.DeliveredAmount ?? stored.tx.Amount ?? 'unavailable' };
}

const DELIVERED_AMOUNT_TYPES: ReadonlySet<string> = new Set(['Payment', 'CheckCash', 'AccountDelete']);

/** rippled's Json::Value objects are ordered maps: keys come out sorted. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isRecord(value)) return value;
  const sorted: Json = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted as T;
}

function pickRecord(...candidates: unknown[]): Json | undefined {
  return candidates.find(isRecord);
}
