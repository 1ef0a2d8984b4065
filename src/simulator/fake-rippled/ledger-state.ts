import { isRecord } from '../../json.js';
import { accountRootIndex, mptokenIndex, rippleStateIndex } from '../../ledger-keys.js';

type Json = Record<string, unknown>;

/** The entry types whose state the fake serves (account_info, account_objects). */
const SERVED_TYPES: ReadonlySet<string> = new Set(['AccountRoot', 'RippleState', 'MPToken']);

/** One state of a ledger entry: its fields (null once deleted) and the transaction that left it so. */
export interface EntryVersion {
  readonly ledger: number;
  readonly fields: Json | null;
  readonly previousTxnId: string;
  readonly previousTxnLgrSeq: number;
}

interface Thread {
  readonly tx: string;
  readonly ledger: number;
}

/**
 * The fake's ledger state, built by applying each transaction's metadata in ledger order, and the
 * rewriting that makes replayed metadata consistent with it. Fixtures are real mainnet transactions
 * replayed under fresh hashes onto other accounts, so as they come their entry ids, PreviousTxnID /
 * PreviousTxnLgrSeq and AccountRoot balances belong to the original history; `apply` rewrites them:
 * - LedgerIndex of AccountRoot, RippleState and MPToken nodes is derived from their fields (keylets);
 * - every node's previous link names the transaction that last modified the entry here (an entry seen
 *   for the first time keeps its id but is dated before the fake's first ledger);
 * - an AccountRoot Balance moves by the original delta from the balance the state holds, when that
 *   stays non-negative (otherwise the original balance stands).
 * State is versioned per ledger, so account_info and account_objects answer at any held ledger.
 */
export class LedgerState {
  private readonly versions = new Map<string, EntryVersion[]>();
  private readonly threads = new Map<string, Thread>();
  /** account -> ids of the RippleState / MPToken entries it is a party to (ever). */
  private readonly owned = new Map<string, Set<string>>();

  /** @param beforeHistory the ledger that entries unseen so far are dated at (before the first one). */
  constructor(private readonly beforeHistory: number) {}

  /** Returns the metadata rewritten to this state (a copy) and applies it. */
  apply(hash: string, meta: Json, ledger: number): Json {
    const copy = structuredClone(meta);
    const nodes = Array.isArray(copy.AffectedNodes) ? copy.AffectedNodes : [];
    for (const wrapper of nodes) {
      if (!isRecord(wrapper)) continue;
      for (const [kind, node] of Object.entries(wrapper)) {
        if (isRecord(node)) this.applyNode(kind, node, hash, ledger);
      }
    }
    return copy;
  }

  private applyNode(kind: string, node: Json, hash: string, ledger: number): void {
    const fields = kind === 'CreatedNode' ? node.NewFields : node.FinalFields;
    const f = isRecord(fields) ? fields : null;
    const type = typeof node.LedgerEntryType === 'string' ? node.LedgerEntryType : '';
    const id = entryId(type, f) ?? (typeof node.LedgerIndex === 'string' ? node.LedgerIndex : null);
    if (id === null) return;
    node.LedgerIndex = id;
    // Node-level link on a ModifiedNode, FinalFields on a DeletedNode (rippled ApplyStateTable::apply).
    const linkHolder = kind === 'ModifiedNode' ? node : kind === 'DeletedNode' ? f : null;
    if (linkHolder && typeof linkHolder.PreviousTxnID === 'string') {
      const thread = this.threads.get(id);
      linkHolder.PreviousTxnID = thread?.tx ?? linkHolder.PreviousTxnID;
      linkHolder.PreviousTxnLgrSeq =
        thread?.ledger ?? Math.min(Number(linkHolder.PreviousTxnLgrSeq), this.beforeHistory);
    }
    if (!SERVED_TYPES.has(type)) {
      this.threads.set(id, { tx: hash, ledger });
      return;
    }
    const current = this.current(id);
    if (type === 'AccountRoot' && kind === 'ModifiedNode' && f) this.rebaseBalance(node, f, current);
    const previous = current?.fields ?? null;
    const merged =
      kind === 'DeletedNode'
        ? null
        : { ...(kind === 'CreatedNode' ? {} : previous), ...f, LedgerEntryType: type };
    this.threads.set(id, { tx: hash, ledger });
    this.record(id, { ledger, fields: merged, previousTxnId: hash, previousTxnLgrSeq: ledger });
    for (const party of partiesOf(type, f)) {
      const set = this.owned.get(party) ?? new Set<string>();
      set.add(id);
      this.owned.set(party, set);
    }
  }

  private rebaseBalance(node: Json, final: Json, current: EntryVersion | undefined): void {
    const held = current?.fields?.Balance;
    if (typeof held !== 'string' || typeof final.Balance !== 'string') return;
    const previousFields = isRecord(node.PreviousFields) ? node.PreviousFields : null;
    const before =
      typeof previousFields?.Balance === 'string' ? BigInt(previousFields.Balance) : BigInt(final.Balance);
    const after = BigInt(held) + (BigInt(final.Balance) - before);
    if (after < 0n) return;
    if (previousFields && typeof previousFields.Balance === 'string') previousFields.Balance = held;
    final.Balance = after.toString();
  }

  private record(id: string, version: EntryVersion): void {
    const list = this.versions.get(id) ?? [];
    list.push(version);
    this.versions.set(id, list);
  }

  private current(id: string): EntryVersion | undefined {
    return this.versions.get(id)?.at(-1);
  }

  /** The entry as it stood at `ledger` (undefined when it did not exist then). */
  entryAt(id: string, ledger: number): (Json & { index: string }) | undefined {
    const list = this.versions.get(id);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i]!;
      if (v.ledger > ledger) continue;
      if (v.fields === null) return undefined;
      return {
        ...v.fields,
        PreviousTxnID: v.previousTxnId,
        PreviousTxnLgrSeq: v.previousTxnLgrSeq,
        index: id,
      };
    }
    return undefined;
  }

  /** An AccountRoot first seen threaded only (no fields) shows just its thread; `Account` is known here. */
  accountRoot(account: string, ledger: number): Json | undefined {
    const entry = this.entryAt(accountRootIndex(account), ledger);
    return entry && { ...entry, Account: account };
  }

  /** True once any transaction created, modified or deleted the account's AccountRoot. */
  knowsAccount(account: string): boolean {
    return this.versions.has(accountRootIndex(account));
  }

  /** The account's RippleState and MPToken entries at `ledger`, in id order (account_objects). */
  objects(account: string, ledger: number, type: 'RippleState' | 'MPToken' | null): Json[] {
    const ids = [...(this.owned.get(account) ?? [])].sort();
    return ids.flatMap((id) => {
      const entry = this.entryAt(id, ledger);
      return entry && (type === null || entry.LedgerEntryType === type) ? [entry] : [];
    });
  }

  /** Forgets versions before `ledger` that a newer version at or below it already replaces. */
  forgetBefore(ledger: number): void {
    for (const [id, list] of this.versions) {
      let keepFrom = 0;
      list.forEach((v, i) => {
        if (v.ledger <= ledger) keepFrom = i;
      });
      if (keepFrom > 0) this.versions.set(id, list.slice(keepFrom));
    }
  }
}

function entryId(type: string, f: Json | null): string | null {
  if (!f) return null;
  try {
    if (type === 'AccountRoot' && typeof f.Account === 'string') return accountRootIndex(f.Account);
    if (type === 'MPToken' && typeof f.Account === 'string' && typeof f.MPTokenIssuanceID === 'string') {
      return mptokenIndex(f.MPTokenIssuanceID, f.Account);
    }
    if (type === 'RippleState') {
      const [low, high, balance] = [f.LowLimit, f.HighLimit, f.Balance];
      if (isRecord(low) && isRecord(high) && isRecord(balance)) {
        return rippleStateIndex(String(low.issuer), String(high.issuer), String(balance.currency));
      }
    }
  } catch {
    // An address that does not decode: keep the node's own id.
  }
  return null;
}

function partiesOf(type: string, f: Json | null): string[] {
  if (!f) return [];
  if (type === 'MPToken' && typeof f.Account === 'string') return [f.Account];
  if (type === 'RippleState') {
    return [f.LowLimit, f.HighLimit].flatMap((side) =>
      isRecord(side) && typeof side.issuer === 'string' ? [side.issuer] : [],
    );
  }
  return [];
}
