import Big from 'big.js';
import { bigFromInteger, dropsToXrp } from './amounts.js';
import type { AccountChanges, LineChange } from './ledger-changes.js';
import type { Asset, AssetAmount } from './types.js';

export const XRP: Asset = Object.freeze({ kind: 'xrp' });

export interface AccountFigures {
  readonly balanceChanges: AssetAmount[];
  readonly balancesAfter: AssetAmount[];
  readonly received: AssetAmount[];
  /** Some trust line went up but the net per currency did not: value rippled through the account. */
  readonly rippledThrough: boolean;
}

const ZERO = new Big(0);

/**
 * Turns one account's ledger changes into what it saw and what it received (spec "What counts as
 * received"): XRP = AccountRoot delta + the fee if this account paid it; tokens = net change per
 * currency code across its trust lines; MPT = MPToken amount change. Only positive results count.
 */
export function accountFigures(entry: AccountChanges, feePaidDrops: bigint): AccountFigures {
  const balanceChanges: AssetAmount[] = [];
  const balancesAfter: AssetAmount[] = [];
  const received: AssetAmount[] = [];
  let lines: LineChange[] | null = null;
  let mptReceived: AssetAmount[] | null = null;
  let xrpDelta = 0n;
  let xrpDeltaValue: Big | null = null;

  for (const change of entry.changes) {
    switch (change.kind) {
      case 'xrp':
        xrpDelta = change.delta;
        if (change.delta !== 0n) {
          xrpDeltaValue = dropsToXrp(change.delta);
          balanceChanges.push({ asset: XRP, value: xrpDeltaValue });
        }
        balancesAfter.push({ asset: XRP, value: dropsToXrp(change.after) });
        break;
      case 'line': {
        const asset: Asset = { kind: 'token', currency: change.currency, issuer: change.counterparty };
        if (!isZero(change.delta)) balanceChanges.push({ asset, value: change.delta });
        balancesAfter.push({ asset, value: change.deleted ? ZERO : change.after });
        if (lines === null) lines = [];
        lines.push(change);
        break;
      }
      case 'mpt': {
        const asset: Asset = { kind: 'mpt', mptIssuanceId: change.mptIssuanceId };
        const delta = change.after - change.before;
        if (delta !== 0n) {
          const value = bigFromInteger(delta);
          balanceChanges.push({ asset, value });
          if (delta > 0n) {
            if (mptReceived === null) mptReceived = [];
            mptReceived.push({ asset, value });
          }
        }
        balancesAfter.push({ asset, value: change.deleted ? ZERO : bigFromInteger(change.after) });
        break;
      }
    }
  }

  const xrpReceived = entry.accountRootSeen ? xrpDelta + feePaidDrops : 0n;
  if (xrpReceived > 0n) {
    const value =
      xrpReceived === xrpDelta && xrpDeltaValue !== null ? xrpDeltaValue : dropsToXrp(xrpReceived);
    received.push({ asset: XRP, value });
  }
  let rippledThrough = false;
  if (lines !== null) rippledThrough = addTokenReceipts(entry.account, lines, received);
  if (mptReceived !== null) received.push(...mptReceived);
  return { balanceChanges, balancesAfter, received, rippledThrough };
}

interface IssuerShare {
  readonly issuer: string;
  value: Big;
}

/**
 * Nets trust-line changes per currency code, so value rippling through the account (+x on one
 * line, −x on another) is not a receipt, and labels what remains with the token's issuer.
 * Appends the receipts to `received`; returns true when some line went up but nothing remained.
 *
 * Each line's movement is split at zero: the part where the account's balance is positive moves
 * tokens issued by the counterparty; the part where it is negative moves the account's own
 * issued tokens (a holder redeeming them to the account). So a line going from −100 to +100
 * (fixture paymentTokenRedeemThenIssue) is 100 of the counterparty's token received and 100 of
 * the account's own token redeemed.
 *
 * Attribution rule when a currency's positive net spans several issuers: the issuers whose own net
 * went up keep their increase, except that any decrease on other issuers of the same currency is
 * taken first from the smallest increases (ties: first seen). The amounts always add up to the
 * net. In fixture paymentTokenMultipath the destination gets 100 USD on each of three lines and
 * so receives 100 USD from each of the three issuers; each intermediary nets to zero.
 */
function addTokenReceipts(account: string, lines: readonly LineChange[], received: AssetAmount[]): boolean {
  const before = received.length;
  let anyIncrease = false;
  const byCurrency = new Map<string, IssuerShare[]>();
  for (const line of lines) {
    if (isZero(line.delta)) continue;
    if (line.delta.s > 0) anyIncrease = true;
    // Most lines stay on one side of zero: the whole delta is then one issuer's.
    if (isNonNegative(line.before) && isNonNegative(line.after)) {
      addShare(byCurrency, line.currency, line.counterparty, line.delta);
    } else if (isNonPositive(line.before) && isNonPositive(line.after)) {
      addShare(byCurrency, line.currency, account, line.delta);
    } else {
      const held = line.after.s > 0 ? line.after : line.before.neg();
      const ownIssued = line.after.s > 0 ? line.before.neg() : line.after;
      addShare(byCurrency, line.currency, line.counterparty, held);
      addShare(byCurrency, line.currency, account, ownIssued);
    }
  }
  for (const [currency, shares] of byCurrency) {
    const only = shares.length === 1 ? shares[0] : undefined;
    if (only !== undefined) {
      if (only.value.s > 0 && !isZero(only.value))
        received.push(tokenAmount(currency, only.issuer, only.value));
      continue;
    }
    let net = ZERO;
    let increases = ZERO;
    for (const share of shares) {
      net = net.plus(share.value);
      if (share.value.s > 0) increases = increases.plus(share.value);
    }
    if (isZero(net) || net.s < 0) continue;
    let shortfall = increases.minus(net);
    const positives = shares.filter((share) => share.value.s > 0);
    const smallestFirst = [...positives].sort((a, b) => a.value.cmp(b.value));
    for (const share of smallestFirst) {
      if (isZero(shortfall)) break;
      const taken = share.value.lt(shortfall) ? share.value : shortfall;
      share.value = share.value.minus(taken);
      shortfall = shortfall.minus(taken);
    }
    for (const share of positives) {
      if (!isZero(share.value)) received.push(tokenAmount(currency, share.issuer, share.value));
    }
  }
  return anyIncrease && received.length === before;
}

function tokenAmount(currency: string, issuer: string, value: Big): AssetAmount {
  return { asset: { kind: 'token', currency, issuer }, value };
}

function addShare(
  byCurrency: Map<string, IssuerShare[]>,
  currency: string,
  issuer: string,
  value: Big,
): void {
  const shares = byCurrency.get(currency);
  if (shares === undefined) {
    byCurrency.set(currency, [{ issuer, value }]);
    return;
  }
  const existing = shares.find((share) => share.issuer === issuer);
  if (existing === undefined) shares.push({ issuer, value });
  else existing.value = existing.value.plus(value);
}

function isZero(value: Big): boolean {
  return value.c.length === 1 && value.c[0] === 0;
}

function isNonNegative(value: Big): boolean {
  return value.s > 0 || isZero(value);
}

function isNonPositive(value: Big): boolean {
  return value.s < 0 || isZero(value);
}
