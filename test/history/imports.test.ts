import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryServer } from '../../src/backfill/index.js';
import { HistoryImports } from '../../src/history/imports.js';
import { ImportBook } from '../../src/history/progress.js';
import { createLogger } from '../../src/log.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { TransactionProcessor } from '../../src/pipeline/processor.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { RawClient } from '../fake-rippled/raw-client.js';
import { h, payment, WATCHED } from '../support/watched-payments.js';

const clients: RawClient[] = [];
let fake: FakeRippled | null = null;

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fake?.close();
  fake = null;
});

describe('HistoryImports and reloads', () => {
  it.each([
    ['the second of several pages', 5, 2],
    ['the only page', 0, 1],
  ])(
    'an account removed while %s is read records no progress for it, and resumes exactly when re-added',
    async (_, pageCap, inFlight) => {
      // Pages of 5 transactions (several slices), or all 20 payments in one (the last slice).
      fake = await FakeRippled.start({ accountTxPageCap: pageCap });
      const first = fake.addLedger([payment(1)]).index;
      for (let n = 2; n <= 20; n++) fake.addLedger([payment(n)]);
      const last = fake.addLedger([]).index;
      await fake.publishAll();
      const server: HistoryServer = {
        url: fake.url,
        connect: async () => {
          const client = await RawClient.connect(fake!.url);
          clients.push(client);
          return {
            request: async (cmd) => {
              const r = await client.request(cmd);
              if (r.error) throw r;
              return r.result;
            },
            close: () => client.close(),
          };
        },
      };
      const book = new ImportBook();
      book.beginNew([{ address: WATCHED, since: { kind: 'ledger', index: first } }], () => false);
      book.fixWatchStart(last);
      const counted = new Map<string, number>();
      const lines: string[] = [];
      let watched = true;
      const processor = new TransactionProcessor(
        new Set([WATCHED]),
        new DedupeWindow(),
        {
          onBalances: () => {},
          onReceipt: (r) => counted.set(r.hash, (counted.get(r.hash) ?? 0) + 1),
          onInvalid: (reason) => {
            throw new Error(reason);
          },
          onBackfilled: () => {},
        },
        book,
      );
      const imports = new HistoryImports({
        book,
        servers: () => [server],
        apiVersion: 2,
        process: (entry, ledger, account) => processor.process(entry, ledger, 'history', account),
        isWatched: () => watched,
        onRemaining: () => {},
        save: () => {},
        logger: createLogger({ write: (line) => lines.push(line) }),
      });

      // The page is in flight when a reload removes the account (as Exporter.setAccounts does).
      fake.delayCommand('account_tx', 300);
      const pageInFlight = (async () => {
        for (let i = 0; i < inFlight; i++) await fake!.nextRequest('account_tx');
      })();
      imports.wake();
      await pageInFlight;
      watched = false;
      processor.setWatched(new Set());
      await imports.whenIdle();
      const stoppedAt = book.get(WATCHED)!.next!;
      // Every ledger before the recorded progress was counted, none after it.
      const countedBefore = [...counted.keys()];
      expect(countedBefore.length).toBe(stoppedAt - first);
      expect(countedBefore.length).toBeLessThan(20);
      expect(imports.status(WATCHED)?.state).not.toBe('done');
      expect(lines.join('\n')).not.toMatch(/history import done/);

      fake.delayCommand('account_tx', 0);
      watched = true;
      processor.setWatched(new Set([WATCHED]));
      imports.wake();
      await imports.whenIdle();
      expect(book.get(WATCHED)?.done).toBe(true);
      expect(Object.fromEntries(counted)).toEqual(
        Object.fromEntries(Array.from({ length: 20 }, (_, i) => [h(i + 1), 1])),
      );
    },
  );
});
