import type { RippledMessage } from './request-connection.js';

/** What a stream message (one without an `id`) is, as far as the connection layer can tell. The
 * accounting layer validates transactions; here only the ledger index matters, because it keeps the
 * stream fresh. */
export type StreamMessageKind =
  | { readonly kind: 'ledgerClosed'; readonly ledgerIndex: number }
  | { readonly kind: 'transaction' }
  | { readonly kind: 'invalid'; readonly reason: string };

export function classifyStreamMessage(message: RippledMessage): StreamMessageKind {
  switch (message.type) {
    case 'ledgerClosed':
      return isLedgerIndex(message.ledger_index)
        ? { kind: 'ledgerClosed', ledgerIndex: message.ledger_index }
        : { kind: 'invalid', reason: 'ledgerClosed without a valid ledger_index' };
    case 'transaction':
      return { kind: 'transaction' };
    default: {
      const type = JSON.stringify(message.type) ?? 'undefined';
      return { kind: 'invalid', reason: `unexpected message type ${type.slice(0, 60)}` };
    }
  }
}

/** Ledger indexes are unsigned 32-bit on the ledger; 0 is never a validated ledger. */
export function isLedgerIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0xffff_ffff;
}
