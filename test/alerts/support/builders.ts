import Big from 'big.js';
import type { Asset, TxAnalysis } from '../../../src/accounting/types.js';
import type { PaymentEvent } from '../../../src/alerts/types.js';
import type { RuleConfig } from '../../../src/config/types.js';

/** Real, checksum-valid classic addresses (testnet faucet, dev-portal examples, well-known issuers). */
export const ALICE = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
export const BOB = 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8';
export const CAROL = 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN';
export const GATEHUB = 'rhub8VRN55s94qWKDv6jmDy1pUykJzF3wq';
export const BITSTAMP = 'rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B';

export const XRP: Asset = { kind: 'xrp' };
export const usd = (issuer: string): Asset => ({ kind: 'token', currency: 'USD', issuer });

const MINUTE = 60_000;

export function rule(overrides: Partial<RuleConfig> & Pick<RuleConfig, 'name' | 'kind'>): RuleConfig {
  return {
    threshold: null,
    windowMs: null,
    currency: null,
    issuer: null,
    accounts: null,
    from: null,
    destinationTag: null,
    cooldownMs: 15 * MINUTE,
    to: null,
    notify: ['email'],
    labels: {},
    ...overrides,
  };
}

let counter = 0;

/** A payment to ALICE of `value` XRP at `closeTime` (Unix s); a fresh 64-hex hash unless given. */
export function payment(
  value: string,
  closeTime: number,
  overrides: Partial<PaymentEvent> = {},
): PaymentEvent {
  counter += 1;
  return {
    account: ALICE,
    accountName: 'faucet',
    asset: XRP,
    value: new Big(value),
    sender: BOB,
    destinationTag: null,
    txType: 'Payment',
    hash: `C0FFEE${counter.toString(16).toUpperCase().padStart(58, '0')}`,
    ledgerIndex: 1_000_000 + counter,
    closeTime,
    partial: false,
    ...overrides,
  };
}

/** What the pipeline hands to the rules: one event per received asset of each counted watched account. */
export function fixtureEvents(
  analysis: TxAnalysis,
  accounts: readonly { readonly address: string; readonly name: string }[],
  fallbackCloseTime: number,
): PaymentEvent[] {
  return analysis.accounts
    .filter((effect) => effect.counted)
    .flatMap((effect) =>
      effect.received.map((amount) => ({
        account: effect.account,
        accountName: accounts.find((a) => a.address === effect.account)?.name ?? effect.account,
        asset: amount.asset,
        value: amount.value,
        sender: analysis.sender,
        destinationTag: analysis.destinationTag,
        txType: analysis.transactionType ?? 'unknown',
        hash: analysis.hash ?? '',
        ledgerIndex: analysis.ledgerIndex ?? 0,
        closeTime: analysis.closeTime ?? fallbackCloseTime,
        partial: analysis.partialPayment,
      })),
    );
}
