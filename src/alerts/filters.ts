import type { Asset } from '../accounting/types.js';
import type { RuleConfig } from '../config/types.js';
import { mptIssuer } from '../metrics/labels.js';
import { canonicalCurrency, decodeCurrency, isMptIssuanceId } from './assets.js';
import type { PaymentEvent } from './types.js';

/**
 * Does the rule's `currency` filter select this asset? The filter is compared with the code as on the
 * ledger ("XRP", a 3-character code, 40-hex (any case; the standard 40-hex form equals its 3 letters),
 * or a 48-hex MPT issuance id); a 40-hex code also matches its decoded ASCII name, which is how the
 * metrics `currency` label shows it.
 */
export function currencyMatches(filter: string, asset: Asset): boolean {
  switch (asset.kind) {
    case 'xrp':
      return filter === 'XRP';
    case 'mpt':
      return isMptIssuanceId(filter) && filter.toUpperCase() === asset.mptIssuanceId.toUpperCase();
    case 'token': {
      if (filter === 'XRP' || isMptIssuanceId(filter)) return false;
      const code = canonicalCurrency(asset.currency);
      return canonicalCurrency(filter) === code || filter === decodeCurrency(code);
    }
  }
}

/** The issuer filter: the token's issuer, or the issuer encoded in an MPT issuance id; XRP has none. */
export function issuerMatches(filter: string, asset: Asset): boolean {
  switch (asset.kind) {
    case 'xrp':
      return false;
    case 'token':
      return asset.issuer === filter;
    case 'mpt':
      return mptIssuer(asset.mptIssuanceId) === filter;
  }
}

/** Is the account one this rule watches? `accounts` holds resolved addresses; null means every account. */
export function ruleWatchesAccount(rule: RuleConfig, account: string): boolean {
  return rule.accounts === null || rule.accounts.includes(account);
}

/** Every filter of the rule (currency, issuer, accounts, from, destination_tag) against one payment. */
export function paymentMatches(rule: RuleConfig, event: PaymentEvent): boolean {
  if (!ruleWatchesAccount(rule, event.account)) return false;
  if (rule.currency !== null && !currencyMatches(rule.currency, event.asset)) return false;
  if (rule.issuer !== null && !issuerMatches(rule.issuer, event.asset)) return false;
  if (rule.from !== null && (event.sender === null || !rule.from.includes(event.sender))) return false;
  if (rule.destinationTag === 'missing') return event.destinationTag === null;
  if (rule.destinationTag !== null) return event.destinationTag === rule.destinationTag;
  return true;
}
