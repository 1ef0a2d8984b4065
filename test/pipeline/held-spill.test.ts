import { afterEach, describe, expect, it, vi } from 'vitest';
import { backfill } from '../../src/backfill/index.js';
import { type LogFields, silentLogger } from '../../src/log.js';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { LedgerCursor } from '../../src/pipeline/cursor.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { TransactionProcessor } from '../../src/pipeline/processor.js';
import { StreamSequencer } from '../../src/pipeline/sequencer.js';
import { RippledClient } from '../../src/rippled/index.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { buildHistory } from '../support/history.js';

const history = buildHistory({ seed: 11, ledgers: 40, transactions: 400, accounts: 3 });
const FIRST = 1000;

/**
 * The live path of the exporter in full-stream mode (client -> sequencer -> processor -> exact totals,
 * with the real backfill) against a fake rippled, until the last scripted ledger is complete.
 */
async function run(options: {
  maxHeldMessages?: number;
  publishedBeforeStart: number;
  slowHistoryMs: number;
}) {
  // The same close times in every run, so the totals (last receipt times included) compare exactly.
  const fake = await FakeRippled.start({
    firstLedgerIndex: FIRST,
    startTime: new Date('2026-01-01T00:00:00Z'),
  });
  fake.addLedgers(history.ledgers);
  fake.addLedger([]); // completes the last scripted ledger
  const last = fake.lastLedgerIndex - 1;
  await fake.publishUntil(FIRST + options.publishedBeforeStart);
  fake.delayCommand('account_tx', options.slowHistoryMs);
  fake.delayCommand('ledger', options.slowHistoryMs);
  const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10, 100] });
  const logs: string[] = [];
  const logger = { ...silentLogger, warn: (msg: string, _fields?: LogFields) => logs.push(msg) };
  const processor = new TransactionProcessor(new Set(history.accounts), new DedupeWindow(), {
    onBalances: () => {},
    onReceipt: ({ analysis, effect }) =>
      totals.recordReceipts({
        account: effect.account,
        txType: analysis.transactionType ?? '',
        partial: analysis.partialPayment,
        closeTime: analysis.closeTime,
        received: effect.received,
      }),
    onInvalid: (reason) => logs.push(`invalid ${reason}`),
    onBackfilled: () => {},
  });
  // A restart: everything after the first ledger is to be counted.
  const cursor = new LedgerCursor(FIRST);
  let client: RippledClient;
  const sequencer = new StreamSequencer({
    cursor,
    maxBackfillLedgers: 10_000,
    process: (tx, ledger, source) => processor.process(tx, ledger, source),
    backfill: (range) =>
      backfill({
        range,
        accounts: history.accounts,
        apiVersion: 2,
        primary: client,
        primaryUrl: fake.url,
        alternates: [],
        logger: silentLogger,
      }),
    onLedger: () => {},
    onCheckpoint: () => {},
    onGap: (range) => logs.push(`gap ${range.from}-${range.to}`),
    onInvalid: (reason) => logs.push(`invalid ${reason}`),
    onUntrusted: (reason) => logs.push(`untrusted ${reason}`),
    logger,
    retryDelayMs: 10,
    ...(options.maxHeldMessages === undefined ? {} : { maxHeldMessages: options.maxHeldMessages }),
  });
  client = new RippledClient({
    servers: [fake.url],
    apiVersion: 2,
    requestTimeoutMs: 10_000,
    staleAfterMs: 60_000,
    subscription: () => ({ accounts: [], streams: ['ledger', 'transactions'] }),
    logger: silentLogger,
    handlers: {
      onSubscribed: (info) => {
        sequencer.onSubscribed({
          subscribe:
            info.ledgerIndex === null ? null : { index: info.ledgerIndex, closeTime: info.ledgerCloseTime },
          serverInfo: info.serverInfo?.validatedLedger ?? null,
        });
        // The rest of the history closes while the catch-up is still reading.
        void fake.publishAll();
      },
      onLedgerClosed: (msg) => sequencer.onLedgerClosed(msg),
      onTransaction: (msg) => sequencer.onTransaction(msg),
      onInvalidMessage: (reason) => logs.push(`invalid ${reason}`),
      onConnectionChange: (_server, connected) => {
        if (!connected) sequencer.onDisconnected();
      },
      onReconnect: () => {},
      onConnectFailed: () => {},
    },
  });
  try {
    client.start();
    // A re-read from history completes even the newest announced ledger: the checkpoint may pass `last`.
    await vi.waitFor(() => expect(sequencer.checkpoint).toBeGreaterThanOrEqual(last), {
      timeout: 30_000,
      interval: 20,
    });
    await sequencer.whenIdle();
    return { totals: JSON.stringify(totals.snapshot()), logs };
  } finally {
    await client.stop();
    await fake.close();
  }
}

describe('live messages held during a catch-up, bounded', () => {
  let reference: Awaited<ReturnType<typeof run>> | null = null;

  afterEach(() => {
    reference = null;
  });

  it('spills to a re-read of their ledgers and ends with exactly the totals of an unbounded run', async () => {
    reference = await run({ publishedBeforeStart: 10, slowHistoryMs: 0 });
    expect(reference.logs).toEqual([]);
    const bounded = await run({ maxHeldMessages: 20, publishedBeforeStart: 10, slowHistoryMs: 1000 });
    expect(bounded.logs).toContain(
      'too many live messages held during a backfill; their ledgers are read from history',
    );
    expect(bounded.logs.filter((l) => l.startsWith('invalid') || l.startsWith('gap'))).toEqual([]);
    // Compared as text, so a failure does not print two long documents.
    expect(bounded.totals === reference.totals).toBe(true);
  });
});
