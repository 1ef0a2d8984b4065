/**
 * Seconds between the Unix epoch and the Ripple epoch (2000-01-01T00:00:00Z): ledger close times and
 * `date` fields count from the latter (xrpl-protocol.md §1.6).
 */
export const RIPPLE_EPOCH_OFFSET = 946_684_800;

/** The largest close time there is: the ledger header's `close_time` is a UInt32 (xrpl.org, Ledger Header). */
const MAX_LEDGER_TIME = 0xffff_ffff;

/** A ledger close time as the ledger stream and subscribe answer give it (`ledger_time`, Ripple-epoch
 * seconds) in Unix seconds, or null when it is not a close time. */
export function ledgerTimeToUnix(ledgerTime: unknown): number | null {
  return typeof ledgerTime === 'number' &&
    Number.isInteger(ledgerTime) &&
    ledgerTime >= 0 &&
    ledgerTime <= MAX_LEDGER_TIME
    ? ledgerTime + RIPPLE_EPOCH_OFFSET
    : null;
}
