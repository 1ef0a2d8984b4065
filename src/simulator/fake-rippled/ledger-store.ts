import { createHash } from 'node:crypto';
import { isRecord } from '../../json.js';
import { RIPPLE_EPOCH_OFFSET } from '../../ripple-time.js';
import { LedgerState } from './ledger-state.js';
import { type HistoryTx, type LedgerHeader, type StoredTx, storeTx } from './tx-shapes.js';

export interface StoredLedger {
  readonly header: LedgerHeader;
  readonly txs: readonly StoredTx[];
}

/** account_tx's resume point, as rippled encodes it: ledger index and position in that ledger. */
export interface AccountTxMarker {
  readonly ledger: number;
  readonly seq: number;
}

export interface AccountTxQuery {
  readonly min: number;
  readonly max: number;
  readonly forward: boolean;
  readonly limit: number;
  readonly marker?: AccountTxMarker;
}

/**
 * The fake's ledger history: ledgers are appended (pending) and become validated one by one when
 * published, as on a real server. Keeps per-account transaction lists (ascending) for account_tx, the
 * transactions by hash for tx, and (with threading, the default) the ledger state for account_info and
 * account_objects at any held ledger; without threading only the latest AccountRoot balances.
 */
export class LedgerStore {
  private readonly ledgers: StoredLedger[] = [];
  private validated = 0;
  private readonly byAccount = new Map<string, StoredTx[]>();
  /** Latest AccountRoot Balance (drops) seen in validated metadata; null once the account is deleted. */
  private readonly historyBalances = new Map<string, string | null>();
  private readonly configuredBalances = new Map<string, string>();
  private readonly hashes = new Set<string>();
  private readonly byHash = new Map<string, StoredTx>();
  /** The lying-server fault: transactions left out of the stream, account_tx, ledger and tx answers. */
  readonly omitted = new Set<string>();
  /** The state that threading builds; null when threading is off (benchmarks replaying shared objects). */
  readonly state: LedgerState | null;
  private historyStart: number;
  /** Ledgers dropped from the front of `ledgers` by forgetBefore (their indexes stay taken). */
  private dropped = 0;

  constructor(
    private readonly firstIndex: number,
    private readonly firstCloseTime: number,
    private readonly closeStepSeconds: number,
    threading = true,
  ) {
    this.historyStart = firstIndex;
    this.state = threading ? new LedgerState(firstIndex - 1) : null;
  }

  /** Appends a pending ledger; its close time defaults to the previous one plus the step. */
  add(txs: readonly HistoryTx[], closeTime?: Date): LedgerHeader {
    for (const tx of txs) {
      if (this.hashes.has(tx.hash)) throw new Error(`duplicate transaction hash ${tx.hash} in fake history`);
    }
    const previous = this.ledgers.at(-1)?.header;
    const index = this.firstIndex + this.dropped + this.ledgers.length;
    const rippleTime =
      closeTime !== undefined
        ? Math.floor(closeTime.getTime() / 1000) - RIPPLE_EPOCH_OFFSET
        : previous
          ? previous.closeTime + this.closeStepSeconds
          : this.firstCloseTime;
    const parentHash = previous?.hash ?? '0'.repeat(64);
    // Content-derived, so two fakes fed the same history agree on every ledger hash (failover tests).
    const hash = createHash('sha256')
      .update(`${index}:${parentHash}:${txs.map((t) => t.hash).join(',')}`)
      .digest('hex')
      .toUpperCase();
    const header: LedgerHeader = {
      index,
      hash,
      parentHash,
      closeTime: rippleTime,
      closeTimeIso: new Date((rippleTime + RIPPLE_EPOCH_OFFSET) * 1000).toISOString().replace('.000Z', 'Z'),
    };
    for (const tx of txs) this.hashes.add(tx.hash);
    const state = this.state;
    const threaded = state ? txs.map((tx) => ({ ...tx, meta: state.apply(tx.hash, tx.meta, index) })) : txs;
    this.ledgers.push({ header, txs: threaded.map((tx, position) => storeTx(tx, header, position)) });
    return header;
  }

  /** Marks the next pending ledger validated and indexes it; undefined when nothing is pending. */
  validateNext(): StoredLedger | undefined {
    const ledger = this.ledgers[this.validated];
    if (!ledger) return undefined;
    this.validated += 1;
    for (const tx of ledger.txs) {
      this.byHash.set(tx.hash, tx);
      for (const account of tx.affected) {
        let list = this.byAccount.get(account);
        if (!list) {
          list = [];
          this.byAccount.set(account, list);
        }
        list.push(tx);
      }
      this.recordBalances(tx.meta);
    }
    return ledger;
  }

  pending(): readonly StoredLedger[] {
    return this.ledgers.slice(this.validated);
  }

  get pendingCount(): number {
    return this.ledgers.length - this.validated;
  }

  get lastValidated(): StoredLedger {
    const ledger = this.ledgers[this.validated - 1];
    if (!ledger) throw new Error('fake rippled has no validated ledger');
    return ledger;
  }

  /** Index of the last ledger added (validated or not). */
  get lastAdded(): number {
    return this.firstIndex + this.dropped + this.ledgers.length - 1;
  }

  /** A validated ledger the server still holds, by index or hash. */
  ledger(selector: number | string): StoredLedger | undefined {
    const found =
      typeof selector === 'number'
        ? this.ledgers[selector - this.firstIndex - this.dropped]
        : this.ledgers.find((l) => l.header.hash === selector.toUpperCase());
    if (!found) return undefined;
    const { min, max } = this.validatedRange();
    return found.header.index >= min && found.header.index <= max ? found : undefined;
  }

  /** The searchable range (LedgerMaster::getValidatedRange): what the server holds, up to the last validated. */
  validatedRange(): { min: number; max: number } {
    const max = this.lastValidated.header.index;
    return { min: Math.min(Math.max(this.historyStart, this.firstIndex), max), max };
  }

  /** Forget every ledger before `index`, like a server with online_delete. */
  setHistoryStart(index: number): void {
    this.historyStart = index;
  }

  /**
   * Really drops the validated ledgers before `index` and their transactions, so a long-running
   * simulation (the demo) holds bounded memory; like setHistoryStart otherwise.
   */
  forgetBefore(index: number): void {
    this.historyStart = Math.max(this.historyStart, index);
    let count = 0;
    while (count < this.validated && this.ledgers[count]!.header.index < index) count++;
    if (count === 0) return;
    for (const ledger of this.ledgers.splice(0, count)) {
      for (const tx of ledger.txs) {
        this.hashes.delete(tx.hash);
        this.byHash.delete(tx.hash);
      }
    }
    this.state?.forgetBefore(index);
    this.validated -= count;
    this.dropped += count;
    for (const [account, list] of this.byAccount) {
      const kept = list.filter((tx) => tx.ledger.index >= index);
      if (kept.length === 0) this.byAccount.delete(account);
      else this.byAccount.set(account, kept);
    }
  }

  completeLedgers(): string {
    const { min, max } = this.validatedRange();
    return min === max ? `${min}` : `${min}-${max}`;
  }

  setBalance(account: string, drops: string): void {
    this.configuredBalances.set(account, drops);
  }

  /** A validated transaction the server still holds (and does not hide), by hash. */
  transaction(hash: string): StoredTx | undefined {
    const tx = this.byHash.get(hash.toUpperCase());
    if (!tx || this.omitted.has(tx.hash) || tx.ledger.index < this.validatedRange().min) return undefined;
    return tx;
  }

  /**
   * The AccountRoot at a validated ledger: from the state when a transaction touched it by then, else
   * the configured balance (threaded as if last modified before the first ledger); null when none.
   */
  accountRoot(account: string, ledger: number): Record<string, unknown> | null {
    const balance = this.balance(account);
    if (this.state?.knowsAccount(account)) {
      const root = this.state.accountRoot(account, ledger);
      // Threaded only so far: the balance is the configured one.
      return root ? { ...(balance === null ? {} : { Balance: balance }), ...root } : null;
    }
    if (balance === null) return null;
    return {
      Account: account,
      Balance: balance,
      Flags: 0,
      LedgerEntryType: 'AccountRoot',
      OwnerCount: 0,
      PreviousTxnID: createHash('sha256').update(`configured:${account}`).digest('hex').toUpperCase(),
      PreviousTxnLgrSeq: this.firstIndex - 1,
      Sequence: 1,
    };
  }

  /** Drops, or null when the account does not exist (never funded, or deleted in the history). */
  balance(account: string): string | null {
    const fromHistory = this.historyBalances.get(account);
    if (fromHistory !== undefined) return fromHistory;
    return this.configuredBalances.get(account) ?? null;
  }

  /** One page of the account's validated transactions in [min, max], like rippled's account_tx pages. */
  accountTx(account: string, query: AccountTxQuery): { txs: StoredTx[]; marker?: AccountTxMarker } {
    const list = this.byAccount.get(account) ?? [];
    const inRange = (t: StoredTx) => t.ledger.index >= query.min && t.ledger.index <= query.max;
    const txs: StoredTx[] = [];
    if (query.forward) {
      const from = query.marker ?? { ledger: query.min, seq: 0 };
      let i = lowerBound(list, key(from.ledger, from.seq));
      for (; i < list.length && txs.length < query.limit; i++) {
        const tx = list[i]!;
        if (tx.ledger.index > query.max) break;
        if (!this.omitted.has(tx.hash)) txs.push(tx);
      }
      const next = list[i];
      return next && inRange(next)
        ? { txs, marker: { ledger: next.ledger.index, seq: next.position } }
        : { txs };
    }
    const from = query.marker ?? { ledger: query.max, seq: Number.MAX_SAFE_INTEGER };
    let i = lowerBound(list, key(from.ledger, from.seq) + 1) - 1;
    for (; i >= 0 && txs.length < query.limit; i--) {
      const tx = list[i]!;
      if (tx.ledger.index < query.min) break;
      if (!this.omitted.has(tx.hash)) txs.push(tx);
    }
    const next = list[i];
    return next && inRange(next)
      ? { txs, marker: { ledger: next.ledger.index, seq: next.position } }
      : { txs };
  }

  private recordBalances(meta: Record<string, unknown>): void {
    const nodes = Array.isArray(meta.AffectedNodes) ? meta.AffectedNodes : [];
    for (const wrapper of nodes) {
      if (!isRecord(wrapper)) continue;
      for (const [kind, node] of Object.entries(wrapper)) {
        if (!isRecord(node) || node.LedgerEntryType !== 'AccountRoot') continue;
        const fields = kind === 'CreatedNode' ? node.NewFields : node.FinalFields;
        if (!isRecord(fields) || typeof fields.Account !== 'string') continue;
        if (kind === 'DeletedNode') this.historyBalances.set(fields.Account, null);
        else if (typeof fields.Balance === 'string') this.historyBalances.set(fields.Account, fields.Balance);
      }
    }
  }
}

/** Sort key of a tx in account order: ledger, then position (positions stay far below 1e6). */
function key(ledger: number, seq: number): number {
  return ledger * 1_000_000 + Math.min(seq, 999_999);
}

/** First position whose key is >= k (list is ascending by key). */
function lowerBound(list: readonly StoredTx[], k: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const tx = list[mid]!;
    if (key(tx.ledger.index, tx.position) < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
