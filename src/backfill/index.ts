import type { Logger } from '../log.js';
import type { LedgerRange } from '../pipeline/cursor.js';
import {
  fetchAccountHistory,
  fetchLedgerHistory,
  forEachLimited,
  type HistoryTransaction,
  mergeHistory,
  type Requester,
} from './fetch.js';

export type { HistoryTransaction, Requester } from './fetch.js';

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
  /** Why some of the range could not be read from any server, or null when all of it was. */
  readonly uncovered: string | null;
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
  let lastReason = '';

  const servers: Array<{ url: string; connect: () => Promise<Requester & { close?(): void }> }> = [
    { url: options.primaryUrl, connect: async () => options.primary },
    ...options.alternates.map((alt) => ({ url: alt.url, connect: () => alt.open() })),
  ];

  for (const server of servers) {
    if (mode === 'account_tx' && pending.length === 0) break;
    let requester: (Requester & { close?(): void }) | null = null;
    try {
      requester = await server.connect();
    } catch (err) {
      lastReason = `${server.url}: ${err instanceof Error ? err.message : String(err)}`;
      logger.warn('backfill server unavailable', { server: server.url, err });
      continue;
    }
    try {
      if (mode === 'ledger') {
        const outcome = await fetchLedgerHistory(requester, range, apiVersion, options.concurrency ?? 8);
        if (outcome.covered) return { transactions: mergeHistory([outcome.transactions]), uncovered: null };
        lastReason = `${server.url}: ${outcome.reason}`;
      } else {
        const failed: string[] = [];
        await forEachLimited(pending, options.concurrency ?? 8, async (account) => {
          const outcome = await fetchAccountHistory(requester!, account, range, apiVersion);
          if (outcome.covered) batches.push(outcome.transactions);
          else {
            failed.push(account);
            lastReason = `${server.url}: ${outcome.reason}`;
          }
        });
        pending = failed;
      }
    } finally {
      if (requester !== options.primary) requester.close?.();
    }
    if (lastReason) logger.warn('backfill incomplete on server', { server: server.url, reason: lastReason });
  }

  const complete = mode === 'account_tx' && pending.length === 0;
  return {
    transactions: mergeHistory(batches),
    uncovered: complete ? null : lastReason || 'no server answered',
  };
}
