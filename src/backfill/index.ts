import { forEachLimited } from '../concurrency.js';
import type { Logger } from '../log.js';
import type { LedgerRange } from '../pipeline/cursor.js';
import {
  fetchAccountHistory,
  fetchLedgerHistory,
  fetchTransaction,
  type HistoryTransaction,
  mergeHistory,
  type Requester,
} from './fetch.js';

export type { HistoryTransaction, PageVerdict, ReadOutcome, Requester } from './fetch.js';
export { readAccountHistory } from './fetch.js';

/**
 * A configured server that history can be read from, in failover order: the live session's (its
 * `close` is absent: it stays open) or another one opened for the read (closed afterwards).
 */
export interface HistoryServer {
  readonly url: string;
  connect(): Promise<Requester & { close?(): void }>;
}
export { fetchAccountHistory, fetchTransaction, mergeHistory };

/** A server other than the live one, opened only to fill a gap the live one cannot cover. */
export interface AlternateServer {
  readonly url: string;
  open(): Promise<Requester & { close(): void }>;
}

export interface BackfillOptions {
  readonly range: LedgerRange;
  readonly accounts: readonly string[];
  readonly apiVersion: 1 | 2;
  /** The live session's server. */
  readonly primary: Requester;
  readonly primaryUrl: string;
  /** The other configured servers, in failover order. */
  readonly alternates: readonly AlternateServer[];
  /** Requests in flight at once on one server (rippled answers pipelined requests in parallel). */
  readonly concurrency?: number;
  readonly logger: Logger;
}

export interface BackfillResult {
  /** Every validated transaction found, oldest first, each hash once. */
  readonly transactions: HistoryTransaction[];
  /** Why some of the range is not held by any server (history pruned), or null. */
  readonly uncovered: string | null;
  /**
   * Why some of the range could not be read right now although a server may hold it (timeouts,
   * disconnects): the caller retries rather than giving the range up. Null when nothing failed so.
   */
  readonly retry: string | null;
}

/**
 * One `ledger` request per ledger costs far more than one `account_tx` per account (a mainnet
 * ledger holds hundreds of transactions), so read whole ledgers only when the gap is short compared to
 * the number of accounts.
 */
export const LEDGER_MODE_COST = 10;

export function chooseMode(range: LedgerRange, accountCount: number): 'account_tx' | 'ledger' {
  const ledgers = range.to - range.from + 1;
  return ledgers * LEDGER_MODE_COST < accountCount ? 'ledger' : 'account_tx';
}

/**
 * Reads the missing range from the live server, and whatever it cannot cover from the other servers
 * in order. Never throws: what no server covers is reported in `uncovered`.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { range, apiVersion, logger } = options;
  const mode = chooseMode(range, options.accounts.length);
  const batches: HistoryTransaction[][] = [];
  let pending: readonly string[] = options.accounts;
  let notHeld = '';
  let transient = '';

  const servers: HistoryServer[] = [
    { url: options.primaryUrl, connect: async () => options.primary },
    ...options.alternates.map((alt) => ({ url: alt.url, connect: () => alt.open() })),
  ];

  for (const server of servers) {
    if (mode === 'account_tx' && pending.length === 0) break;
    let requester: (Requester & { close?(): void }) | null = null;
    try {
      requester = await server.connect();
    } catch (err) {
      transient = `${server.url}: ${err instanceof Error ? err.message : String(err)}`;
      logger.warn('backfill server unavailable', { server: server.url, err });
      continue;
    }
    try {
      if (mode === 'ledger') {
        const outcome = await fetchLedgerHistory(requester, range, apiVersion, options.concurrency ?? 8);
        if (outcome.covered) {
          return { transactions: mergeHistory([outcome.transactions]), uncovered: null, retry: null };
        }
        if (outcome.transient) transient = `${server.url}: ${outcome.reason}`;
        else notHeld = `${server.url}: ${outcome.reason}`;
      } else {
        const failed: string[] = [];
        await forEachLimited(pending, options.concurrency ?? 8, async (account) => {
          const outcome = await fetchAccountHistory(requester!, account, range, apiVersion);
          if (outcome.covered) batches.push(outcome.transactions);
          else {
            failed.push(account);
            if (outcome.transient) transient = `${server.url}: ${outcome.reason}`;
            else notHeld = `${server.url}: ${outcome.reason}`;
          }
        });
        pending = failed;
      }
    } finally {
      if (requester !== options.primary) requester.close?.();
    }
    if (mode === 'ledger' || pending.length > 0) {
      logger.warn('backfill incomplete on server', { server: server.url, reason: transient || notHeld });
    }
  }

  const complete = mode === 'account_tx' && pending.length === 0;
  if (complete) return { transactions: mergeHistory(batches), uncovered: null, retry: null };
  // A server that failed to answer may hold the range: try again later rather than give it up.
  if (transient) return { transactions: [], uncovered: null, retry: transient };
  return { transactions: mergeHistory(batches), uncovered: notHeld || 'no server answered', retry: null };
}
