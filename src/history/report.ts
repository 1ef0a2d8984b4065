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
  /**
   * `history`: the range cannot be read (no server holds it, or not yet); `flags`: the period the flags
   * name is empty, which a ledger index and a time together only show once resolved.
   */
  | { readonly ok: false; readonly error: string; readonly problem: 'history' | 'flags' };

/**
 * Every receipt of the accounts in the period, oldest first (ledger, then position in the ledger, then
 * the accounts' order), counted exactly as the exporter counts them. All or nothing: when any part of
 * the range cannot be read, the result is an error and no rows, never a report that looks complete.
 */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const { servers, accounts, apiVersion, logger } = options;
  const resolved = await resolveRange(options.since, options.until, servers);
  if (!('range' in resolved)) return { ok: false, ...resolved };
  const { range } = resolved;
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
        problem: 'history',
      };
    }
    before += perAccount;
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return { ok: true, rows: keyed.map((k) => k.row), range };
}

/**
 * The ledgers of the period, or why there are none to read. A period starting after the newest
 * validated ledger, or ending after it, is not history yet: an empty or short report would look
 * complete. A period whose since comes after its until (a ledger index and a time, so only known once
 * resolved) is a mistake in the flags.
 */
async function resolveRange(
  since: HistoryPoint,
  until: HistoryPoint | null,
  servers: readonly HistoryServer[],
): Promise<{ range: LedgerRange } | { error: string; problem: 'history' | 'flags' }> {
  try {
    const start = await resolvePoint(servers, since, 'start');
    if (!start.reached) {
      const first =
        since.kind === 'ledger' ? `ledger ${since.index}` : `a ledger closing at or after ${since.text}`;
      return {
        error: `no history since ${formatHistoryPoint(since)} yet: ${first} is not validated (newest validated ledger: ${start.newestValidated})`,
        problem: 'history',
      };
    }
    if (until === null) return { range: { from: start.ledger, to: start.newestValidated } };
    const end = await resolvePoint(servers, until, 'end');
    if (!end.reached) {
      return {
        error: `history until ${formatHistoryPoint(until)} is not complete yet (newest validated ledger: ${end.newestValidated})`,
        problem: 'history',
      };
    }
    if (end.ledger < start.ledger && since.kind !== until.kind) {
      return {
        error: `--since ${formatHistoryPoint(since)} (ledger ${start.ledger}) is not before --until ${formatHistoryPoint(until)} (ledger ${end.ledger}): the period is empty`,
        problem: 'flags',
      };
    }
    return { range: { from: start.ledger, to: end.ledger } };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err), problem: 'history' };
  }
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
