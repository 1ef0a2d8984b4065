import { mergeHistory } from '../backfill/fetch.js';
import {
  type HistoryServer,
  type HistoryTransaction,
  type PageVerdict,
  readAccountHistory,
} from '../backfill/index.js';
import type { Logger } from '../log.js';
import type { LedgerRange } from '../pipeline/cursor.js';

export interface ReadHistoryOptions {
  /** The configured servers in failover order. */
  readonly servers: readonly HistoryServer[];
  readonly account: string;
  readonly range: LedgerRange;
  readonly apiVersion: 1 | 2;
  /**
   * Takes the transactions of ledgers read completely, oldest first, each hash once, and the last ledger
   * they complete (`through`; every ledger up to it is read, even those without a transaction). A slice
   * holds at most one account_tx page plus the rest of one ledger. Return `'stop'` to end the read.
   */
  onSlice(transactions: HistoryTransaction[], through: number): PageVerdict | Promise<PageVerdict>;
  readonly logger: Logger;
}

export type ReadHistoryOutcome =
  | { readonly complete: true }
  | { readonly complete: false; readonly stopped: true }
  /**
   * No server could read the rest of the range. `transient`: at least one failed to answer (timeout,
   * disconnect) and may hold it; otherwise none holds it. `through`: ledgers up to here were delivered.
   */
  | {
      readonly complete: false;
      readonly stopped?: false;
      readonly reason: string;
      readonly transient: boolean;
      readonly through: number;
    };

/**
 * The one history reader: one account's validated transactions in a ledger range, from the configured
 * servers with failover, handed over in ledger-complete slices as they arrive (forward `account_tx`
 * with markers, every page checked against the range). A server that fails part-way hands over to the
 * next at the first ledger not yet delivered, so a ledger is delivered once and whole. Used by the
 * exporter's history import and by `report`.
 */
export async function readHistory(options: ReadHistoryOptions): Promise<ReadHistoryOutcome> {
  const { servers, account, range, apiVersion, logger } = options;
  let next = range.from;
  let transient = '';
  let notHeld = '';
  for (;;) {
    const passStart = next;
    for (const server of servers) {
      if (next > range.to) return { complete: true };
      let requester: Awaited<ReturnType<HistoryServer['connect']>>;
      try {
        requester = await server.connect();
      } catch (err) {
        transient = `${server.url}: ${err instanceof Error ? err.message : String(err)}`;
        continue;
      }
      // Transactions of the ledger being read: complete once a later ledger shows up (forward order).
      let open: HistoryTransaction[] = [];
      const deliver = async (through: number): Promise<PageVerdict> => {
        const done = open.filter((tx) => tx.ledgerIndex <= through);
        open = open.filter((tx) => tx.ledgerIndex > through);
        const verdict = await options.onSlice(mergeHistory([done]), through);
        next = through + 1;
        return verdict;
      };
      let outcome: Awaited<ReturnType<typeof readAccountHistory>>;
      try {
        outcome = await readAccountHistory(
          requester,
          account,
          { from: next, to: range.to },
          apiVersion,
          async (page) => {
            open.push(...page);
            const newest = page.reduce((max, tx) => Math.max(max, tx.ledgerIndex), 0);
            return newest - 1 >= next ? deliver(newest - 1) : undefined;
          },
        );
        if (outcome.covered) {
          // The last slice may be refused too: then the range is not complete.
          if ((await deliver(range.to)) === 'stop') return { complete: false, stopped: true };
          return { complete: true };
        }
      } finally {
        requester.close?.();
      }
      if ('stopped' in outcome) return { complete: false, stopped: true };
      if (outcome.transient) transient = `${server.url}: ${outcome.reason}`;
      else notHeld = `${server.url}: ${outcome.reason}`;
      logger.warn('history read incomplete on server', {
        server: server.url,
        account,
        ledgers: `${next}-${range.to}`,
        reason: outcome.reason,
      });
    }
    // Another pass only while some server makes progress (one may hold what another failed on).
    if (next === passStart) {
      return {
        complete: false,
        reason: [transient, notHeld].filter((r) => r !== '').join('; ') || 'no server configured',
        transient: transient !== '',
        through: next - 1,
      };
    }
  }
}
