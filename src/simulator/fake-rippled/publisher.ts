import type { WebSocket } from 'ws';
import { ledgerClosedText, type ServerSettings, type SubscriberState } from './commands.js';
import { type DeliveryLimits, flushed, send, transactionMessages } from './delivery.js';
import type { LedgerStore, StoredLedger } from './ledger-store.js';
import type { LedgerHeader } from './tx-shapes.js';

/** A subscriber socket as the publisher sees it, with its per-connection faults. */
export interface PublishTarget extends SubscriberState {
  readonly socket: WebSocket;
  /** Skip this many whole ledgers (ledgerClosed and transactions) for this connection. */
  skipLedgers: number;
  /** Skip this many ledgerClosed messages for this connection (its transactions still go out). */
  skipLedgerMessages: number;
}

/** Server-wide stream faults, counted down as they are applied. */
export interface StreamFaults {
  /** The next n ledgers go out without ledgerClosed (to everyone). */
  skipLedgerMessages: number;
  /** The next n transaction messages are sent twice. */
  duplicate: number;
  /** In the next n deliveries with two or more transactions, the first two swap places. */
  reorder: number;
}

export interface PublisherHooks {
  readonly targets: () => Iterable<PublishTarget>;
  /** Runs before ledger `index` is validated (scheduled chaos). */
  readonly beforeLedger: (index: number) => Promise<void>;
  readonly published: (header: LedgerHeader) => void;
}

/**
 * Turns pending ledgers into validated ones and streams them, one ledger at a time in order, as
 * NetworkOPs pubLedger does: ledgerClosed to `ledger` subscribers, then each subscriber's transactions.
 */
export class Publisher {
  readonly faults: StreamFaults = { skipLedgerMessages: 0, duplicate: 0, reorder: 0 };
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: LedgerStore,
    private readonly settings: ServerSettings,
    private readonly limits: DeliveryLimits,
    private readonly hooks: PublisherHooks,
  ) {}

  /** Publishes the next pending ledger after any publication in progress; undefined if none is pending. */
  publishNext(): Promise<LedgerHeader | undefined> {
    const run = this.chain.then(() => this.publishOne());
    this.chain = run.catch(() => undefined);
    return run;
  }

  async publishUntil(index: number): Promise<void> {
    while (this.store.pendingCount > 0 && this.store.lastValidated.header.index < index)
      await this.publishNext();
  }

  startAuto(intervalMs: number, emptyWhenIdle: boolean): void {
    this.stopAuto();
    const tick = async () => {
      if (this.store.pendingCount === 0 && emptyWhenIdle) this.store.add([]);
      if (this.store.pendingCount > 0) await this.publishNext();
      if (this.timer) this.timer = setTimeout(tick, intervalMs);
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  stopAuto(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when publishing is idle and every socket has flushed what it was given. */
  async drain(): Promise<void> {
    await this.chain;
    await Promise.all([...this.hooks.targets()].map((t) => flushed(t.socket)));
  }

  private async publishOne(): Promise<LedgerHeader | undefined> {
    if (this.store.pendingCount === 0) return undefined;
    await this.hooks.beforeLedger(this.store.lastValidated.header.index + 1);
    const ledger = this.store.validateNext();
    if (!ledger) return undefined;
    const sendLedgerClosed = this.faults.skipLedgerMessages === 0;
    if (!sendLedgerClosed) this.faults.skipLedgerMessages -= 1;
    const ledgerText = ledgerClosedText(this.store, this.settings, ledger);
    for (const target of [...this.hooks.targets()]) {
      if (target.skipLedgers > 0) {
        target.skipLedgers -= 1;
        continue;
      }
      let withLedger = sendLedgerClosed && target.streams.has('ledger');
      if (withLedger && target.skipLedgerMessages > 0) {
        target.skipLedgerMessages -= 1;
        withLedger = false;
      }
      await this.sendLedger(target, ledger, withLedger ? ledgerText : undefined);
    }
    this.hooks.published(ledger.header);
    return ledger.header;
  }

  private async sendLedger(target: PublishTarget, ledger: StoredLedger, ledgerText?: string): Promise<void> {
    const messages = transactionMessages(target, ledger, this.store.omitted);
    if (this.faults.reorder > 0 && messages.length >= 2) {
      this.faults.reorder -= 1;
      [messages[0], messages[1]] = [messages[1]!, messages[0]!];
    }
    if (ledgerText !== undefined) await send(target.socket, ledgerText, this.limits);
    for (const message of messages) {
      const flushing = send(target.socket, message, this.limits);
      if (flushing) await flushing;
      if (this.faults.duplicate > 0) {
        this.faults.duplicate -= 1;
        await send(target.socket, message, this.limits);
      }
    }
  }
}
