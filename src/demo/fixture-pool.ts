import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeTransaction } from '../accounting/index.js';
import { type HistoryTx, normalizeEnvelope } from '../simulator/fake-rippled/tx-shapes.js';
import { addressesIn } from '../simulator/remap.js';

/** A real transaction that someone received value in, ready to be replayed to a demo account. */
export interface ReplayableTx {
  /** The file it came from (relative), "#key" for one entry of a file holding several. */
  readonly name: string;
  readonly transactionType: string;
  /** `JSON.stringify({tx, meta})`, remapped per replay. */
  readonly text: string;
  /**
   * Accounts with a counted receipt whose address is written out in the JSON (so a remap moves all of
   * it) and whose AccountRoot, if in the metadata, is modified rather than created or deleted (so a demo
   * account's XRP balance can be rebased onto its running balance), and that is not the issuer of a token
   * it received.
   */
  readonly receivers: readonly string[];
}

export interface FixturePool {
  readonly transactions: readonly ReplayableTx[];
  /** .json files read. */
  readonly files: number;
  /** Files that are not JSON or hold no transaction with metadata (and their reason). */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
}

/** Reads every .json file under `dir` (recursively, in sorted order) and keeps the replayable transactions. */
export function loadFixturePool(dir: string): FixturePool {
  const transactions: ReplayableTx[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  const files = listJsonFiles(dir);
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (err) {
      skipped.push({ file, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const found = transactionsIn(json, file).flatMap(({ name, tx }) => replayable(name, tx) ?? []);
    if (found.length === 0) skipped.push({ file, reason: 'no transaction in it credits anyone' });
    transactions.push(...found);
  }
  return { transactions, files: files.length, skipped };
}

function listJsonFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * The transactions with metadata in one parsed file: the file itself in any envelope, the entries of an
 * account_tx response (`result.transactions`), or the values of an object keyed by name.
 */
function transactionsIn(json: unknown, file: string): Array<{ name: string; tx: HistoryTx }> {
  const single = normalizeEnvelope(json);
  if (single) return [{ name: file, tx: single }];
  if (typeof json !== 'object' || json === null) return [];
  const record = json as Record<string, unknown>;
  const result = record.result as Record<string, unknown> | undefined;
  const entries: Array<[string, unknown]> = Array.isArray(result?.transactions)
    ? result.transactions.map((entry, i) => [String(i), entry])
    : Object.entries(record);
  return entries.flatMap(([key, value]) => {
    const tx = normalizeEnvelope(value);
    return tx ? [{ name: `${file}#${key}`, tx }] : [];
  });
}

function replayable(name: string, tx: HistoryTx): ReplayableTx | null {
  const analysis = analyzeTransaction({ tx: tx.tx, meta: tx.meta, hash: tx.hash }, 'all');
  if (!analysis.valid) return null;
  const written = new Set(addressesIn(tx));
  const createdOrDeleted = createdOrDeletedAccounts(tx.meta);
  const receivers = analysis.accounts
    .filter((a) => a.counted && written.has(a.account) && !createdOrDeleted.has(a.account))
    // An issuer taking back its own token (redeem, clawback) is real but reads oddly on a demo dashboard.
    .filter((a) => a.received.every((r) => r.asset.kind !== 'token' || r.asset.issuer !== a.account))
    .map((a) => a.account);
  if (receivers.length === 0) return null;
  return {
    name,
    transactionType: analysis.transactionType ?? 'unknown',
    text: JSON.stringify({ tx: tx.tx, meta: tx.meta }),
    receivers,
  };
}

/** Accounts whose AccountRoot this metadata creates or deletes. */
function createdOrDeletedAccounts(meta: Record<string, unknown>): Set<string> {
  const found = new Set<string>();
  for (const wrapper of Array.isArray(meta.AffectedNodes) ? meta.AffectedNodes : []) {
    for (const [kind, node] of Object.entries(wrapper as Record<string, Record<string, unknown>>)) {
      if (kind === 'ModifiedNode' || node?.LedgerEntryType !== 'AccountRoot') continue;
      const fields = (node.FinalFields ?? node.NewFields) as Record<string, unknown> | undefined;
      if (typeof fields?.Account === 'string') found.add(fields.Account);
    }
  }
  return found;
}
