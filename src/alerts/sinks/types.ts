/*
 * The one interface every notification sink implements. A sink only delivers and says how a delivery
 * went; retries, backoff, persistence, idempotency and dead letters belong to the outbox (outbox.ts).
 */

import type { SinkName } from '../../config/types.js';

export type { SinkName };

/** A recipient the server refused for good (SMTP 5xx at RCPT TO): reported, never retried. */
export interface Refusal {
  readonly recipient: string;
  /** The server's reply, one line. */
  readonly reply: string;
}

/**
 * How one delivery attempt went. A sink never throws.
 * - `delivered`: accepted (an email may still have had some recipients refused for good).
 * - `partial` (single-item deliveries only): some recipients are done (accepted, or refused for good) and
 *   `retry` is the same item narrowed to those refused for now, to be retried with backoff. `accepted`
 *   says whether any recipient accepted it.
 * - `failed`: nothing accepted. `permanent` failures are not retried (the item becomes a dead letter);
 *   a transient one is retried, either alone (`scope: 'item'`, e.g. SMTP 4xx for this message) or with the
 *   whole target paused (`scope: 'target'`: the server is unreachable, times out or refuses our credentials).
 */
export type Delivery<P> =
  | { readonly status: 'delivered'; readonly refused: readonly Refusal[] }
  | {
      readonly status: 'partial';
      readonly accepted: boolean;
      readonly refused: readonly Refusal[];
      readonly retry: P;
      readonly error: string;
    }
  | {
      readonly status: 'failed';
      readonly permanent: boolean;
      readonly scope: 'item' | 'target';
      readonly error: string;
      readonly refused: readonly Refusal[];
    };

export interface Sink<P> {
  /** How many items one delivery may carry (an Alertmanager takes a list of alerts, SMTP one message). */
  readonly batchSize: number;
  /** `target` names where to deliver: the SMTP server, or one Alertmanager URL (its secrets masked). */
  deliver(target: string, payloads: readonly P[]): Promise<Delivery<P>>;
  /** Releases connections; called once no delivery of this sink is in flight any more. */
  close(): void;
}

/** A notification given up on: shown on the status page, counted, logged. */
export interface DeadLetter {
  /** Unix seconds. */
  readonly at: number;
  readonly sink: SinkName;
  readonly rule: string;
  /** Where it was going (the SMTP server, an Alertmanager URL). */
  readonly target: string;
  /** A recipient refused for good, when only that recipient was lost. */
  readonly recipient: string | null;
  /** One line saying what the notification was. */
  readonly what: string;
  readonly error: string;
}

/** What the status page shows per sink target. */
export interface TargetStatus {
  readonly sink: SinkName;
  readonly target: string;
  readonly queued: number;
  /** Unix seconds of the last accepted delivery, or null. */
  readonly lastSuccessAt: number | null;
  /** The last failure, or null when the last attempt succeeded. */
  readonly lastError: { readonly at: number; readonly message: string } | null;
}
