/**
 * Seconds between the Unix epoch and the Ripple epoch (2000-01-01T00:00:00Z): ledger close times and
 * `date` fields count from the latter (xrpl-protocol.md §1.6).
 */
export const RIPPLE_EPOCH_OFFSET = 946_684_800;
