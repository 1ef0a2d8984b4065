import { createHash } from 'node:crypto';
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
  readonly streamText: [string | undefined, string | undefined];
}

/** Envelope-only keys that rippled adds around or inside a tx; stripped so each shape is rebuilt exactly. */
const ENVELOPE_TX_KEYS = [
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
] as const;

/**
 * Turns any fixture envelope into `{tx, meta, hash}`: `{tx, meta}` (ripple/explorer), `{tx_json, meta}`,
 * `{transaction, meta|metadata}` (stream v1), a flat tx with `meta|metaData|metadata`, or any of these
 * wrapped in `{result}`. Payment `DeliverMax` becomes `Amount` (rippled stores Amount; DeliverMax is an
 * API alias). Returns null when there is no tx or no metadata with AffectedNodes.
 */
export function normalizeEnvelope(input: unknown): HistoryTx | null {
  if (!isRecord(input)) return null;
  if (isRecord(input.result)) return normalizeEnvelope(input.result);
  const txSource = pickRecord(input.tx_json, input.transaction, input.tx) ?? input;
  const meta = pickRecord(input.meta, input.metaData, input.metadata, txSource.meta, txSource.metaData);
  if (!meta || !Array.isArray(meta.AffectedNodes) || typeof txSource.TransactionType !== 'string') {
    return null;
  }
  const tx: Json = structuredClone(txSource);
  for (const key of ENVELOPE_TX_KEYS) delete tx[key];
  if (tx.TransactionType === 'Payment' && 'DeliverMax' in tx) {
    if (!('Amount' in tx)) tx.Amount = tx.DeliverMax;
    delete tx.DeliverMax;
  }
  const hashCandidate = typeof input.hash === 'string' ? input.hash : txSource.hash;
  const hash = typeof hashCandidate === 'string' ? hashCandidate.toUpperCase() : contentHash(tx);
  return { tx, meta: structuredClone(meta), hash };
}

/** A stable 64-hex id for a tx that came without a hash. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').toUpperCase();
}

export function storeTx(input: HistoryTx, ledger: LedgerHeader, position: number): StoredTx {
  const meta: Json = { ...input.meta, TransactionIndex: position };
  return {
    tx: input.tx,
    meta,
    hash: input.hash,
    ledger,
    position,
    affected: new Set(getAffectedAccounts(meta)),
    streamText: [undefined, undefined],
  };
}

export function txResult(stored: HistoryTx): string {
  const result = stored.meta.TransactionResult;
  return typeof result === 'string' ? result : 'tesSUCCESS';
}

/** The `transaction` stream message (NetworkOPsImp::transJson), serialised once per API version. */
export function streamMessageText(stored: StoredTx, version: ApiVersion): string {
  const cached = stored.streamText[version - 1];
  if (cached !== undefined) return cached;
  const result = txResult(stored);
  const txJson = { ...txFields(stored, version), date: stored.ledger.closeTime };
  const message: Json = {
    close_time_iso: stored.ledger.closeTimeIso,
    engine_result: result,
    engine_result_code: engineResultCode(result),
    engine_result_message: engineResultMessage(result),
    ledger_hash: stored.ledger.hash,
    ledger_index: stored.ledger.index,
    meta: metaWithDelivered(stored, ['Payment', 'CheckCash', 'AccountDelete']),
    status: 'closed',
    type: 'transaction',
    validated: true,
  };
  if (version === 2) {
    message.hash = stored.hash;
    message.tx_json = txJson;
  } else {
    message.transaction = { ...txJson, hash: stored.hash };
  }
  const text = JSON.stringify(sortKeys(message));
  stored.streamText[version - 1] = text;
  return text;
}

/** One `account_tx` entry (AccountTx.cpp populateJsonResponse). */
export function accountTxEntry(stored: StoredTx, version: ApiVersion): Json {
  const meta = metaWithDelivered(stored, ['Payment', 'CheckCash', 'AccountDelete']);
  const common = { date: stored.ledger.closeTime, ledger_index: stored.ledger.index };
  if (version === 2) {
    return sortKeys({
      close_time_iso: stored.ledger.closeTimeIso,
      hash: stored.hash,
      ledger_hash: stored.ledger.hash,
      ledger_index: stored.ledger.index,
      meta,
      tx_json: { ...txFields(stored, 2), ...common },
      validated: true,
    });
  }
  return sortKeys({
    meta,
    tx: { ...txFields(stored, 1), ...common, hash: stored.hash, inLedger: stored.ledger.index },
    validated: true,
  });
}

/** One expanded transaction of the `ledger` method (LedgerToJson.cpp fillJsonTx). */
export function ledgerTxEntry(stored: StoredTx, version: ApiVersion): Json {
  // fillJsonTx inserts delivered_amount only for Payment and CheckCash (protocol doc §5).
  const meta = metaWithDelivered(stored, ['Payment', 'CheckCash']);
  if (version === 2) {
    return sortKeys({
      close_time_iso: stored.ledger.closeTimeIso,
      hash: stored.hash,
      ledger_hash: stored.ledger.hash,
      ledger_index: stored.ledger.index,
      meta,
      tx_json: txFields(stored, 2),
      validated: true,
    });
  }
  return sortKeys({ ...txFields(stored, 1), hash: stored.hash, metaData: meta });
}

/** RPC::insertDeliverMax: Payment only; v1 keeps Amount and adds DeliverMax, v2 has DeliverMax only. */
function txFields(stored: HistoryTx, version: ApiVersion): Json {
  const tx: Json = { ...stored.tx };
  if (tx.TransactionType === 'Payment' && 'Amount' in tx) {
    tx.DeliverMax = tx.Amount;
    if (version === 2) delete tx.Amount;
  }
  return tx;
}

/**
 * RPC::insertDeliveredAmount: for these types with tesSUCCESS, `delivered_amount` = meta DeliveredAmount
 * if present, else the tx Amount, else "unavailable". A delivered_amount already in the scripted metadata
 * is kept, so tests can script e.g. "unavailable".
 */
function metaWithDelivered(stored: HistoryTx, types: readonly string[]): Json {
  const meta = stored.meta;
  if ('delivered_amount' in meta) return meta;
  if (txResult(stored) !== 'tesSUCCESS') return meta;
  if (!types.includes(String(stored.tx.TransactionType))) return meta;
  return { ...meta, delivered_amount: meta.DeliveredAmount ?? stored.tx.Amount ?? 'unavailable' };
}

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

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
