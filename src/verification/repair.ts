import { openEnvelope } from '../accounting/envelope.js';
import {
  fetchAccountHistory,
  fetchTransaction,
  type HistoryServer,
  type HistoryTransaction,
  mergeHistory,
  type Requester,
} from '../backfill/index.js';
import { type EntryTouch, entryTouches, type ThreadLink, type WatchIndex } from './links.js';
import type { Break } from './thread-book.js';

/** A configured server a repair may read from (every one of them, not only the live one). */
export type RepairServer = HistoryServer;

export interface RepairContext {
  readonly servers: readonly RepairServer[];
  readonly watch: WatchIndex;
  readonly apiVersion: 1 | 2;
  /** Processes one fetched transaction for one account on the one transaction path. */
  readonly process: (tx: HistoryTransaction, account: string) => void;
  /**
   * True when the transaction is on the account's thread as it was proved (processed on the normal
   * path, or by a finished repair); false for one an unfinished repair processed (see ThreadBook).
   */
  readonly joinsThread: (account: string, hash: string) => boolean;
}

/** A thread longer than this is not walked back by hash in one go (the range read covers it instead). */
const MAX_WALK = 1000;

/**
 * Fetches what a break is missing and processes it. With a link to follow, walks the entry's thread back
 * by hash (`tx`) from the newest missing transaction until it reaches the one the exporter processed;
 * otherwise, or if the walk cannot finish, reads the account's history over the break's range
 * (`account_tx`) and processes every transaction there that modified the entry. Each server is asked in
 * turn. Resolves true when the hole is filled (the caller re-checks), false when no server could.
 */
export async function repairBreak(brk: Break, ctx: RepairContext): Promise<boolean> {
  const pool = new ServerPool(ctx.servers);
  try {
    if (brk.missing && (await walkBack(brk, brk.missing, ctx, pool))) return true;
    return await readRange(brk, ctx, pool);
  } finally {
    pool.close();
  }
}

async function walkBack(
  brk: Break,
  start: ThreadLink,
  ctx: RepairContext,
  pool: ServerPool,
): Promise<boolean> {
  let want: ThreadLink | null = start;
  for (let steps = 0; want !== null && steps < MAX_WALK; steps++) {
    // Joined the thread as it was known: the hole is filled. A transaction an earlier attempt processed
    // is walked through (its own link is followed): the hole below it may still be open.
    if (want.tx === brk.known || ctx.joinsThread(brk.account, want.tx)) return true;
    // An entry unseen since the watch began has reached its baseline; below the last good ledger
    // without meeting the known transaction, the server's thread disagrees with ours.
    if (brk.known === null && want.ledger <= brk.after) return true;
    if (want.ledger < brk.after) return false;
    const link: ThreadLink = want;
    const tx = await pool.first((server) => fetchTransaction(server, link.tx, ctx.apiVersion));
    if (!tx) return false;
    ctx.process(tx, brk.account);
    const touch = breakEntryTouch(tx, brk, ctx.watch);
    if (!touch) return false;
    // The thread starts here (created), or the node does not say where it came from.
    if (touch.kind === 'created' || touch.previous === null) return true;
    want = touch.previous;
  }
  return want === null;
}

/**
 * Every server that answers is read: a server may leave transactions out of a complete-looking answer
 * (XRPLF/clio#1389), so one answer proves nothing; the re-check after the repair does.
 */
async function readRange(brk: Break, ctx: RepairContext, pool: ServerPool): Promise<boolean> {
  const range = { from: brk.after + 1, to: brk.through };
  if (range.to < range.from) return false;
  const answers = await pool.all(async (server) => {
    const outcome = await fetchAccountHistory(server, brk.account, range, ctx.apiVersion);
    return outcome.covered ? outcome.transactions : null;
  });
  if (answers.length === 0) return false;
  const seenAt = brk.seenAt;
  // The entry's transactions in the range must link one to the next, from the last one processed:
  // only then is the hole known to be filled.
  let previous = brk.known;
  for (const tx of mergeHistory(answers)) {
    // The transaction that revealed the break, and what came after it, were processed already.
    if (
      seenAt &&
      (tx.ledgerIndex > seenAt.ledger ||
        (tx.ledgerIndex === seenAt.ledger && tx.transactionIndex >= seenAt.index))
    ) {
      continue;
    }
    const touch = breakEntryTouch(tx, brk, ctx.watch);
    if (!touch) continue;
    if (
      touch.kind !== 'created' &&
      previous !== null &&
      touch.previous !== null &&
      touch.previous.tx !== previous
    )
      return false;
    ctx.process(tx, brk.account);
    previous = tx.hash.toUpperCase();
  }
  return brk.missing === null || previous === brk.missing.tx;
}

/** The transaction's touch of the break's entry (for the break's account), or undefined. */
function breakEntryTouch(tx: HistoryTransaction, brk: Break, watch: WatchIndex): EntryTouch | undefined {
  const meta = openEnvelope(tx.entry).meta ?? {};
  return entryTouches(meta, watch).find((t) => t.account === brk.account && t.entry === brk.entry);
}

/** Opens the configured servers one by one as needed, and closes what it opened. */
class ServerPool {
  private readonly opened = new Map<string, Promise<(Requester & { close?(): void }) | null>>();

  constructor(private readonly servers: readonly RepairServer[]) {}

  /** The first non-null answer of `ask` over the servers in order; null when none has one. */
  async first<T>(ask: (server: Requester) => Promise<T | null>): Promise<T | null> {
    for (const server of this.servers) {
      const answer = await this.ask(server, ask);
      if (answer !== null) return answer;
    }
    return null;
  }

  /** Every non-null answer of `ask`, one per server. */
  async all<T>(ask: (server: Requester) => Promise<T | null>): Promise<T[]> {
    const answers: T[] = [];
    for (const server of this.servers) {
      const answer = await this.ask(server, ask);
      if (answer !== null) answers.push(answer);
    }
    return answers;
  }

  private async ask<T>(
    server: RepairServer,
    ask: (server: Requester) => Promise<T | null>,
  ): Promise<T | null> {
    let connection = this.opened.get(server.url);
    if (!connection) {
      connection = server.connect().catch(() => null);
      this.opened.set(server.url, connection);
    }
    const requester = await connection;
    if (!requester) return null;
    try {
      return await ask(requester);
    } catch {
      // A server that fails to answer is skipped: another may hold the data.
      return null;
    }
  }

  close(): void {
    for (const connection of this.opened.values()) void connection.then((c) => c?.close?.());
  }
}
