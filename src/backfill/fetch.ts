import { forEachLimited } from '../concurrency.js';
import { fieldsOf } from '../json.js';
import type { LedgerRange } from '../pipeline/cursor.js';

/** Anything that can send one rippled request and resolve with its `result` (or reject on error). */
export interface Requester {
  request(command: { readonly command: string } & Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** A validated transaction from history, in whatever envelope the server sent, with its sort keys. */
export interface HistoryTransaction {
  readonly entry: Record<string, unknown>;
  readonly hash: string;
  readonly ledgerIndex: number;
  readonly transactionIndex: number;
}

export type FetchOutcome =
  | { readonly covered: true; readonly transactions: HistoryTransaction[] }
  | FetchFailure;

/**
 * `transient`: the server failed to answer (timeout, disconnect, busy) and may well answer a retry;
 * otherwise it does not hold the range (its history starts later, or it refuses the range).
 */
export interface FetchFailure {
  readonly covered: false;
  readonly reason: string;
  readonly transient: boolean;
}

/** What a page callback answers: go on (nothing) or `'stop'`. */
export type PageVerdict = 'stop' | undefined;

/** How a paged read ended: the whole range read, a failure, or stopped by the caller. */
export type ReadOutcome =
  | { readonly covered: true }
  | FetchFailure
  | { readonly covered: false; readonly stopped: true };

/** rippled's answers for a range it does not hold (AccountTx.cpp getLedgerRange, LedgerHandler). */
const NOT_HELD_ERRORS = new Set([
  'lgrIdxMalformed',
  'lgrIdxsInvalid',
  'invalidLgrRange',
  'lgrNotFound',
  'notSynced',
]);

function failed(reason: string, err?: unknown): FetchFailure {
  const code = (err as { error?: unknown } | undefined)?.error;
  return {
    covered: false,
    reason,
    transient: err !== undefined && !(typeof code === 'string' && NOT_HELD_ERRORS.has(code)),
  };
}

/**
 * rippled clamps `limit` to 10..400 for non-admin clients (RPC::Tuning::accountTx); the server may
 * still return fewer entries with a marker, so we page until there is no marker.
 */
export const ACCOUNT_TX_PAGE_LIMIT = 400;

/**
 * Every validated transaction of `account` in `range`, oldest first, with `account_tx` marker
 * pagination. The answer counts only if the server's effective range really covers the request: a v1
 * server clamps silently to its contiguous history, so `ledger_index_min/max` are checked
 * (xrpl-protocol.md §5).
 */
export async function fetchAccountHistory(
  server: Requester,
  account: string,
  range: LedgerRange,
  apiVersion: 1 | 2,
): Promise<FetchOutcome> {
  const transactions: HistoryTransaction[] = [];
  const outcome = await readAccountHistory(server, account, range, apiVersion, (page) => {
    transactions.push(...page);
    return undefined;
  });
  if (outcome.covered) return { covered: true, transactions };
  // Never 'stopped': the page callback above never asks to stop.
  return 'reason' in outcome ? outcome : failed(`account_tx ${account}: read stopped`);
}

/**
 * Reads the account's validated transactions in `range` page by page (forward, oldest first) and hands
 * each page to `onPage` before asking for the next, so a long history never sits in memory at once.
 * Every page is checked against the requested range before it is used. `onPage` may return `'stop'` to
 * end the read early (the outcome is then `{ covered: false, stopped: true }`).
 */
export async function readAccountHistory(
  server: Requester,
  account: string,
  range: LedgerRange,
  apiVersion: 1 | 2,
  onPage: (transactions: HistoryTransaction[]) => PageVerdict | Promise<PageVerdict>,
): Promise<ReadOutcome> {
  let marker: unknown;
  do {
    let result: Record<string, unknown>;
    try {
      result = fieldsOf(
        await server.request({
          command: 'account_tx',
          account,
          ledger_index_min: range.from,
          ledger_index_max: range.to,
          forward: true,
          binary: false,
          limit: ACCOUNT_TX_PAGE_LIMIT,
          api_version: apiVersion,
          ...(marker === undefined ? {} : { marker }),
        }),
      );
    } catch (err) {
      return failed(`account_tx ${account}: ${errorText(err)}`, err);
    }
    const servedMin = result.ledger_index_min;
    const servedMax = result.ledger_index_max;
    if (typeof servedMin !== 'number' || typeof servedMax !== 'number') {
      return failed(`account_tx ${account}: response without ledger_index_min/max`);
    }
    if (servedMin > range.from || servedMax < range.to) {
      return failed(
        `account_tx ${account}: server holds ${servedMin}-${servedMax}, needed ${range.from}-${range.to}`,
      );
    }
    const entries = result.transactions;
    if (!Array.isArray(entries)) return failed(`account_tx ${account}: no transactions array`);
    const page: HistoryTransaction[] = [];
    for (const entry of entries) {
      const tx = historyTransaction(entry, null);
      if (tx && tx.ledgerIndex >= range.from && tx.ledgerIndex <= range.to) page.push(tx);
    }
    if ((await onPage(page)) === 'stop') return { covered: false, stopped: true };
    marker = result.marker;
  } while (marker !== undefined && marker !== null);
  return { covered: true };
}

/**
 * Every transaction of the validated ledgers in `range`, from `ledger` with transactions and expand.
 * Cheaper than per-account `account_tx` when many accounts are watched and the gap is short; the caller
 * filters by watched accounts (the accounting module only reports watched accounts anyway).
 */
export async function fetchLedgerHistory(
  server: Requester,
  range: LedgerRange,
  apiVersion: 1 | 2,
  concurrency = 8,
): Promise<FetchOutcome> {
  const indexes = Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i);
  const byLedger = new Map<number, HistoryTransaction[]>();
  let failure: FetchOutcome | undefined;
  // Requests are pipelined (rippled answers them in parallel); results are put back in ledger order.
  await forEachLimited(indexes, concurrency, async (index) => {
    if (failure !== undefined) return;
    const outcome = await fetchLedger(server, index, apiVersion);
    if (Array.isArray(outcome)) byLedger.set(index, outcome);
    else failure ??= outcome;
  });
  if (failure !== undefined) return failure;
  return { covered: true, transactions: indexes.flatMap((index) => byLedger.get(index) ?? []) };
}

/** One validated ledger's transactions, or why it cannot be read. */
async function fetchLedger(
  server: Requester,
  index: number,
  apiVersion: 1 | 2,
): Promise<HistoryTransaction[] | FetchOutcome> {
  let result: Record<string, unknown>;
  try {
    result = fieldsOf(
      await server.request({
        command: 'ledger',
        ledger_index: index,
        transactions: true,
        expand: true,
        api_version: apiVersion,
      }),
    );
  } catch (err) {
    return failed(`ledger ${index}: ${errorText(err)}`, err);
  }
  const ledger = fieldsOf(result.ledger);
  if (result.validated !== true && ledger.validated !== true) {
    return failed(`ledger ${index}: not validated on this server`);
  }
  const entries = ledger.transactions;
  if (!Array.isArray(entries)) return failed(`ledger ${index}: no transactions array`);
  const closeTimeIso = typeof ledger.close_time_iso === 'string' ? ledger.close_time_iso : undefined;
  const transactions: HistoryTransaction[] = [];
  for (const entry of entries) {
    const tx = historyTransaction(entry, { ledgerIndex: index, closeTimeIso });
    if (tx) transactions.push(tx);
  }
  return transactions;
}

/**
 * One validated transaction by hash (`tx`), or null when this server does not have it (txnNotFound, or
 * not validated). Other failures reject.
 */
export async function fetchTransaction(
  server: Requester,
  hash: string,
  apiVersion: 1 | 2,
): Promise<HistoryTransaction | null> {
  let result: Record<string, unknown>;
  try {
    result = fieldsOf(
      await server.request({ command: 'tx', transaction: hash, binary: false, api_version: apiVersion }),
    );
  } catch (err) {
    if ((err as { error?: unknown }).error === 'txnNotFound') return null;
    throw err;
  }
  if (result.validated !== true) return null;
  const tx = historyTransaction(result, null);
  return tx && tx.hash.toUpperCase() === hash.toUpperCase() ? tx : null;
}

/** Oldest first, in the order rippled applied them; each hash once. */
export function mergeHistory(batches: Iterable<readonly HistoryTransaction[]>): HistoryTransaction[] {
  const byHash = new Map<string, HistoryTransaction>();
  for (const batch of batches) for (const tx of batch) if (!byHash.has(tx.hash)) byHash.set(tx.hash, tx);
  return [...byHash.values()].sort(
    (a, b) => a.ledgerIndex - b.ledgerIndex || a.transactionIndex - b.transactionIndex,
  );
}

function historyTransaction(
  raw: unknown,
  ledger: { ledgerIndex: number; closeTimeIso: string | undefined } | null,
): HistoryTransaction | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const entry = raw as Record<string, unknown>;
  // account_tx only returns validated transactions, but an entry that says otherwise is not counted.
  if (entry.validated === false) return null;
  const tx = fieldsOf(entry.tx_json ?? entry.tx ?? entry);
  const meta = fieldsOf(entry.meta ?? entry.metaData);
  const hash = entry.hash ?? tx.hash;
  const ledgerIndex = ledger?.ledgerIndex ?? entry.ledger_index ?? tx.ledger_index;
  if (typeof hash !== 'string' || typeof ledgerIndex !== 'number') return null;
  const transactionIndex = typeof meta.TransactionIndex === 'number' ? meta.TransactionIndex : 0;
  // `ledger` entries carry neither their ledger index nor the validated flag: the ledger answer
  // vouched for both, so they are stated on the entry for the accounting module.
  const completed = ledger
    ? {
        ...entry,
        ledger_index: ledgerIndex,
        validated: true,
        ...(ledger.closeTimeIso && entry.close_time_iso === undefined
          ? { close_time_iso: ledger.closeTimeIso }
          : {}),
      }
    : entry;
  return { entry: completed, hash, ledgerIndex, transactionIndex };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
