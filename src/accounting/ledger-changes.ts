import Big from 'big.js';
import { isRecord } from '../json.js';
import {
  describe,
  InvalidInputError,
  parseCurrency,
  parseDrops,
  parseMptIssuanceId,
  parseMptUnits,
  parseTokenValue,
} from './amounts.js';
import type { JsonObject } from './envelope.js';
import type { WatchSet } from './types.js';

/** An account's XRP balance before and after, from its AccountRoot. */
export interface XrpChange {
  readonly kind: 'xrp';
  readonly delta: bigint;
  /** Drops after the transaction; 0 when the account was deleted. */
  readonly after: bigint;
}

/** One trust line seen from the account's side (positive = the account holds the counterparty's token). */
export interface LineChange {
  readonly kind: 'line';
  readonly counterparty: string;
  readonly currency: string;
  readonly before: Big;
  /** The balance the delta is measured to (a deleted line's final balance). */
  readonly after: Big;
  /** after − before. */
  readonly delta: Big;
  readonly deleted: boolean;
}

export interface MptChange {
  readonly kind: 'mpt';
  readonly mptIssuanceId: string;
  readonly before: bigint;
  readonly after: bigint;
  readonly deleted: boolean;
}

export type BalanceChange = XrpChange | LineChange | MptChange;

/** Everything the metadata says about one watched account's balances, in node order. */
export interface AccountChanges {
  readonly account: string;
  /** True when the account's AccountRoot is among the affected nodes. */
  accountRootSeen: boolean;
  readonly changes: BalanceChange[];
}

export interface LedgerChanges {
  /** Watched accounts in order of first appearance. */
  readonly accounts: Map<string, AccountChanges>;
  /** A Sponsorship entry's pre-funded FeeAmount went down: the fee came from that pool (XLS-68). */
  readonly feeFromSponsorshipPool: boolean;
}

// Classic address shape (base58, 25-35 characters). Only used for WatchSet 'all', where any
// account named in the metadata is reported; explicit watch sets were validated by the config.
const CLASSIC_ADDRESS = /^r[1-9A-HJ-NP-Za-km-z]{24,34}$/;

const ZERO = new Big(0);

type NodeKind = 'CreatedNode' | 'ModifiedNode' | 'DeletedNode';

const LOCATION: Record<NodeKind, string> = {
  CreatedNode: '.CreatedNode',
  ModifiedNode: '.ModifiedNode',
  DeletedNode: '.DeletedNode',
};

/**
 * Walks AffectedNodes once and reads balances only for watched accounts: AccountRoot `Balance`
 * (drops), RippleState `Balance` (from the low account's side: positive = low holds, high owes;
 * xrpl-protocol.md §2), MPToken `MPTAmount` (absent = 0). Other entry types carry no balances.
 */
export function collectLedgerChanges(meta: JsonObject, watched: WatchSet): LedgerChanges {
  const nodes = meta.AffectedNodes;
  if (!Array.isArray(nodes)) throw new InvalidInputError('metadata has no AffectedNodes array');
  const collector = new Collector(watched);
  for (let i = 0; i < nodes.length; i++) {
    try {
      collector.read(nodes[i]);
    } catch (error) {
      // Locations are added here, on the rare failure, to keep the walk free of string building.
      if (error instanceof InvalidInputError)
        throw new InvalidInputError(`AffectedNodes[${i}]${error.message}`);
      throw error;
    }
  }
  return { accounts: collector.accounts, feeFromSponsorshipPool: collector.feeFromSponsorshipPool };
}

class Collector {
  readonly accounts = new Map<string, AccountChanges>();
  feeFromSponsorshipPool = false;
  private readonly watchAll: boolean;
  private readonly watchedSet: ReadonlySet<string>;

  constructor(watched: WatchSet) {
    this.watchAll = watched === 'all';
    this.watchedSet = watched === 'all' ? new Set() : watched;
  }

  read(wrapper: unknown): void {
    if (!isRecord(wrapper)) throw new InvalidInputError(` is ${describe(wrapper)}`);
    let kind: NodeKind;
    let node: unknown;
    if (wrapper.ModifiedNode !== undefined) {
      kind = 'ModifiedNode';
      node = wrapper.ModifiedNode;
    } else if (wrapper.CreatedNode !== undefined) {
      kind = 'CreatedNode';
      node = wrapper.CreatedNode;
    } else if (wrapper.DeletedNode !== undefined) {
      kind = 'DeletedNode';
      node = wrapper.DeletedNode;
    } else {
      throw new InvalidInputError(' is not a Created, Modified or Deleted node');
    }
    // Error messages below start with the node kind; the caller prefixes the index.
    const where = LOCATION[kind];
    if (!isRecord(node)) throw new InvalidInputError(`${where} is ${describe(node)}`);
    switch (node.LedgerEntryType) {
      case 'AccountRoot': {
        const fields = fieldsOf(node, kind, where);
        if (fields === null || !this.watches(fields.Account, where)) return;
        const entry = this.entryFor(fields.Account);
        entry.accountRootSeen = true;
        const change = xrpChange(node, kind, fields, where);
        if (change !== null) entry.changes.push(change);
        return;
      }
      case 'RippleState': {
        const fields = fieldsOf(node, kind, where);
        if (fields === null) return;
        const low = limitIssuer(fields.LowLimit, `${where}.LowLimit`);
        const high = limitIssuer(fields.HighLimit, `${where}.HighLimit`);
        const lowWatched = this.watches(low, where);
        const highWatched = this.watches(high, where);
        if (!lowWatched && !highWatched) return;
        const line = lineBalances(node, kind, fields, where);
        if (lowWatched) {
          this.entryFor(low).changes.push({ kind: 'line', counterparty: high, ...line });
        }
        if (highWatched) {
          this.entryFor(high).changes.push({
            kind: 'line',
            counterparty: low,
            currency: line.currency,
            before: line.before.neg(),
            after: line.after.neg(),
            delta: line.delta.neg(),
            deleted: line.deleted,
          });
        }
        return;
      }
      case 'MPToken': {
        const fields = fieldsOf(node, kind, where);
        if (fields === null || !this.watches(fields.Account, where)) return;
        this.entryFor(fields.Account).changes.push(mptChange(node, kind, fields, where));
        return;
      }
      case 'Sponsorship':
        if (sponsorshipFeeSpent(node, kind, where)) this.feeFromSponsorshipPool = true;
        return;
      default:
        if (typeof node.LedgerEntryType !== 'string') {
          throw new InvalidInputError(`${where}: LedgerEntryType is ${describe(node.LedgerEntryType)}`);
        }
    }
  }

  private watches(account: unknown, where: string): account is string {
    if (typeof account !== 'string') throw new InvalidInputError(`${where}: account is ${describe(account)}`);
    return this.watchAll ? CLASSIC_ADDRESS.test(account) : this.watchedSet.has(account);
  }

  private entryFor(account: string): AccountChanges {
    let entry = this.accounts.get(account);
    if (entry === undefined) {
      entry = { account, accountRootSeen: false, changes: [] };
      this.accounts.set(account, entry);
    }
    return entry;
  }
}

/**
 * NewFields of a created node, FinalFields otherwise. A modified node may carry neither (only its
 * PreviousTxnID thread moved, e.g. an AccountRoot in fixture trustlineCreate): null, nothing changed.
 */
function fieldsOf(node: JsonObject, kind: NodeKind, where: string): JsonObject | null {
  const fields = kind === 'CreatedNode' ? node.NewFields : node.FinalFields;
  if (fields === undefined && kind === 'ModifiedNode' && node.PreviousFields === undefined) return null;
  if (!isRecord(fields)) {
    throw new InvalidInputError(`${where}: ${kind === 'CreatedNode' ? 'NewFields' : 'FinalFields'} missing`);
  }
  return fields;
}

function previousFieldsOf(node: JsonObject, where: string): JsonObject | null {
  const previous = node.PreviousFields;
  if (previous === undefined) return null;
  if (!isRecord(previous)) throw new InvalidInputError(`${where}: PreviousFields is ${describe(previous)}`);
  return previous;
}

function limitIssuer(limit: unknown, where: string): string {
  if (!isRecord(limit) || typeof limit.issuer !== 'string') {
    throw new InvalidInputError(`${where}: expected {currency, issuer, value}`);
  }
  return limit.issuer;
}

/** Same rule as xrpl.js getBalanceChanges: NewFields.Balance, else FinalFields − PreviousFields. */
function xrpChange(node: JsonObject, kind: NodeKind, fields: JsonObject, where: string): XrpChange | null {
  if (kind === 'CreatedNode') {
    if (fields.Balance === undefined) return null;
    const balance = parseDrops(fields.Balance, `${where}.NewFields.Balance`);
    return { kind: 'xrp', delta: balance, after: balance };
  }
  if (fields.Balance === undefined) return null;
  const final = parseDrops(fields.Balance, `${where}.FinalFields.Balance`);
  const previous = previousFieldsOf(node, where);
  const before =
    previous?.Balance === undefined ? final : parseDrops(previous.Balance, `${where}.PreviousFields.Balance`);
  return { kind: 'xrp', delta: final - before, after: kind === 'DeletedNode' ? 0n : final };
}

function lineBalances(
  node: JsonObject,
  kind: NodeKind,
  fields: JsonObject,
  where: string,
): { currency: string; before: Big; after: Big; delta: Big; deleted: boolean } {
  const balance = fields.Balance;
  if (!isRecord(balance)) throw new InvalidInputError(`${where}: Balance is ${describe(balance)}`);
  const currency = parseCurrency(balance.currency, `${where}.Balance.currency`);
  const after = parseTokenValue(balance.value, `${where}.Balance.value`);
  if (kind === 'CreatedNode') {
    return { currency, before: ZERO, after, delta: after, deleted: false };
  }
  const previous = previousFieldsOf(node, where)?.Balance;
  let before = after;
  if (previous !== undefined) {
    if (!isRecord(previous))
      throw new InvalidInputError(`${where}: PreviousFields.Balance is ${describe(previous)}`);
    before = parseTokenValue(previous.value, `${where}.PreviousFields.Balance.value`);
  }
  const delta = before === after ? ZERO : after.minus(before);
  return { currency, before, after, delta, deleted: kind === 'DeletedNode' };
}

/**
 * `MPTAmount` is a default-zero field, omitted when 0 (xrpl-protocol.md §4). Metadata lists in
 * PreviousFields only fields that existed before, so a field that appeared (0 → N) is missing
 * there: an absent or empty PreviousFields then means it was 0 (fixture PaymentMPT). When
 * PreviousFields lists other fields but not MPTAmount, the amount did not change (fixtures
 * EscrowFinish with MPT: LockedAmount moved; ConfidentialMPTSend: only ciphertexts moved).
 */
function mptChange(node: JsonObject, kind: NodeKind, fields: JsonObject, where: string): MptChange {
  const mptIssuanceId = parseMptIssuanceId(fields.MPTokenIssuanceID, `${where}.MPTokenIssuanceID`);
  const amount = fields.MPTAmount === undefined ? 0n : parseMptUnits(fields.MPTAmount, `${where}.MPTAmount`);
  if (kind === 'CreatedNode')
    return { kind: 'mpt', mptIssuanceId, before: 0n, after: amount, deleted: false };
  const previous = previousFieldsOf(node, where);
  let before: bigint;
  if (previous?.MPTAmount !== undefined) {
    before = parseMptUnits(previous.MPTAmount, `${where}.PreviousFields.MPTAmount`);
  } else if (fields.MPTAmount !== undefined && (previous === null || isEmpty(previous))) {
    before = 0n;
  } else {
    before = amount;
  }
  return { kind: 'mpt', mptIssuanceId, before, after: amount, deleted: kind === 'DeletedNode' };
}

function sponsorshipFeeSpent(node: JsonObject, kind: NodeKind, where: string): boolean {
  if (kind === 'CreatedNode') return false;
  const previous = previousFieldsOf(node, where);
  if (previous?.FeeAmount === undefined) return false;
  const before = parseDrops(previous.FeeAmount, `${where}.PreviousFields.FeeAmount`);
  const fields = fieldsOf(node, kind, where);
  const after =
    fields?.FeeAmount === undefined ? 0n : parseDrops(fields.FeeAmount, `${where}.FinalFields.FeeAmount`);
  return after < before;
}

function isEmpty(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}
