import { analyzeTransaction } from '../accounting/index.js';
import type { HistoryServer } from '../backfill/index.js';
import type { Logger } from '../log.js';
import type { LedgerRange } from '../pipeline/cursor.js';
import { readHistory } from './reader.js';
import { formatCsv, formatJson, type ReportRow, receiptRows } from './report-rows.js';
import { resolvePoint } from './resolve.js';
import { formatHistoryPoint, type HistoryPoint } from './since.js';

export { formatCsv, formatJson, REPORT_COLUMNS, type ReportRow } from './report-rows.js';

export interface ReportOptions {
  /** The configured servers in failover order. */
  readonly servers: readonly HistoryServer[];
  /** The accounts to report on, each with its name (the config's, or the address). */
  readonly accounts: ReadonlyArray<{ readonly address: string; readonly name: string }>;
  readonly since: HistoryPoint;
  /** Null: up to the newest validated ledger. */
  readonly until: HistoryPoint | null;
  readonly apiVersion: 1 | 2;
  readonly logger: Logger;
  /** Ledgers read so far out of all to read (over every account), for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

export type ReportResult =
  | { readonly ok: true; readonly rows: ReportRow[]; readonly range: LedgerRange }
  | { readonly ok: false; readonly error: string };

/**
 * Every receipt of the accounts in the period, oldest first (ledger, then position in the ledger, then
 * the accounts' order), counted exactly as the exporter counts them. All or nothing: when any part of
 * the range cannot be read, the result is an error and no rows, never a report that looks complete.
 */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const { servers, accounts, apiVersion, logger } = options;
  let range: LedgerRange;
  try {
    const start = await resolvePoint(servers, options.since, 'start');
    const end = options.until === null ? null : await resolvePoint(servers, options.until, 'end');
    if (end !== null && !end.reached) {
      return {
        ok: false,
        error: `history until ${formatHistoryPoint(options.until!)} is not complete yet (newest validated ledger: ${end.newestValidated})`,
      };
    }
    range = { from: start.ledger, to: end?.ledger ?? start.newestValidated };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const keyed: Array<{ row: ReportRow; key: readonly number[] }> = [];
  const perAccount = Math.max(0, range.to - range.from + 1);
  const total = perAccount * accounts.length;
  let before = 0;
  for (const [order, { address, name }] of accounts.entries()) {
    if (perAccount === 0) break;
    const watched = new Set([address]);
    const outcome = await readHistory({
      servers,
      account: address,
      range,
      apiVersion,
      logger,
      onSlice: (slice, through) => {
        for (const tx of slice) {
          const rows = receiptRows(analyzeTransaction(tx.entry, watched), address, name);
          rows.forEach((row, i) => {
            keyed.push({ row, key: [tx.ledgerIndex, tx.transactionIndex, order, i] });
          });
        }
        options.onProgress?.(before + (through - range.from + 1), total);
        return undefined;
      },
    });
    if (!outcome.complete) {
      const reason = 'reason' in outcome ? outcome.reason : 'stopped';
      return {
        ok: false,
        error: `cannot read the history of ${address} for ledgers ${range.from}-${range.to}: ${reason}`,
      };
    }
    before += perAccount;
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return { ok: true, rows: keyed.map((k) => k.row), range };
}

/** The report as text in the chosen format. */
export function formatReport(rows: readonly ReportRow[], format: 'csv' | 'json'): string {
  return format === 'csv' ? formatCsv(rows) : formatJson(rows);
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
