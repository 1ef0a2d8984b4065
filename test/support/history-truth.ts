import Big from 'big.js';
import { analyzeTransaction, explainJson } from '../../src/accounting/index.js';
import type { Asset } from '../../src/accounting/types.js';
import { naturalAssetLabels } from '../../src/metrics/labels.js';
import type { History } from './history.js';

/** Exact totals of one account: `currency|issuer` (as the metric labels show them) -> sum and count. */
export type Totals = Map<string, { sum: Big; count: number }>;

export function addTo(totals: Totals, currency: string, issuer: string, value: string): void {
  const key = `${currency}|${issuer}`;
  const entry = totals.get(key) ?? { sum: new Big(0), count: 0 };
  totals.set(key, { sum: entry.sum.plus(value), count: entry.count + 1 });
}

/** Totals as plain `key -> "sum x count"` text, for readable comparisons. */
export function plainTotals(totals: Totals): Record<string, string> {
  return Object.fromEntries(
    [...totals]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, `${v.sum.toFixed()} x ${v.count}`]),
  );
}

/**
 * What `explain` says each transaction delivered to `account`, summed transaction by transaction over
 * ledgers `from`..`to` of a scripted history whose first ledger has index `firstLedger`: an oracle
 * independent of the exporter's totals and of `report`.
 */
export function explainTotals(
  history: History,
  firstLedger: number,
  account: string,
  from: number,
  to: number,
): Totals {
  const totals: Totals = new Map();
  history.ledgers.forEach((ledger, i) => {
    const index = firstLedger + i;
    if (index < from || index > to) return;
    for (const tx of ledger.transactions) {
      const explained = explainJson(
        analyzeTransaction({ ...tx, ledger_index: index, validated: true }, new Set([account])),
      );
      for (const a of explained.accounts) {
        if (a.account !== account || !a.counted) continue;
        for (const amount of a.received) {
          const asset: Asset =
            'mpt_issuance_id' in amount
              ? { kind: 'mpt', mptIssuanceId: amount.mpt_issuance_id }
              : amount.currency === 'XRP'
                ? { kind: 'xrp' }
                : { kind: 'token', currency: amount.currency, issuer: amount.issuer };
          const { currency, issuer } = naturalAssetLabels(asset);
          addTo(totals, currency, issuer, amount.value);
        }
      }
    }
  });
  return totals;
}

/** The exporter's exact totals of one account, from its status API. */
export async function statusTotals(base: string, account: string): Promise<Totals> {
  const status = (await (await fetch(`${base}/api/status`)).json()) as {
    accounts: Array<{
      address: string;
      received: Array<{ currency: string; issuer: string; value: string; count: number }>;
    }>;
  };
  const totals: Totals = new Map();
  const found = status.accounts.find((a) => a.address === account);
  for (const r of found?.received ?? [])
    totals.set(`${r.currency}|${r.issuer}`, { sum: new Big(r.value), count: r.count });
  return totals;
}

/** Totals of `report` CSV rows for one account. */
export function reportTotals(csv: string, account: string): Totals {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = header!.split(',');
  const totals: Totals = new Map();
  for (const line of lines) {
    const row = Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]));
    if (row.account === account) addTo(totals, row.currency!, row.issuer!, row.value!);
  }
  return totals;
}
