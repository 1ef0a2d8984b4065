import { isValidClassicAddress } from 'ripple-address-codec';
import { isRecord } from '../../json.js';
import { RIPPLE_EPOCH_OFFSET } from '../../ripple-time.js';
import type { AccountTxMarker, LedgerStore, StoredLedger } from './ledger-store.js';
import { invalidField, missingField, rpcError } from './rpc-errors.js';
import { type ApiVersion, accountTxEntry, ledgerTxEntry } from './tx-shapes.js';

type Json = Record<string, unknown>;

/** What a connection is subscribed to; stream messages use the api_version of its last subscribe. */
export interface SubscriberState {
  readonly accounts: Set<string>;
  readonly streams: Set<string>;
  apiVersion: ApiVersion;
}

export interface LimitRange {
  readonly min: number;
  readonly default: number;
  readonly max: number;
}

export interface ServerSettings {
  readonly networkId: number;
  /** RPC::Tuning::accountTx for non-admin callers: {10, 200, 400}. */
  readonly accountTxLimits: LimitRange;
  /**
   * At most this many entries per account_tx page, whatever the limit (0: no cap). rippled may return
   * fewer than `limit` entries with a marker; this lets tests catch clients that stop on a short page.
   */
  readonly accountTxPageCap: number;
}

export interface CommandContext {
  readonly store: LedgerStore;
  readonly apiVersion: ApiVersion;
  readonly subscriber: SubscriberState;
  readonly settings: ServerSettings;
  readonly now: () => number;
}

export type CommandHandler = (params: Json, ctx: CommandContext) => Json;

/** Fee settings reported on the ledger stream (drops), as on mainnet since the 2024 reserve vote. */
const FEE_BASE = 10;
const RESERVE_BASE = 1_000_000;
const RESERVE_INC = 200_000;
const SUPPORTED_STREAMS = new Set(['ledger', 'transactions']);

export const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  ping: () => ({}),
  subscribe,
  unsubscribe,
  account_info: accountInfo,
  account_objects: accountObjects,
  account_tx: accountTx,
  ledger,
  tx: transaction,
  server_info: serverInfo,
};

/** Fields common to the subscribe result and the ledgerClosed message (NetworkOPs subLedger/pubLedger). */
export function ledgerFields(store: LedgerStore, settings: ServerSettings, ledger: StoredLedger): Json {
  return {
    fee_base: FEE_BASE,
    ledger_hash: ledger.header.hash,
    ledger_index: ledger.header.index,
    ledger_time: ledger.header.closeTime,
    network_id: settings.networkId,
    reserve_base: RESERVE_BASE,
    reserve_inc: RESERVE_INC,
    validated_ledgers: store.completeLedgers(),
  };
}

export function ledgerClosedText(store: LedgerStore, settings: ServerSettings, ledger: StoredLedger): string {
  return JSON.stringify({
    ...ledgerFields(store, settings, ledger),
    txn_count: ledger.txs.length,
    type: 'ledgerClosed',
  });
}

/** doSubscribe: streams first, then accounts; an error returns at once and earlier parts stay subscribed. */
function subscribe(params: Json, ctx: CommandContext): Json {
  ctx.subscriber.apiVersion = ctx.apiVersion;
  let result: Json = {};
  for (const stream of parseStreams(params)) {
    ctx.subscriber.streams.add(stream);
    if (stream === 'ledger') result = ledgerFields(ctx.store, ctx.settings, ctx.store.lastValidated);
  }
  if (params.accounts_proposed !== undefined) throw rpcError('notImpl');
  for (const account of parseAccounts(params)) ctx.subscriber.accounts.add(account);
  return result;
}

function unsubscribe(params: Json, ctx: CommandContext): Json {
  for (const stream of parseStreams(params)) ctx.subscriber.streams.delete(stream);
  for (const account of parseAccounts(params)) ctx.subscriber.accounts.delete(account);
  return {};
}

function parseStreams(params: Json): string[] {
  if (params.streams === undefined) return [];
  if (!Array.isArray(params.streams)) throw rpcError('invalidParams');
  for (const stream of params.streams) {
    if (typeof stream !== 'string' || !SUPPORTED_STREAMS.has(stream)) throw rpcError('malformedStream');
  }
  return params.streams as string[];
}

/** RPC::parseAccountIds: one bad address (or an empty list) rejects the whole list with actMalformed. */
function parseAccounts(params: Json): string[] {
  if (params.accounts === undefined) return [];
  if (!Array.isArray(params.accounts)) throw rpcError('invalidParams');
  if (params.accounts.length === 0) throw rpcError('actMalformed');
  for (const account of params.accounts) {
    if (typeof account !== 'string' || !isValidClassicAddress(account)) throw rpcError('actMalformed');
  }
  return params.accounts as string[];
}

function requireAccount(params: Json): string {
  if (params.account === undefined) throw missingField('account');
  if (typeof params.account !== 'string') throw invalidField('account');
  if (!isValidClassicAddress(params.account)) throw rpcError('actMalformed');
  return params.account;
}

/** account_info: the AccountRoot at the requested validated ledger (or the last one), as the state holds it. */
function accountInfo(params: Json, ctx: CommandContext): Json {
  const account = requireAccount(params);
  const validated = params.ledger_index !== undefined && params.ledger_index !== 'current';
  const at = validated ? requestedLedger(params, ctx) : ctx.store.lastValidated.header.index;
  const where = validated
    ? { ledger_hash: ctx.store.ledger(at)?.header.hash, ledger_index: at, validated: true }
    : { ledger_current_index: at + 1, validated: false };
  const root = ctx.store.accountRoot(account, at);
  if (root === null) throw rpcError('actNotFound', undefined, { account, ...where });
  return { account_data: root, ...where };
}

/** A validated ledger the server holds, from ledger_index / ledger_hash (default: the last validated). */
function requestedLedger(params: Json, ctx: CommandContext): number {
  const found = findLedger(params, ctx.store);
  if (!found) throw rpcError('lgrNotFound', 'ledgerNotFound');
  return found.header.index;
}

const OBJECT_TYPES: Readonly<Record<string, 'RippleState' | 'MPToken'>> = {
  state: 'RippleState',
  mptoken: 'MPToken',
};

/**
 * account_objects (RippleState and MPToken entries only: the fake holds no others), at a validated
 * ledger, paginated with an opaque marker like rippled's.
 */
function accountObjects(params: Json, ctx: CommandContext): Json {
  const account = requireAccount(params);
  const at = requestedLedger(params, ctx);
  if (params.type !== undefined && (typeof params.type !== 'string' || !(params.type in OBJECT_TYPES))) {
    throw invalidField('type');
  }
  const limit = readLimit(params, { min: 10, default: 200, max: 400 });
  const start = typeof params.marker === 'string' && /^\d+$/.test(params.marker) ? Number(params.marker) : 0;
  if (params.marker !== undefined && typeof params.marker !== 'string') throw invalidField('marker');
  // rippled answers actNotFound without an AccountRoot; replayed fixtures can leave entries to an
  // account they deleted, so the fake lists whatever it holds (an impossible state on a real ledger).
  const all = ctx.store.state?.objects(account, at, null) ?? [];
  if (ctx.store.accountRoot(account, at) === null && all.length === 0) {
    throw rpcError('actNotFound', undefined, { account });
  }
  const type = typeof params.type === 'string' ? OBJECT_TYPES[params.type]! : null;
  const matching = type === null ? all : all.filter((o) => o.LedgerEntryType === type);
  const page = matching.slice(start, start + limit);
  const next = start + page.length;
  return {
    account,
    account_objects: page,
    ledger_hash: ctx.store.ledger(at)?.header.hash,
    ledger_index: at,
    limit,
    ...(next < matching.length ? { marker: String(next) } : {}),
    validated: true,
  };
}

/** tx: one validated transaction by hash, in the API version's shape (like an account_tx entry). */
function transaction(params: Json, ctx: CommandContext): Json {
  if (typeof params.transaction !== 'string' || !/^[0-9A-Fa-f]{64}$/.test(params.transaction)) {
    throw rpcError('invalidParams');
  }
  const found = ctx.store.transaction(params.transaction);
  if (!found) throw rpcError('txnNotFound');
  const entry = accountTxEntry(found, ctx.apiVersion);
  return isRecord(entry.tx) ? { ...entry.tx, meta: entry.meta, validated: true } : entry;
}

function accountTx(params: Json, ctx: CommandContext): Json {
  const v2 = ctx.apiVersion > 1;
  if (v2 && params.binary !== undefined && typeof params.binary !== 'boolean') throw invalidField('binary');
  if (v2 && params.forward !== undefined && typeof params.forward !== 'boolean')
    throw invalidField('forward');
  const limit = readLimit(params, ctx.settings.accountTxLimits);
  if (params.binary === true) throw rpcError('notImpl', 'The fake rippled does not serve binary account_tx.');
  const account = requireAccount(params);
  const range = ledgerRange(params, ctx);
  const marker = readMarker(params.marker);
  const pageSize = ctx.settings.accountTxPageCap > 0 ? Math.min(limit, ctx.settings.accountTxPageCap) : limit;
  const page = ctx.store.accountTx(account, {
    ...range,
    forward: params.forward === true,
    limit: pageSize,
    marker,
  });
  return {
    account,
    ledger_index_max: range.max,
    ledger_index_min: range.min,
    limit,
    ...(page.marker ? { marker: page.marker } : {}),
    transactions: page.txs.map((tx) => accountTxEntry(tx, ctx.apiVersion)),
    validated: true,
  };
}

/** RPC::readLimitField: default when absent, clamped to [min, max] for non-admin callers. */
function readLimit(params: Json, limits: LimitRange): number {
  if (params.limit === undefined) return limits.default;
  if (typeof params.limit !== 'number' || !Number.isInteger(params.limit) || params.limit < 0) {
    throw invalidField('limit', 'unsigned integer');
  }
  return Math.min(limits.max, Math.max(limits.min, params.limit));
}

function readMarker(marker: unknown): AccountTxMarker | undefined {
  if (marker === undefined) return undefined;
  if (!isRecord(marker) || !isUint(marker.ledger) || !isUint(marker.seq)) {
    throw rpcError(
      'invalidParams',
      'invalid marker. Provide ledger index via ledger field, and transaction sequence number via seq field',
    );
  }
  return { ledger: marker.ledger, seq: marker.seq };
}

/** AccountTx.cpp parseLedgerArgs + getLedgerRange, including the v1/v2 differences. */
function ledgerRange(params: Json, ctx: CommandContext): { min: number; max: number } {
  const { min: validMin, max: validMax } = ctx.store.validatedRange();
  const v1 = ctx.apiVersion === 1;
  const hasRange = params.ledger_index_min !== undefined || params.ledger_index_max !== undefined;
  const hasSingle = params.ledger_index !== undefined || params.ledger_hash !== undefined;
  if (!v1 && hasRange && hasSingle) throw rpcError('invalidParams', 'invalidParams');
  if (hasRange) {
    const min = isUint(params.ledger_index_min) ? params.ledger_index_min : 0;
    const max = isUint(params.ledger_index_max) ? params.ledger_index_max : Number.POSITIVE_INFINITY;
    if (!v1 && ((max > validMax && max !== Number.POSITIVE_INFINITY) || (min < validMin && min !== 0))) {
      throw rpcError('lgrIdxMalformed');
    }
    const effective = { min: Math.max(min, validMin), max: Math.min(max, validMax) };
    if (effective.max < effective.min) throw rpcError(v1 ? 'lgrIdxsInvalid' : 'invalidLgrRange');
    return effective;
  }
  if (hasSingle) {
    const found = findLedger(params, ctx.store);
    if (!found) throw rpcError('lgrNotValidated');
    return { min: found.header.index, max: found.header.index };
  }
  return { min: validMin, max: validMax };
}

function findLedger(params: Json, store: LedgerStore): StoredLedger | undefined {
  if (typeof params.ledger_hash === 'string') return store.ledger(params.ledger_hash);
  const selector = params.ledger_index;
  if (selector === undefined || selector === 'validated' || selector === 'closed') return store.lastValidated;
  if (typeof selector === 'number') return store.ledger(selector);
  if (typeof selector === 'string' && /^\d+$/.test(selector)) return store.ledger(Number(selector));
  return undefined;
}

function ledger(params: Json, ctx: CommandContext): Json {
  if (params.ledger_index === 'current') throw rpcError('notImpl', 'The fake rippled has no open ledger.');
  const found = findLedger(params, ctx.store);
  if (!found) throw rpcError('lgrNotFound', 'ledgerNotFound');
  const { header, txs } = found;
  const body: Json = {
    close_flags: 0,
    close_time: header.closeTime,
    close_time_iso: header.closeTimeIso,
    close_time_resolution: 10,
    closed: true,
    ledger_hash: header.hash,
    // API v2 turned ledger.ledger_index from a string into a number.
    ledger_index: ctx.apiVersion === 1 ? String(header.index) : header.index,
    parent_hash: header.parentHash,
    total_coins: '99999999999999999',
  };
  if (params.transactions === true) {
    const shown = txs.filter((tx) => !ctx.store.omitted.has(tx.hash));
    body.transactions =
      params.expand === true
        ? shown.map((tx) => ledgerTxEntry(tx, ctx.apiVersion))
        : shown.map((tx) => tx.hash);
  }
  return { ledger: body, ledger_hash: header.hash, ledger_index: header.index, validated: true };
}

function serverInfo(_params: Json, ctx: CommandContext): Json {
  const last = ctx.store.lastValidated.header;
  const age = Math.max(0, Math.floor(ctx.now() / 1000) - RIPPLE_EPOCH_OFFSET - last.closeTime);
  return {
    info: {
      build_version: 'fake-rippled',
      complete_ledgers: ctx.store.completeLedgers(),
      hostid: 'FAKE',
      load_factor: 1,
      network_id: ctx.settings.networkId,
      peers: 0,
      server_state: 'full',
      time: serverTime(ctx.now()),
      validated_ledger: {
        age,
        base_fee_xrp: FEE_BASE / 1e6,
        hash: last.hash,
        reserve_base_xrp: RESERVE_BASE / 1e6,
        reserve_inc_xrp: RESERVE_INC / 1e6,
        seq: last.index,
      },
    },
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `info.time` as rippled writes it: "2026-Mar-03 03:04:46.673396 UTC" (date::format "%Y-%b-%d %T %Z"). */
function serverTime(unixMs: number): string {
  const d = new Date(unixMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const micros = String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
  return `${d.getUTCFullYear()}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${micros} UTC`;
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
