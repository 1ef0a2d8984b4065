import type { Requester } from '../backfill/index.js';
import { fieldsOf } from '../json.js';
import type { EntryType } from './links.js';
import type { ObservedEntry } from './thread-book.js';

/** What a server holds for one account at one validated ledger: its AccountRoot, trust lines, MPTokens. */
export interface AccountState {
  readonly entries: ObservedEntry[];
  /** False when a part could not be listed completely (a server without MPT support): no "gone" breaks. */
  readonly complete: boolean;
}

/** account_objects `type` filters (rippled LedgerFormats: `state` = RippleState, `mptoken` = MPToken). */
const OBJECT_TYPES: ReadonlyArray<readonly [string, EntryType]> = [
  ['state', 'RippleState'],
  ['mptoken', 'MPToken'],
];
const PAGE_LIMIT = 400;

/**
 * Reads the account's value-holding entries at `ledger` with account_info and account_objects (paged
 * with its marker; every page at the same ledger, so the pages agree). Rejects when the server fails.
 */
export async function readAccountState(
  server: Requester,
  account: string,
  ledger: number,
): Promise<AccountState> {
  const entries: ObservedEntry[] = [];
  let complete = true;
  try {
    const info = fieldsOf(await server.request({ command: 'account_info', account, ledger_index: ledger }));
    const root = observed(fieldsOf(info.account_data), 'AccountRoot');
    if (root) entries.push(root);
  } catch (err) {
    // No AccountRoot at that ledger (never funded, or deleted): an account owns no entry without one
    // (AccountDelete needs an empty owner directory; AMMWithdraw deletes the AMM's lines with it).
    if (!isNotFound(err)) throw err;
    return { entries, complete: true };
  }
  for (const [type, entryType] of OBJECT_TYPES) {
    let marker: unknown;
    do {
      let page: Record<string, unknown>;
      try {
        page = fieldsOf(
          await server.request({
            command: 'account_objects',
            account,
            type,
            ledger_index: ledger,
            limit: PAGE_LIMIT,
            ...(marker === undefined ? {} : { marker }),
          }),
        );
      } catch (err) {
        if (isNotFound(err)) return { entries, complete: true };
        // A server that predates MPTs refuses the type: it cannot hold any, but say the list is partial.
        if (entryType === 'MPToken' && (err as { error?: unknown }).error === 'invalidParams') {
          complete = false;
          break;
        }
        throw err;
      }
      const objects = Array.isArray(page.account_objects) ? page.account_objects : [];
      for (const object of objects) {
        const entry = observed(fieldsOf(object), entryType);
        if (entry) entries.push(entry);
      }
      marker = page.marker;
    } while (marker !== undefined && marker !== null);
  }
  return { entries, complete };
}

function observed(object: Record<string, unknown>, type: EntryType): ObservedEntry | null {
  const { index, PreviousTxnID: tx, PreviousTxnLgrSeq: ledger, Balance: balance } = object;
  if (object.LedgerEntryType !== type || typeof index !== 'string') return null;
  const previous =
    typeof tx === 'string' && typeof ledger === 'number' ? { tx: tx.toUpperCase(), ledger } : null;
  const xrpDrops =
    type === 'AccountRoot' && typeof balance === 'string' && /^\d+$/.test(balance) ? BigInt(balance) : null;
  return { entry: index.toUpperCase(), type, previous, xrpDrops };
}

function isNotFound(err: unknown): boolean {
  return (err as { error?: unknown }).error === 'actNotFound';
}
