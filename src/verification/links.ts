import type { JsonObject } from '../accounting/envelope.js';
import { isRecord } from '../json.js';
import { accountRootIndex } from '../ledger-keys.js';

/** The ledger entries that can hold a watched account's value (spec "What counts as received"). */
export type EntryType = 'AccountRoot' | 'RippleState' | 'MPToken';

/** A transaction's place in the ledger history: ledger, then TransactionIndex within it. */
export interface TxPosition {
  readonly hash: string;
  readonly ledger: number;
  /** meta.TransactionIndex; -1 when unknown (a baseline read from account_info / account_objects). */
  readonly index: number;
}

/** The transaction an entry pointed at before this one modified it (node-level PreviousTxnID). */
export interface ThreadLink {
  readonly tx: string;
  readonly ledger: number;
}

/** One of a watched account's entries as one transaction's metadata shows it. */
export interface EntryTouch {
  readonly account: string;
  /** The node's LedgerIndex: the entry's id. */
  readonly entry: string;
  readonly type: EntryType;
  readonly kind: 'created' | 'modified' | 'deleted';
  /**
   * The link to the transaction that modified the entry before this one; null for a created entry (it
   * had none) and for a node that lacks the fields (see docs/verification.md).
   */
  readonly previous: ThreadLink | null;
  /** AccountRoot only: Balance in drops after the transaction; null when the node does not show it. */
  readonly xrpDropsAfter: bigint | null;
}

/** Which accounts are watched, and their AccountRoot ids (a node threaded only shows its LedgerIndex). */
export class WatchIndex {
  readonly accounts: ReadonlySet<string>;
  private readonly byAccountRoot: ReadonlyMap<string, string>;

  constructor(accounts: Iterable<string>) {
    this.accounts = new Set(accounts);
    this.byAccountRoot = new Map([...this.accounts].map((a) => [accountRootIndex(a), a]));
  }

  accountOfRoot(ledgerIndex: unknown): string | undefined {
    return typeof ledgerIndex === 'string' ? this.byAccountRoot.get(ledgerIndex.toUpperCase()) : undefined;
  }
}

const NODE_KINDS = [
  ['CreatedNode', 'created'],
  ['ModifiedNode', 'modified'],
  ['DeletedNode', 'deleted'],
] as const;

/**
 * Every touch of a watched account's AccountRoot, RippleState or MPToken in one transaction's metadata.
 *
 * Protocol facts (rippled ApplyStateTable::apply / threadItem / threadOwners; sfields.macro marks
 * PreviousTxnID and PreviousTxnLgrSeq sMD_DeleteFinal; details and sources in docs/verification.md):
 * - ModifiedNode: the previous link is at node level, beside FinalFields. An AccountRoot threaded only
 *   because an object it owns (or is the Destination of) was created or deleted has no FinalFields at
 *   all: it is recognised by its LedgerIndex.
 * - DeletedNode: the previous link is in FinalFields.
 * - CreatedNode: no previous link (the entry is new).
 * Never throws: a node it cannot read is skipped (the accounting path reports malformed metadata).
 */
export function entryTouches(meta: JsonObject, watch: WatchIndex): EntryTouch[] {
  const touches: EntryTouch[] = [];
  const nodes = meta.AffectedNodes;
  if (!Array.isArray(nodes)) return touches;
  for (const wrapper of nodes) {
    if (!isRecord(wrapper)) continue;
    for (const [key, kind] of NODE_KINDS) {
      const node = wrapper[key];
      if (isRecord(node)) readNode(node, kind, watch, touches);
    }
  }
  return touches;
}

function readNode(node: JsonObject, kind: EntryTouch['kind'], watch: WatchIndex, out: EntryTouch[]): void {
  const type = node.LedgerEntryType;
  if (type !== 'AccountRoot' && type !== 'RippleState' && type !== 'MPToken') return;
  const entry = node.LedgerIndex;
  if (typeof entry !== 'string') return;
  const fields = kind === 'created' ? node.NewFields : node.FinalFields;
  const f = isRecord(fields) ? fields : null;
  const previous = kind === 'modified' ? linkOf(node) : kind === 'deleted' && f ? linkOf(f) : null;
  const touch = (account: string, xrpDropsAfter: bigint | null = null) =>
    out.push({ account, entry: entry.toUpperCase(), type, kind, previous, xrpDropsAfter });
  if (type === 'AccountRoot') {
    const account = typeof f?.Account === 'string' ? f.Account : watch.accountOfRoot(entry);
    if (account === undefined || !watch.accounts.has(account)) return;
    touch(account, kind === 'deleted' ? 0n : drops(f?.Balance));
  } else if (type === 'RippleState') {
    for (const side of [f?.LowLimit, f?.HighLimit]) {
      const issuer = isRecord(side) ? side.issuer : undefined;
      if (typeof issuer === 'string' && watch.accounts.has(issuer)) touch(issuer);
    }
  } else if (typeof f?.Account === 'string' && watch.accounts.has(f.Account)) {
    touch(f.Account);
  }
}

function linkOf(o: JsonObject): ThreadLink | null {
  const tx = o.PreviousTxnID;
  const ledger = o.PreviousTxnLgrSeq;
  if (typeof tx !== 'string' || typeof ledger !== 'number' || !Number.isSafeInteger(ledger)) return null;
  return { tx: tx.toUpperCase(), ledger };
}

function drops(value: unknown): bigint | null {
  return typeof value === 'string' && /^\d{1,18}$/.test(value) ? BigInt(value) : null;
}

/** meta.TransactionIndex, or -1 when absent. */
export function transactionIndex(meta: JsonObject): number {
  const index = meta.TransactionIndex;
  return typeof index === 'number' && Number.isSafeInteger(index) && index >= 0 ? index : -1;
}
