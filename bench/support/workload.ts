import { analyzeTransaction } from '../../src/accounting/index.js';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import {
  type ApiVersion,
  type HistoryTx,
  type LedgerHeader,
  storeTx,
  streamMessage,
} from '../../src/simulator/fake-rippled/tx-shapes.js';
import { buildHistory, createRng, fixtureTx, testAccounts } from '../../test/support/history.js';
import type { BenchAccount } from './exporter.js';

/**
 * Transactions with what the exporter must make of them: `receipts` is how much the sum of
 * xrpl_payments_received_total grows when it counts the transaction (one per received asset of each
 * counted watched account), `touchesWatched` whether an `accounts` subscription delivers it.
 */
export interface Template {
  readonly tx: HistoryTx;
  readonly receipts: number;
  readonly touchesWatched: boolean;
  /** Size of its stream message. */
  readonly bytes: number;
}

export interface Workload {
  readonly ledgers: Array<{ transactions: HistoryTx[] }>;
  readonly transactions: number;
  /** Stream messages an `accounts` subscription to the watched accounts receives. */
  readonly messagesToWatchers: number;
  /** Expected growth of the xrpl_payments_received_total sum. */
  readonly receipts: number;
  /** Bytes of all the stream messages. */
  readonly bytes: number;
}

export function benchAccounts(addresses: readonly string[]): BenchAccount[] {
  return addresses.map((address, i) => ({ address, name: `deposit-${String(i).padStart(6, '0')}` }));
}

/** Distinct valid addresses, seeded (the same on every run). */
export function randomAddresses(n: number, seed: number): string[] {
  return testAccounts(n, createRng(seed));
}

const HEADER: LedgerHeader = {
  index: 2,
  hash: '0'.repeat(64),
  parentHash: '0'.repeat(64),
  closeTime: 800_000_000,
  closeTimeIso: '2025-05-09T04:53:20Z',
};

/**
 * Classifies a transaction exactly as the exporter will see it: the stream message the fake rippled
 * sends, analysed by the accounting module against the watched set.
 */
export function template(tx: HistoryTx, watched: ReadonlySet<string>, apiVersion: ApiVersion): Template {
  const text = streamMessage(storeTx(tx, HEADER, 0), apiVersion);
  const message = JSON.parse(text.toString('utf8'));
  const analysis = analyzeTransaction(message, watched);
  let receipts = 0;
  for (const effect of analysis.accounts) {
    if (effect.counted) receipts += effect.received.filter((r) => r.value.gt(0)).length;
  }
  const touchesWatched = getAffectedAccounts(tx.meta).some((a) => watched.has(a));
  return { tx, receipts, touchesWatched, bytes: text.length };
}

/**
 * A pool of distinct real fixture transactions remapped onto the watched accounts (every fixture type:
 * XRP, tokens, MPTs, offers, AMM, escrow...), from the shared history builder.
 */
export function mixedTemplates(
  poolSize: number,
  accountCount: number,
  seed: number,
  apiVersion: ApiVersion,
): { accounts: string[]; templates: Template[] } {
  const history = buildHistory({ seed, ledgers: 1, transactions: poolSize, accounts: accountCount });
  const watched = new Set(history.accounts);
  const templates = history.ledgers[0]!.transactions.map((tx) => template(tx, watched, apiVersion));
  return { accounts: history.accounts, templates };
}

/** Incoming XRP and token payments, each to one of `accounts` (a pool reused under fresh hashes). */
export function paymentTemplates(
  accounts: readonly string[],
  poolSize: number,
  seed: number,
  apiVersion: ApiVersion,
): Template[] {
  const rng = createRng(seed);
  const watched = new Set(accounts);
  const templates: Template[] = [];
  for (let i = 0; i < poolSize; i++) {
    const to = rng.pick(accounts);
    const tx =
      i % 4 === 3
        ? fixtureTx('xrpl.js/utils/paymentToken.json', { map: { rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K: to } })
        : fixtureTx('explorer/Payment/PaymentWithDestinationTag.json', {
            map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: to },
          });
    templates.push(template(tx, watched, apiVersion));
  }
  return templates;
}

/**
 * `transactions` transactions cycling through the templates, `perLedger` to a ledger, each under a
 * fresh hash (the fake rippled caches wire forms per template object, so this costs little memory).
 */
export function workload(
  templates: readonly Template[],
  transactions: number,
  perLedger: number,
  hashPrefix: string,
): Workload {
  const ledgers: Array<{ transactions: HistoryTx[] }> = [];
  let messagesToWatchers = 0;
  let receipts = 0;
  let bytes = 0;
  for (let i = 0; i < transactions; i++) {
    const t = templates[i % templates.length]!;
    if (i % perLedger === 0) ledgers.push({ transactions: [] });
    const hash =
      hashPrefix +
      i
        .toString(16)
        .toUpperCase()
        .padStart(64 - hashPrefix.length, '0');
    ledgers.at(-1)!.transactions.push({ tx: t.tx.tx, meta: t.tx.meta, hash });
    if (t.touchesWatched) messagesToWatchers++;
    receipts += t.receipts;
    bytes += t.bytes;
  }
  return { ledgers, transactions, messagesToWatchers, receipts, bytes };
}
