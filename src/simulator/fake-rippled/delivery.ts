import { WebSocket } from 'ws';
import type { SubscriberState } from './commands.js';
import type { StoredLedger } from './ledger-store.js';
import { streamMessage } from './tx-shapes.js';

export interface DeliveryLimits {
  /** Above this many queued bytes, sending waits until the socket has flushed. */
  readonly highWaterMarkBytes: number;
  /** When > 0: above this many queued bytes the client is closed with 1008 instead (rippled's way). */
  readonly slowClientBytes: number;
}

/** Cached messages are bytes; they still go out as text frames, as rippled sends JSON. */
const TEXT_FRAME = { binary: false } as const;

/**
 * The transaction messages of one ledger for one subscriber, in TransactionIndex order (pubLedger):
 * every transaction for a `transactions` stream subscriber, else those whose affected accounts
 * (TxMeta::getAffectedAccounts) meet its accounts; once each, in its API version's shape.
 */
export function transactionMessages(
  subscriber: SubscriberState,
  ledger: StoredLedger,
  omitted: ReadonlySet<string>,
): Buffer[] {
  const everything = subscriber.streams.has('transactions');
  const messages: Buffer[] = [];
  for (const tx of ledger.txs) {
    if (omitted.size > 0 && omitted.has(tx.hash)) continue;
    if (everything || intersects(tx.affected, subscriber.accounts)) {
      messages.push(streamMessage(tx, subscriber.apiVersion));
    }
  }
  return messages;
}

/**
 * Sends without unbounded buffering: above the high-water mark it returns a promise that settles once
 * the socket has flushed (or closed); below it, nothing, so the fast path allocates no promise.
 */
export function send(
  socket: WebSocket,
  message: string | Buffer,
  limits: DeliveryLimits,
): Promise<void> | undefined {
  if (socket.readyState !== WebSocket.OPEN) return undefined;
  const buffered = socket.bufferedAmount;
  if (limits.slowClientBytes > 0) {
    // BaseWSPeer::send: over the send queue limit rippled gives up on the client instead of waiting.
    if (buffered > limits.slowClientBytes) socket.close(1008, 'Policy error: client is too slow.');
    else socket.send(message, TEXT_FRAME);
    return undefined;
  }
  if (buffered < limits.highWaterMarkBytes) {
    socket.send(message, TEXT_FRAME);
    return undefined;
  }
  return new Promise<void>((resolve) => {
    const done = () => {
      socket.off('close', done);
      resolve();
    };
    socket.once('close', done);
    socket.send(message, TEXT_FRAME, done);
  });
}

/** Resolves once everything queued on the socket so far has been written (a ping goes out after it). */
export function flushed(socket: WebSocket): Promise<void> {
  if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount === 0) return Promise.resolve();
  return new Promise((resolve) => socket.ping(undefined, undefined, () => resolve()));
}

function intersects(affected: ReadonlySet<string>, subscribed: ReadonlySet<string>): boolean {
  if (subscribed.size === 0) return false;
  for (const account of affected) if (subscribed.has(account)) return true;
  return false;
}
