import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fetchAccountHistory,
  type HistoryServer,
  type HistoryTransaction,
  type Requester,
} from '../../src/backfill/index.js';
import { HistoryImports } from '../../src/history/imports.js';
import { ImportBook } from '../../src/history/progress.js';
import { createLogger } from '../../src/log.js';
import { declareVerificationMetrics } from '../../src/metrics/verification.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { TransactionProcessor } from '../../src/pipeline/processor.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { Verifier } from '../../src/verification/verifier.js';
import { RawClient } from '../fake-rippled/raw-client.js';
import { h, payment, WATCHED } from '../support/watched-payments.js';

const clients: RawClient[] = [];
const fakes: FakeRippled[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const f of fakes.splice(0)) await f.close();
});

async function requester(fake: FakeRippled): Promise<Requester & { close(): void }> {
  const client = await RawClient.connect(fake.url);
  clients.push(client);
  return {
    request: async (cmd) => {
      const r = await client.request(cmd);
      if (r.error) throw r;
      return r.result;
    },
    close: () => client.close(),
  };
}

/** What survives a restart: the state file's verification part and dedupe window. */
interface Saved {
  readonly verification: unknown;
  readonly dedupe: unknown;
}

interface Options {
  readonly saved?: Saved;
  /** The accounts' history imports (none by default). */
  readonly imports?: ImportBook;
  /** The servers repairs and imports read from, in order (default: the live one). */
  readonly servers?: readonly FakeRippled[];
}

/**
 * The verifier wired as the exporter wires it: a real TransactionProcessor (the one transaction path with
 * its dedupe window) counting receipts per hash, fed from the fake's validated ledgers as the stream
 * would deliver them (a lying server leaves its omitted transactions out of those too), and history
 * imports run by the real HistoryImports.
 */
async function exporterLike(fake: FakeRippled, options: Options = {}) {
  const { saved, imports: importBook = new ImportBook() } = options;
  const counted = new Map<string, number>();
  const sources = new Map<string, string>();
  const lines: string[] = [];
  const breaks = new Map<string, number>();
  const metrics = declareVerificationMetrics(new Registry());
  metrics.setAccounts([{ address: WATCHED, name: 'watched' }]);
  const live = await requester(fake);
  const servers: HistoryServer[] = (options.servers ?? [fake]).map((f) => ({
    url: f.url,
    connect: () => requester(f),
  }));
  const dedupe = DedupeWindow.restore(saved?.dedupe);
  let checkpoint: number | null = null;
  let verifier: Verifier;
  const processor = new TransactionProcessor(
    new Set([WATCHED]),
    dedupe,
    {
      onBalances: () => {},
      onReceipt: (r) => {
        counted.set(r.hash, (counted.get(r.hash) ?? 0) + 1);
        sources.set(r.hash, r.source);
      },
      onInvalid: (reason) => lines.push(`invalid ${reason}`),
      onBackfilled: () => {},
      onValidated: (hash, ledger, meta, source, account) =>
        verifier.observe(hash, ledger, meta, source, account),
    },
    importBook,
  );
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
  const imports = new HistoryImports({
    book: importBook,
    servers: () => servers,
    apiVersion: 2,
    process: (entry, ledger, account) => processor.process(entry, ledger, 'history', account),
    isWatched: () => true,
    onRemaining: () => {},
    save: () => {},
    logger,
  });
  verifier = new Verifier({
    restored: saved?.verification,
    intervalMs: 0,
    apiVersion: 2,
    live,
    repairServers: () => servers,
    process: (tx, account) => processor.process(tx.entry, tx.ledgerIndex, 'repair', account),
    checkpoint: () => checkpoint,
    historyImport: (account) => importBook.get(account),
    metrics: {
      ...metrics,
      incBreaks: (account: string, n = 1) => {
        breaks.set(account, (breaks.get(account) ?? 0) + n);
        metrics.incBreaks(account, n);
      },
    },
    logger,
    onChange: () => {},
  });
  return {
    counted,
    sources,
    lines,
    breaks,
    verifier,
    /**
     * The stream: every validated ledger after the checkpoint (or after `after`, what a history import
     * leaves to it), then the checkpoint moves.
     */
    async stream(after?: number): Promise<void> {
      const from = (after ?? checkpoint ?? fake.validatedLedgerIndex - 1) + 1;
      if (checkpoint === null) {
        checkpoint = from - 1;
        verifier.setAccounts([WATCHED], checkpoint);
      }
      const to = fake.validatedLedgerIndex;
      const read = await fetchAccountHistory(live, WATCHED, { from, to }, 2);
      if (!read.covered) throw new Error(read.reason);
      for (const tx of read.transactions) processor.process(tx.entry, tx.ledgerIndex, 'live');
      checkpoint = to;
      dedupe.prune(to);
      verifier.onCheckpoint(to);
      await verifier.idle();
    },
    /** The validated transactions after the checkpoint, as the stream would deliver them. */
    async read(): Promise<HistoryTransaction[]> {
      const to = fake.validatedLedgerIndex;
      const read = await fetchAccountHistory(live, WATCHED, { from: (checkpoint ?? to) + 1, to }, 2);
      if (!read.covered) throw new Error(read.reason);
      return read.transactions;
    },
    /** The stream delivers these, in this order. */
    deliver(transactions: readonly HistoryTransaction[]): void {
      for (const tx of transactions) processor.process(tx.entry, tx.ledgerIndex, 'live');
    },
    /** The stream completed every validated ledger: the checkpoint moves there. */
    async complete(): Promise<void> {
      checkpoint = fake.validatedLedgerIndex;
      dedupe.prune(checkpoint);
      verifier.onCheckpoint(checkpoint);
      await verifier.idle();
    },
    /** Runs the history imports to their end, and what they found. */
    async runImports(): Promise<void> {
      imports.wake();
      await imports.whenIdle();
      await verifier.idle();
    },
    /** One periodic check round, finished. */
    async round(): Promise<void> {
      verifier.checkAll(0);
      await verifier.idle();
    },
    save(): Saved {
      return JSON.parse(
        JSON.stringify({ verification: verifier.snapshot(), dedupe: dedupe.snapshot() }),
      ) as Saved;
    },
    /** A start on a state file: the restored checkpoint and the configured accounts. */
    resumeAt(ledger: number, accounts: readonly string[] = [WATCHED]): void {
      checkpoint = ledger;
      verifier.setAccounts(accounts, ledger);
    },
    stop(): void {
      void imports.stop();
      verifier.stop();
      live.close();
    },
  };
}

async function started(): Promise<FakeRippled> {
  const fake = await FakeRippled.start();
  fakes.push(fake);
  fake.addLedger([]);
  await fake.publishAll();
  return fake;
}

describe('Verifier: the periodic check', () => {
  it('counts, logs and shows a break that only the state check finds (a missing last transaction)', async () => {
    const fake = await started();
    const exporter = await exporterLike(fake);
    await exporter.stream();
    const first = fake.addLedger([payment(1)]).index;
    fake.addLedger([]);
    const hidden = fake.addLedger([payment(2)]).index;
    fake.addLedger([]);
    fake.omitTransactions([h(2)]);
    await fake.publishAll();
    await exporter.stream();
    expect(exporter.breaks.get(WATCHED)).toBeUndefined();

    await exporter.round();
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    expect(exporter.lines.join('\n')).toMatch(
      new RegExp(`account state differs from the processed transactions.*ledgers=${first + 1}-${hidden}`),
    );
    expect(exporter.verifier.status(WATCHED)?.unverifiedRanges).toEqual([`${first + 1}-${hidden}`]);
    // Found again by the next round, it is the same break: not counted twice.
    await exporter.round();
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    expect([...exporter.counted.values()]).toEqual([1]);
    exporter.stop();
  });

  it('reads the account state at the checkpoint, never at a newer validated ledger', async () => {
    const fake = await started();
    const exporter = await exporterLike(fake);
    await exporter.stream();
    fake.addLedger([payment(1)]);
    await fake.publishAll();
    await exporter.stream();
    const checkpoint = fake.validatedLedgerIndex;
    // Newer validated ledgers the exporter has not processed yet: the state there is not comparable.
    fake.addLedger([payment(2)]);
    fake.addLedger([]);
    await fake.publishAll();
    const before = fake.requests.length;

    await exporter.round();
    const asked = fake.requests
      .slice(before)
      .filter((r) => r.command === 'account_info' || r.command === 'account_objects');
    expect(asked.map((r) => r.command)).toContain('account_info');
    expect(asked.map((r) => r.command)).toContain('account_objects');
    expect(new Set(asked.map((r) => r.params.ledger_index))).toEqual(new Set([checkpoint]));
    expect(exporter.breaks.get(WATCHED)).toBeUndefined();
    exporter.stop();
  });
});

describe('Verifier: repairs that take several attempts', () => {
  /**
   * Ledgers: payment 1 (processed), payments 2, 3, 4 hidden by the only server, payment 5 (processed)
   * reveals the break. The server first shows none of the hidden ones, then only the newest (4).
   */
  async function partlyRepaired(fake: FakeRippled) {
    const exporter = await exporterLike(fake);
    await exporter.stream();
    const first = fake.addLedger([payment(1)]).index;
    for (const n of [2, 3, 4, 5]) fake.addLedger([payment(n)]);
    fake.addLedger([]);
    fake.omitTransactions([h(2), h(3), h(4)]);
    await fake.publishAll();
    await exporter.stream();
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    fake.revealTransactions([h(4)]);
    await exporter.round();
    expect(exporter.counted.get(h(4))).toBe(1);
    return { exporter, first };
  }

  it('keeps the break open while a hole below what an earlier attempt repaired is still open', async () => {
    const fake = await started();
    const { exporter, first } = await partlyRepaired(fake);
    await exporter.round();
    await exporter.round();
    expect(exporter.verifier.status(WATCHED)?.unverifiedRanges).toEqual([`${first + 1}-${first + 3}`]);
    expect(exporter.lines.join('\n')).not.toMatch(/break repaired/);

    fake.revealTransactions([h(2), h(3)]);
    await exporter.round();
    expect(exporter.verifier.status(WATCHED)?.unverifiedRanges).toEqual([]);
    expect(Object.fromEntries(exporter.counted)).toEqual({
      [h(1)]: 1,
      [h(2)]: 1,
      [h(3)]: 1,
      [h(4)]: 1,
      [h(5)]: 1,
    });
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    exporter.stop();
  });

  it('never counts a repaired transaction twice when the repair goes on after a restart', async () => {
    const fake = await started();
    const { exporter } = await partlyRepaired(fake);
    // The stream goes on: the checkpoint passes the repaired ledgers (the dedupe window forgets them).
    fake.addLedger([]);
    await fake.publishAll();
    await exporter.stream();
    const checkpoint = fake.validatedLedgerIndex;
    const saved = exporter.save();
    exporter.stop();

    fake.revealTransactions([h(2), h(3)]);
    const restarted = await exporterLike(fake, { saved });
    restarted.resumeAt(checkpoint);
    await restarted.round();
    expect(restarted.verifier.status(WATCHED)?.unverifiedRanges).toEqual([]);
    // Before the restart: 1, 4 and 5; after it: 2 and 3, and nothing again.
    expect(Object.fromEntries(exporter.counted)).toEqual({ [h(1)]: 1, [h(4)]: 1, [h(5)]: 1 });
    expect(Object.fromEntries(restarted.counted)).toEqual({ [h(2)]: 1, [h(3)]: 1 });
    restarted.stop();
  });
});

describe('Verifier: a break whose missing transaction the stream delivers late', () => {
  /**
   * Ledgers: payments 1, 2, 3. The stream delivers 1 and 3 (a break: 3 follows 2), the repair cannot get
   * 2 from the only server (it hides it for now), then the normal path delivers 2 late and counts it (as
   * a reordered stream, or a catch-up backfill from an honest server after a lying server's session,
   * would).
   */
  async function deliveredLate(fake: FakeRippled) {
    const exporter = await exporterLike(fake);
    await exporter.stream();
    for (const n of [1, 2, 3]) fake.addLedger([payment(n)]);
    fake.addLedger([]);
    await fake.publishAll();
    const [one, two, three] = await exporter.read();
    fake.omitTransactions([h(2)]);
    exporter.deliver([one!, three!]);
    await exporter.verifier.idle();
    expect(exporter.verifier.status(WATCHED)?.unverifiedRanges).toHaveLength(1);
    exporter.deliver([two!]);
    expect(Object.fromEntries(exporter.counted)).toEqual({ [h(1)]: 1, [h(2)]: 1, [h(3)]: 1 });
    fake.revealTransactions([h(2)]);
    return exporter;
  }

  it('never counts it again when the repair runs after the checkpoint passed it', async () => {
    const fake = await started();
    const exporter = await deliveredLate(fake);
    await exporter.complete();
    await exporter.round();
    expect(exporter.verifier.status(WATCHED)?.unverifiedRanges).toEqual([]);
    expect(Object.fromEntries(exporter.counted)).toEqual({ [h(1)]: 1, [h(2)]: 1, [h(3)]: 1 });
    exporter.stop();
  });

  it('never counts it again when the repair runs after a restart', async () => {
    const fake = await started();
    const exporter = await deliveredLate(fake);
    // The checkpoint passes it (the dedupe window forgets its ledger), the state is saved, then a kill.
    await exporter.complete();
    const saved = exporter.save();
    exporter.stop();
    const restarted = await exporterLike(fake, { saved });
    restarted.resumeAt(fake.validatedLedgerIndex);
    await restarted.round();
    expect(restarted.verifier.status(WATCHED)?.unverifiedRanges).toEqual([]);
    expect(Object.fromEntries(restarted.counted)).toEqual({});
    restarted.stop();
  });
});

describe('Verifier: where an account’s thread starts', () => {
  it('starts afresh for an account dropped from the config across a restart and re-added later', async () => {
    const fake = await started();
    const first = await exporterLike(fake);
    await first.stream();
    fake.addLedger([payment(1)]);
    fake.addLedger([]);
    await fake.publishAll();
    await first.stream();
    first.stop();

    // Restarted without the account: payments 2 and 3 arrive while nobody watches it.
    const without = await exporterLike(fake, { saved: first.save() });
    without.resumeAt(fake.validatedLedgerIndex, []);
    fake.addLedger([payment(2)]);
    fake.addLedger([payment(3)]);
    fake.addLedger([]);
    await fake.publishAll();
    const unwatchedUntil = fake.validatedLedgerIndex;
    without.stop();

    // Restarted with it again at the checkpoint the run without it reached: payment 4 links to 3.
    const again = await exporterLike(fake, { saved: without.save() });
    again.resumeAt(unwatchedUntil);
    fake.addLedger([payment(4)]);
    fake.addLedger([]);
    await fake.publishAll();
    await again.stream();
    await again.round();
    expect(again.breaks.get(WATCHED)).toBeUndefined();
    expect(Object.fromEntries(again.counted)).toEqual({ [h(4)]: 1 });
    expect(again.verifier.status(WATCHED)).toEqual({
      verifiedLedger: fake.validatedLedgerIndex,
      unverifiedRanges: [],
    });
    again.stop();
  });

  it('proves an imported history from since: a transaction the import missed is a break, repaired once as history', async () => {
    const liar = await started();
    const honest = await started();
    const importBook = new ImportBook();
    const exporter = await exporterLike(liar, { imports: importBook, servers: [liar, honest] });
    const checkpoint = liar.validatedLedgerIndex;
    // The account is configured with since (the stream leaves its history to the import)...
    importBook.beginNew(
      [{ address: WATCHED, since: { kind: 'ledger', index: checkpoint + 2 } }],
      () => false,
    );
    exporter.resumeAt(checkpoint);
    expect(exporter.verifier.status(WATCHED)).toBeNull();
    // ...payments 1-4 are its history (payment 0 is before since), payments 5 and 6 come after it.
    for (const fake of [liar, honest]) {
      for (const n of [0, 1, 2, 3, 4]) fake.addLedger([payment(n + 10)]);
      fake.addLedger([]);
    }
    const importEnd = liar.validatedLedgerIndex + 6;
    importBook.fixWatchStart(importEnd);
    for (const fake of [liar, honest]) {
      fake.addLedger([payment(15)]);
      fake.addLedger([payment(16)]);
      fake.addLedger([]);
      await fake.publishAll();
    }
    // The import's server leaves payment 3 out of a complete-looking history.
    liar.omitTransactions([h(13)]);
    // The stream runs first: payment 5 links into the import's range, which is not read yet.
    await exporter.stream(importEnd);
    expect(exporter.breaks.get(WATCHED)).toBeUndefined();
    await exporter.runImports();
    expect(importBook.get(WATCHED)?.done).toBe(true);
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    expect(exporter.lines.join('\n')).toMatch(
      new RegExp(`break in an account’s transaction thread.*ledgers=${checkpoint + 4}`),
    );
    // The import is joined to the stream's part of the thread at the next checkpoint, then checked.
    for (const fake of [liar, honest]) {
      fake.addLedger([]);
      await fake.publishAll();
    }
    await exporter.stream();
    await exporter.round();
    expect(exporter.verifier.status(WATCHED)).toEqual({
      verifiedLedger: liar.validatedLedgerIndex,
      unverifiedRanges: [],
    });
    expect(Object.fromEntries(exporter.counted)).toEqual(
      Object.fromEntries([11, 12, 13, 14, 15, 16].map((n) => [h(n), 1])),
    );
    // History is counted without alerts, the repaired payment 3 too.
    expect(Object.fromEntries(exporter.sources)).toEqual({
      ...Object.fromEntries([11, 12, 13, 14].map((n) => [h(n), 'history'])),
      [h(15)]: 'live',
      [h(16)]: 'live',
    });
    expect(exporter.breaks.get(WATCHED)).toBe(1);
    exporter.stop();
  });
});
