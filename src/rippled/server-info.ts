import { isRecord } from '../json.js';
import type { RippledResult } from './request-connection.js';
import { isLedgerIndex } from './stream-message.js';

/** What a server says about itself in `server_info`, as far as the exporter uses it. */
export interface ServerInfo {
  /** `info.validated_ledger`: the server's newest validated ledger; null while it has none (syncing). */
  readonly validatedLedger: {
    readonly index: number;
    /** Unix seconds, derived from `info.time - validated_ledger.age`; null when either is missing. */
    readonly closeTime: number | null;
  } | null;
  /** `info.network_id` (rippled 1.11+ and Clio; mainnet 0, testnet 1, devnet 2); null when absent. */
  readonly networkId: number | null;
}

/**
 * Parses a `server_info` result. Every field is optional on the wire (a syncing server has no
 * `validated_ledger`, older servers no `network_id`), so anything missing or malformed is null rather
 * than an error. Shape (rippled and Clio alike): `{info: {complete_ledgers, network_id, time:
 * "2026-Mar-03 03:04:46.673396 UTC", validated_ledger: {age, hash, seq, ...}, ...}}`.
 */
export function parseServerInfo(result: RippledResult): ServerInfo {
  const info = isRecord(result.info) ? result.info : {};
  const validated = isRecord(info.validated_ledger) ? info.validated_ledger : null;
  const now = typeof info.time === 'string' ? parseServerTime(info.time) : null;
  const age = validated?.age;
  return {
    validatedLedger:
      validated && isLedgerIndex(validated.seq)
        ? {
            index: validated.seq,
            closeTime:
              now !== null && typeof age === 'number' && Number.isFinite(age) && age >= 0
                ? Math.round(now - age)
                : null,
          }
        : null,
    networkId: networkIdOf(info),
  };
}

/**
 * The `network_id` a message states: `server_info`'s `info`, a subscribe answer or a `ledgerClosed`
 * message (rippled 2.6+ adds it to the ledger stream, PR #5579; xrpl-protocol.md §1.2, §1.6); null when
 * it states none.
 */
export function networkIdOf(message: Record<string, unknown>): number | null {
  const id = message.network_id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** rippled's `info.time`, "%Y-%b-%d %H:%M:%S.%f UTC", to Unix seconds (null when it is not that). */
export function parseServerTime(text: string): number | null {
  const m = /^(\d{4})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d+)? UTC$/.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return null;
  const ms = Date.UTC(Number(m[1]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(ms) ? ms / 1000 + Number(m[7] ?? 0) : null;
}
