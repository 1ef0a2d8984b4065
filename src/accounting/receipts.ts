import Big from 'big.js';
import { dropsToXrp } from './amounts.js';
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
  const lines: LineChange[] = [];
  const mptReceived: AssetAmount[] = [];
  let xrpDelta = 0n;

  for (const change of entry.changes) {
    switch (change.kind) {
      case 'xrp':
        xrpDelta = change.delta;
        if (change.delta !== 0n) balanceChanges.push({ asset: XRP, value: dropsToXrp(change.delta) });
        balancesAfter.push({ asset: XRP, value: dropsToXrp(change.after) });
        break;
      case 'line': {
        const asset: Asset = { kind: 'token', currency: change.currency, issuer: change.counterparty };
        const delta = change.after.minus(change.before);
        if (!isZero(delta)) balanceChanges.push({ asset, value: delta });
        balancesAfter.push({ asset, value: change.deleted ? ZERO : change.after });
        lines.push(change);
        break;
      }
      case 'mpt': {
        const asset: Asset = { kind: 'mpt', mptIssuanceId: change.mptIssuanceId };
        const delta = change.after - change.before;
        if (delta !== 0n) balanceChanges.push({ asset, value: new Big(delta.toString()) });
        if (delta > 0n) mptReceived.push({ asset, value: new Big(delta.toString()) });
        balancesAfter.push({ asset, value: change.deleted ? ZERO : new Big(change.after.toString()) });
        break;
      }
    }
  }

  const xrpReceived = entry.accountRootSeen ? xrpDelta + feePaidDrops : 0n;
  if (xrpReceived > 0n) received.push({ asset: XRP, value: dropsToXrp(xrpReceived) });
  const tokens = tokenReceipts(entry.account, lines);
  received.push(...tokens.received, ...mptReceived);
  return { balanceChanges, balancesAfter, received, rippledThrough: tokens.rippledThrough };
}

interface IssuerShare {
  readonly issuer: string;
  value: Big;
}

/**
 * Nets trust-line changes per currency code, so value rippling through the account (+x on one
 * line, −x on another) is not a receipt, and labels what remains with the token's issuer.
 *
 * Each line's movement is split at zero: the part where the account's balance is positive moves
 * tokens issued by the counterparty; the part where it is negative moves the account's own
 * issued tokens (a holder redeeming them to the account). So a line going from −100 to +100
 * (fixture paymentTokenRedeemThenIssue) is 100 of the account's own token redeemed and 100 of the
 * counterparty's token received.
 *
 * Attribution rule when a currency's positive net spans several issuers: the issuers whose own net
 * went up keep their increase, except that any decrease on other issuers of the same currency is
 * taken first from the smallest increases (ties: first seen). The amounts always add up to the
 * net. In fixture paymentTokenMultipath the destination gets 100 USD on each of three lines and
 * so receives 100 USD from each of the three issuers; each intermediary nets to zero.
 */
function tokenReceipts(
  account: string,
  lines: readonly LineChange[],
): { received: AssetAmount[]; rippledThrough: boolean } {
  const byCurrency = new Map<string, IssuerShare[]>();
  let anyIncrease = false;
  for (const line of lines) {
    const held = max0(line.after).minus(max0(line.before));
    const ownIssued = min0(line.after).minus(min0(line.before));
    if (line.after.gt(line.before)) anyIncrease = true;
    addShare(byCurrency, line.currency, line.counterparty, held);
    addShare(byCurrency, line.currency, account, ownIssued);
  }
  const received: AssetAmount[] = [];
  for (const [currency, shares] of byCurrency) {
    let net = ZERO;
    for (const share of shares) net = net.plus(share.value);
    if (net.lte(0)) continue;
    const increases = shares.filter((share) => share.value.gt(0));
    let shortfall = ZERO;
    for (const share of increases) shortfall = shortfall.plus(share.value);
    shortfall = shortfall.minus(net);
    const smallestFirst = [...increases].sort((a, b) => a.value.cmp(b.value));
    for (const share of smallestFirst) {
      if (shortfall.lte(0)) break;
      const taken = share.value.lt(shortfall) ? share.value : shortfall;
      share.value = share.value.minus(taken);
      shortfall = shortfall.minus(taken);
    }
    for (const share of increases) {
      if (share.value.gt(0)) {
        received.push({ asset: { kind: 'token', currency, issuer: share.issuer }, value: share.value });
      }
    }
  }
  return { received, rippledThrough: anyIncrease && received.length === 0 };
}

function addShare(
  byCurrency: Map<string, IssuerShare[]>,
  currency: string,
  issuer: string,
  value: Big,
): void {
  if (isZero(value)) return;
  let shares = byCurrency.get(currency);
  if (shares === undefined) {
    shares = [];
    byCurrency.set(currency, shares);
  }
  const existing = shares.find((share) => share.issuer === issuer);
  if (existing === undefined) shares.push({ issuer, value });
  else existing.value = existing.value.plus(value);
}

function isZero(value: Big): boolean {
  return value.c.length === 1 && value.c[0] === 0;
}

function max0(value: Big): Big {
  return value.s > 0 ? value : ZERO;
}

function min0(value: Big): Big {
  return value.s < 0 ? value : ZERO;
}
