import { createHash } from 'node:crypto';
import { z } from 'zod';
import { totalsSnapshotSchema } from '../metrics/totals-snapshot.js';

/** Everything that survives a restart. Written atomically as one file. */
export interface PersistedState {
  readonly version: 1;
  /** The last completely processed validated ledger; null before the first one. */
  readonly checkpoint: number | null;
  /** ReceiptTotals.snapshot(). */
  readonly totals: z.infer<typeof totalsSnapshotSchema>;
  /** The pipeline's recent (hash, account) keys; opaque JSON owned by the pipeline. */
  readonly dedupe: unknown;
  /** The alert outbox; opaque JSON owned by the alerting module. */
  readonly outbox: unknown;
  /** The alert rules' state; opaque JSON owned by the alerting module. */
  readonly rules: unknown;
  /** History imports' progress; opaque JSON owned by history/. Absent in files written before it existed. */
  readonly history?: unknown;
  /** Thread bookkeeping; opaque JSON owned by the verification module. Absent in older files. */
  readonly verification?: unknown;
  /** The network the servers reported first (when xrpl.network_id is unset). Absent in older files. */
  readonly networkId?: number | null;
}

const FORMAT = 'xrpl-payments-exporter/state';

const stateSchema = z.strictObject({
  version: z.literal(1),
  checkpoint: z.number().int().nonnegative().nullable(),
  totals: totalsSnapshotSchema,
  dedupe: z.unknown(),
  outbox: z.unknown(),
  rules: z.unknown(),
  history: z.unknown().optional(),
  verification: z.unknown().optional(),
  networkId: z.number().int().nonnegative().nullable().optional(),
});

/** What save() takes: the totals may be given as the live ReceiptTotals, serialised incrementally. */
export type StateToSave = Omit<PersistedState, 'totals'> & {
  readonly totals: PersistedState['totals'] | { snapshotText(): string };
};

/**
 * The file is one JSON document, `{"format":…,"sha256":"<hex>","state":<state>}`, whose state part
 * is hashed byte for byte: a truncated or partly overwritten file fails the checksum even when what
 * is left happens to parse. The envelope is written by hand so the hashed bytes are exactly the
 * bytes on disk.
 */
export function encodeStateFile(state: StateToSave): string {
  const totals = 'snapshotText' in state.totals ? state.totals.snapshotText() : JSON.stringify(state.totals);
  const body = assemble(state, totals);
  return `${prefix(sha256(body))}${body}}\n`;
}

/** Parses and verifies a state file; throws an Error that says what is wrong. */
export function decodeStateFile(text: string): PersistedState {
  const header = /^\{"format":"([^"]*)","sha256":"([0-9a-f]{64})","state":/.exec(text);
  if (!header) throw new Error('not a state file (unrecognised header)');
  if (header[1] !== FORMAT) throw new Error(`unsupported state file format "${header[1]}"`);
  const expected = header[2]!;
  const trailer = text.endsWith('}\n') ? 2 : text.endsWith('}') ? 1 : 0;
  if (trailer === 0) throw new Error(`truncated: ${text.length} bytes, no closing brace`);
  const body = text.slice(header[0].length, text.length - trailer);
  if (sha256(body) !== expected)
    throw new Error(`checksum mismatch over ${body.length} bytes (truncated or modified)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`state is not valid JSON: ${(error as Error).message}`);
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`state does not match version 1: ${problems.join('; ')}`);
  }
  return result.data as PersistedState;
}

/** Fixed key order and `null` for an absent part, so equal states give equal bytes however they were built. */
function assemble(state: StateToSave, totals: string): string {
  return `{"version":1,"checkpoint":${json(state.checkpoint)},"totals":${totals},"dedupe":${json(state.dedupe)},"outbox":${json(state.outbox)},"rules":${json(state.rules)}${optional('history', state.history)}${optional('verification', state.verification)}${optional('networkId', state.networkId)}}`;
}

/** A part added after the first release: written only when present, so older states keep their bytes. */
function optional(key: string, value: unknown): string {
  return value === undefined ? '' : `,"${key}":${json(value)}`;
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function prefix(hash: string): string {
  return `{"format":"${FORMAT}","sha256":"${hash}","state":`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
