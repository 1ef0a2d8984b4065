import { formatValue } from '../accounting/index.js';
import type { TxAnalysis } from '../accounting/types.js';
import { naturalAssetLabels } from '../metrics/labels.js';

/** One receipt of `report`: one asset one account received in one transaction (spec, History). */
export interface ReportRow {
  readonly ledger_index: number;
  /** ISO 8601 UTC, e.g. 2026-01-01T00:00:04Z; empty when the server sent no close time. */
  readonly close_time: string;
  readonly hash: string;
  readonly account: string;
  readonly name: string;
  readonly type: string;
  /** As the `currency` label shows it. */
  readonly currency: string;
  readonly issuer: string;
  /** Exact decimal, no exponent: XRP in XRP, tokens in token units. */
  readonly value: string;
  readonly sender: string;
  readonly destination_tag: number | null;
  readonly partial: boolean;
}

/** The fixed CSV header, in the spec's order; JSON objects carry the same keys in the same order. */
export const REPORT_COLUMNS = [
  'ledger_index',
  'close_time',
  'hash',
  'account',
  'name',
  'type',
  'currency',
  'issuer',
  'value',
  'sender',
  'destination_tag',
  'partial',
] as const satisfies ReadonlyArray<keyof ReportRow>;

/**
 * The rows of one analysed transaction for one account: what the exporter counts for it (the same
 * accounting module, the same `received`), one row per asset. Nothing when it is not counted.
 */
export function receiptRows(analysis: TxAnalysis, account: string, name: string): ReportRow[] {
  const effect = analysis.accounts.find((e) => e.account === account);
  if (!effect?.counted || analysis.hash === null || analysis.ledgerIndex === null) return [];
  const closeTime = analysis.closeTime === null ? '' : isoSeconds(analysis.closeTime);
  return effect.received.map(({ asset, value }) => {
    const { currency, issuer } = naturalAssetLabels(asset);
    return {
      ledger_index: analysis.ledgerIndex as number,
      close_time: closeTime,
      hash: analysis.hash as string,
      account,
      name,
      type: analysis.transactionType ?? 'unknown',
      currency,
      issuer,
      value: formatValue(value),
      sender: analysis.sender ?? '',
      destination_tag: analysis.destinationTag,
      partial: analysis.partialPayment,
    };
  });
}

/** The CSV document: the header, then one line per row (RFC 4180 quoting where a field needs it). */
export function formatCsv(rows: readonly ReportRow[]): string {
  const lines = [REPORT_COLUMNS.join(',')];
  for (const row of rows) lines.push(REPORT_COLUMNS.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

/** The JSON document: an array of objects with the CSV's keys, numbers and booleans as JSON values. */
export function formatJson(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return '[]\n';
  const items = rows.map(
    (row) => `  ${JSON.stringify(Object.fromEntries(REPORT_COLUMNS.map((c) => [c, row[c]])))}`,
  );
  return `[\n${items.join(',\n')}\n]\n`;
}

function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function isoSeconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
