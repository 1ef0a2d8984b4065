import { dropsToXrp, formatValue } from './amounts.js';
import type { AssetAmount, TxAnalysis } from './types.js';

export type ExplainAmount =
  | { readonly currency: string; readonly issuer: string; readonly value: string }
  | { readonly mpt_issuance_id: string; readonly value: string };

export interface ExplainAccount {
  readonly account: string;
  readonly balance_changes: ExplainAmount[];
  readonly fee_paid: string;
  readonly received: ExplainAmount[];
  readonly counted: boolean;
  readonly reason: string;
}

export interface ExplainOutput {
  readonly hash: string | null;
  readonly ledger_index: number | null;
  readonly transaction_type: string | null;
  readonly result: string | null;
  readonly validated: boolean;
  readonly accounts: ExplainAccount[];
}

/**
 * The `explain` JSON of the spec, keys in the spec's order: exact decimal strings without
 * exponent, XRP in XRP (issuer ""), trust-line issuer = counterparty in balance_changes and the
 * token's issuer in received, MPTs as {mpt_issuance_id, value}, fee_paid in XRP.
 */
export function explainJson(analysis: TxAnalysis): ExplainOutput {
  return {
    hash: analysis.hash,
    ledger_index: analysis.ledgerIndex,
    transaction_type: analysis.transactionType,
    result: analysis.result,
    validated: analysis.validated,
    accounts: analysis.accounts.map((effect) => ({
      account: effect.account,
      balance_changes: effect.balanceChanges.map(explainAmount),
      fee_paid: formatValue(dropsToXrp(effect.feePaidDrops)),
      received: effect.received.map(explainAmount),
      counted: effect.counted,
      reason: effect.reason,
    })),
  };
}

function explainAmount({ asset, value }: AssetAmount): ExplainAmount {
  const text = formatValue(value);
  switch (asset.kind) {
    case 'xrp':
      return { currency: 'XRP', issuer: '', value: text };
    case 'token':
      return { currency: asset.currency, issuer: asset.issuer, value: text };
    case 'mpt':
      return { mpt_issuance_id: asset.mptIssuanceId, value: text };
  }
}
