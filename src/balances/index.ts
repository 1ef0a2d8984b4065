import Big from 'big.js';
import type { Requester } from '../backfill/index.js';
import { forEachLimited } from '../concurrency.js';
import type { Logger } from '../log.js';
import { type BackoffOptions, ExponentialBackoff } from '../rippled/backoff.js';
import { RippledError } from '../rippled/errors.js';

const XRP_DROPS = new Big(1_000_000);

/**
 * Where a balance stands in the ledger history: after the transaction at `transactionIndex` of `ledger`
 * (meta.TransactionIndex, null when unknown), or after the whole ledger (AFTER_LEDGER).
 */
interface BalancePosition {
  readonly ledger: number;
  readonly transactionIndex: number | null;
}

/** The position of what `account_info` reads on a validated ledger: the state after all its transactions. */
export const AFTER_LEDGER = Number.POSITIVE_INFINITY;

/**
 * Where each known balance (account and asset) comes from, so an older balance never overwrites a
 * newer one: a starting balance read with `account_info` one taken from transaction metadata, or the
 * balance after an earlier transaction of a ledger (delivered late by a repair) the one after a later one.
 */
export class BalanceClock {
  private readonly positionOf = new Map<string, BalancePosition>();

  /**
   * True (and recorded) when a balance as of `ledger` is at least as new as what we have: after its
   * transaction at `transactionIndex`, or (by default) after the whole ledger.
   */
  advance(
    account: string,
    asset: string,
    ledger: number,
    transactionIndex: number | null = AFTER_LEDGER,
  ): boolean {
    const key = `${account}|${asset}`;
    const at = { ledger, transactionIndex };
    const known = this.positionOf.get(key);
    if (known !== undefined && isAfter(known, at)) return false;
    this.positionOf.set(key, at);
    return true;
  }

  /** The account is no longer watched: what was known about it goes stale. */
  forget(account: string): void {
    for (const key of this.positionOf.keys()) if (key.startsWith(`${account}|`)) this.positionOf.delete(key);
  }
}

/** Whether `a` is strictly later than `b`; an unknown place in the same ledger is taken in arrival order. */
function isAfter(a: BalancePosition, b: BalancePosition): boolean {
  if (a.ledger !== b.ledger) return a.ledger > b.ledger;
  if (a.transactionIndex === null || b.transactionIndex === null) return false;
  return a.transactionIndex > b.transactionIndex;
}

/** An account's XRP balance on a validated ledger (0 for an account that does not exist there). */
export interface XrpBalance {
  readonly xrp: Big;
  readonly ledger: number;
}

/**
 * Reads an account's XRP balance with `account_info` on the validated ledger. An unfunded account
 * (`actNotFound`) holds 0 XRP; any other failure throws.
 */
export async function fetchXrpBalance(server: Requester, account: string): Promise<XrpBalance> {
  let result: { account_data?: { Balance?: unknown }; ledger_index?: unknown };
  try {
    result = (await server.request({
      command: 'account_info',
      account,
      ledger_index: 'validated',
    })) as typeof result;
  } catch (err) {
    if (!(err instanceof RippledError) || err.error !== 'actNotFound') throw err;
    // rippled names the ledger it looked at; without it, any balance from metadata is newer.
    const ledger = err.response.ledger_index;
    return { xrp: new Big(0), ledger: typeof ledger === 'number' ? ledger : 0 };
  }
  const drops = result.account_data?.Balance;
  const ledger = result.ledger_index;
  if (typeof drops !== 'string' || !/^\d{1,18}$/.test(drops) || typeof ledger !== 'number') {
    throw new Error('account_info answer without account_data.Balance and ledger_index');
  }
  return { xrp: new Big(drops).div(XRP_DROPS), ledger };
}

export interface StartingBalancesOptions {
  readonly server: Requester;
  /** A balance arrived (the caller keeps it unless it already has a newer one). */
  readonly apply: (account: string, balance: XrpBalance) => void;
  readonly logger: Logger;
  /** Requests in flight at once. @default 32 */
  readonly concurrency?: number;
  /** Pause before the failed ones are asked again. @default { minMs: 1000, maxMs: 300_000 } */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
}

/** At most this many failed accounts are named in one log line. */
const NAMED_FAILURES = 5;

/**
 * Gets every watched account's XRP balance once, with `account_info`, and keeps asking for the ones
 * that failed (with backoff, and at once after each new subscription) until each is known. Afterwards
 * transaction metadata keeps the balances current. An account no longer watched is forgotten, so
 * watching it again reads it again.
 */
export class StartingBalances {
  private readonly watched = new Set<string>();
  private readonly unknown = new Set<string>();
  private readonly backoff: ExponentialBackoff;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  /** Set by the first subscription: before it, no server could answer. */
  private active = false;
  private stopped = false;

  constructor(private readonly options: StartingBalancesOptions) {
    this.backoff = new ExponentialBackoff(options.backoff ?? { minMs: 1000, maxMs: 300_000 }, options.random);
  }

  /** The accounts to know (again after a reload); returns the ones no longer watched. */
  watch(accounts: readonly string[]): string[] {
    const next = new Set(accounts);
    const removed = [...this.watched].filter((a) => !next.has(a));
    for (const account of removed) {
      this.watched.delete(account);
      this.unknown.delete(account);
    }
    const added = accounts.filter((a) => !this.watched.has(a));
    for (const account of added) {
      this.watched.add(account);
      this.unknown.add(account);
    }
    if (added.length > 0) this.fetchNow();
    return removed;
  }

  /** A session subscribed: a good moment to ask for whatever is still unknown, without waiting. */
  onSubscribed(): void {
    this.active = true;
    this.backoff.reset();
    this.fetchNow();
  }

  /** Accounts whose balance is not known yet. */
  get pending(): number {
    return this.unknown.size;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private fetchNow(): void {
    if (this.stopped || !this.active || this.unknown.size === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    void this.round().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.fetchNow();
      } else this.scheduleRetry();
    });
  }

  private async round(): Promise<void> {
    const { server, apply, logger } = this.options;
    const wanted = [...this.unknown];
    const failed: Array<{ account: string; err: unknown }> = [];
    let loaded = 0;
    await forEachLimited(wanted, this.options.concurrency ?? 32, async (account) => {
      try {
        const balance = await fetchXrpBalance(server, account);
        // Unwatched while the request ran: not wanted any more.
        if (!this.unknown.delete(account)) return;
        apply(account, balance);
        loaded++;
      } catch (err) {
        failed.push({ account, err });
      }
    });
    if (loaded > 0)
      logger.info('starting balances loaded', { accounts: loaded, still_unknown: this.unknown.size });
    if (failed.length === 0) return;
    const shown = failed.slice(0, NAMED_FAILURES);
    for (const { account, err } of shown) logger.warn('starting balance unavailable', { account, err });
    if (failed.length > shown.length) {
      logger.warn('starting balances unavailable for more accounts', {
        failed: failed.length - shown.length,
      });
    }
  }

  private scheduleRetry(): void {
    if (this.stopped || this.unknown.size === 0) {
      this.backoff.reset();
      return;
    }
    const delay = this.backoff.next();
    this.options.logger.info('starting balances retried later', {
      accounts: this.unknown.size,
      retry_in_ms: delay,
    });
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fetchNow();
    }, delay);
    this.timer.unref();
  }
}
