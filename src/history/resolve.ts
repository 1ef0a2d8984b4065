import type { HistoryServer, Requester } from '../backfill/index.js';
import { fieldsOf } from '../json.js';
import { RIPPLE_EPOCH_OFFSET } from '../ripple-time.js';
import type { HistoryPoint } from './since.js';

/** A server's contiguous validated history, ending at its newest validated ledger. */
export interface HeldLedgers {
  readonly min: number;
  readonly max: number;
}

/** Why a point cannot be resolved: `transient` when a server failed to answer and may answer a retry. */
export class ResolveError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'ResolveError';
  }
}

/**
 * The ledgers a server holds, from `server_info`: the range of `complete_ledgers` that ends at the
 * newest validated ledger (account_tx searches only that contiguous range, xrpl-protocol.md §5).
 */
export async function heldLedgers(server: Requester): Promise<HeldLedgers> {
  const result = fieldsOf(await server.request({ command: 'server_info' }));
  const info = fieldsOf(result.info);
  const validated = fieldsOf(info.validated_ledger).seq;
  const ranges = String(info.complete_ledgers ?? '')
    .split(',')
    .map((part) => /^(\d+)(?:-(\d+))?$/.exec(part.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ min: Number(m[1]), max: Number(m[2] ?? m[1]) }));
  const newest = typeof validated === 'number' ? validated : Math.max(0, ...ranges.map((r) => r.max));
  const range = ranges.find((r) => r.min <= newest && newest <= r.max);
  if (!range)
    throw new ResolveError(
      `server holds no validated ledgers (complete_ledgers "${info.complete_ledgers}")`,
      false,
    );
  return { min: range.min, max: newest };
}

/** A validated ledger's close time, Unix seconds (`ledger` answers Ripple-epoch seconds). */
export async function ledgerCloseTime(server: Requester, index: number): Promise<number> {
  const result = fieldsOf(await server.request({ command: 'ledger', ledger_index: index }));
  const ledger = fieldsOf(result.ledger);
  if (result.validated !== true && ledger.validated !== true) {
    throw new ResolveError(`ledger ${index} is not validated on this server`, false);
  }
  if (typeof ledger.close_time !== 'number')
    throw new ResolveError(`ledger ${index} without close_time`, false);
  return ledger.close_time + RIPPLE_EPOCH_OFFSET;
}

/**
 * The first ledger closing at or after `unixSeconds`, by binary search over the server's held ledgers:
 * about 30 `ledger` requests for all of mainnet. A ledger closes at least one second after its parent
 * (rippled LedgerTiming.h `effCloseTime`: max(rounded close time, parent close time + 1s)), so close
 * times strictly increase. `held.max + 1` when no held ledger closes that late yet. Throws a
 * ResolveError when the server's history starts too late to tell (its first ledger closes more than a
 * second after the time, so an earlier ledger may close at or after it too).
 */
export async function firstLedgerClosingAtOrAfter(
  server: Requester,
  unixSeconds: number,
  held: HeldLedgers,
): Promise<number> {
  if ((await ledgerCloseTime(server, held.max)) < unixSeconds) return held.max + 1;
  const firstClose = await ledgerCloseTime(server, held.min);
  // Its parent closed by firstClose - 1 s: before the time when the time is above that.
  if (firstClose >= unixSeconds && firstClose - 1 < unixSeconds) return held.min;
  if (firstClose >= unixSeconds) {
    throw new ResolveError(
      `server history starts at ledger ${held.min}, closed ${isoTime(firstClose)}, after ${isoTime(unixSeconds)}`,
      false,
    );
  }
  // Invariant: ledger `lo` closes before the time, ledger `hi` at or after it.
  let lo = held.min;
  let hi = held.max;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if ((await ledgerCloseTime(server, mid)) >= unixSeconds) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A resolved range bound: the ledger, and the newest validated ledger when it was resolved. */
export interface ResolvedPoint {
  readonly ledger: number;
  readonly newestValidated: number;
  /**
   * False when the bound lies beyond validated history: a ledger index above the newest validated one,
   * or (as an end) a time no validated ledger has closed at yet, so later ledgers may still fall before it.
   */
  readonly reached: boolean;
}

/**
 * Resolves a point to a ledger index on the first server that can: a ledger index as given; a time as
 * the first ledger closing at or after it (`start`) or the last ledger closing before it (`end`), so
 * consecutive periods such as months share no ledger and miss none.
 */
export async function resolvePoint(
  servers: readonly HistoryServer[],
  point: HistoryPoint,
  bound: 'start' | 'end',
): Promise<ResolvedPoint> {
  const problems: string[] = [];
  let transient = false;
  for (const server of servers) {
    let requester: Awaited<ReturnType<HistoryServer['connect']>> | null = null;
    try {
      requester = await server.connect();
      const held = await heldLedgers(requester);
      if (point.kind === 'ledger') {
        return { ledger: point.index, newestValidated: held.max, reached: point.index <= held.max };
      }
      const first = await firstLedgerClosingAtOrAfter(requester, point.unixSeconds, held);
      return {
        ledger: bound === 'start' ? first : first - 1,
        newestValidated: held.max,
        reached: first <= held.max,
      };
    } catch (err) {
      const known = err instanceof ResolveError;
      transient ||= !known;
      problems.push(`${server.url}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      requester?.close?.();
    }
  }
  throw new ResolveError(
    `cannot resolve ${point.kind === 'ledger' ? `ledger ${point.index}` : point.text} to a ledger: ${problems.join('; ') || 'no server configured'}`,
    transient,
  );
}

function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
