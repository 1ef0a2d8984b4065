import { encodeAccountID } from 'ripple-address-codec';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { type HistoryTx, normalizeEnvelope } from '../../src/simulator/fake-rippled/tx-shapes.js';
import { addressesIn, remapAddresses, remapText } from '../../src/simulator/remap.js';
import { createRng, type Rng } from '../../src/simulator/rng.js';
import { loadFixture, transactionCases } from './fixtures.js';

export type { HistoryTx } from '../../src/simulator/fake-rippled/tx-shapes.js';
export { addressesIn, remapAddresses } from '../../src/simulator/remap.js';
export { createRng, type Rng } from '../../src/simulator/rng.js';

/** A transaction of a built history, with the fixture it came from (for failure messages). */
export interface HistoryEntry extends HistoryTx {
  readonly source: string;
}

export interface History {
  readonly ledgers: Array<{ transactions: HistoryEntry[] }>;
  /** The watched test accounts the history was remapped onto. */
  readonly accounts: string[];
}

/** `count` distinct valid classic addresses from seeded bytes. */
export function testAccounts(count: number, rng: Rng): string[] {
  const accounts = new Set<string>();
  while (accounts.size < count) accounts.add(encodeAccountID(rng.bytes(20)));
  return [...accounts];
}

/** A fixture transaction ready for remapping: its JSON text and the addresses a remap can move. */
interface PoolEntry {
  readonly name: string;
  readonly tx: HistoryTx;
  readonly text: string;
  readonly remappable: readonly string[];
}

let cachedPool: readonly PoolEntry[] | undefined;

/** Every fixture transaction that has metadata, normalised to `{tx, meta, hash}`, in a stable order. */
export function fixtureTransactions(): ReadonlyArray<{ name: string; tx: HistoryTx }> {
  return fixturePool();
}

function fixturePool(): readonly PoolEntry[] {
  cachedPool ??= transactionCases().flatMap((c) => {
    const tx = normalizeEnvelope(c.input);
    if (!tx) return [];
    // Only addresses written out as strings can be remapped (an MPT issuer hidden in a hex id cannot).
    const written = new Set(addressesIn(tx));
    const remappable = getAffectedAccounts(tx.meta).filter((a) => written.has(a));
    return [{ name: c.name, tx, text: JSON.stringify({ tx: tx.tx, meta: tx.meta }), remappable }];
  });
  return cachedPool;
}

export interface HistoryOptions {
  readonly seed: number;
  /** Number of ledgers (default 500). */
  readonly ledgers?: number;
  /** Number of transactions spread over them (default 2000). */
  readonly transactions?: number;
  /** Number of watched accounts (default 5). */
  readonly accounts?: number;
  /** Share of ledgers left empty (default 0.1). */
  readonly emptyLedgerShare?: number;
  /**
   * Never replay a deletion of a watched AccountRoot (AccountDelete, an AMM's last withdrawal) onto a
   * watched account, nor its creation (a payment funding a new account). A real account is deleted only
   * once it owns nothing, once deleted it receives nothing, and an existing one is never created again;
   * replays ignore that, so the ledger state they build is impossible: the state checks of the
   * self-verification would rightly call a deletion broken, and a creation would start the account's
   * thread afresh, so a transaction a lying server hid just before it could never be found.
   */
  readonly keepAccountsAlive?: boolean;
}

/**
 * A long deterministic history made of real fixture transactions. Each transaction gets a fresh hash and
 * a random non-empty subset of the accounts its metadata touches (at most one per watched account)
 * replaced by watched accounts, so watched accounts receive, send and ripple XRP, tokens and MPTs through
 * every transaction type in the fixtures.
 */
export function buildHistory(options: HistoryOptions): History {
  const rng = createRng(options.seed);
  const ledgerCount = options.ledgers ?? 500;
  const accounts = testAccounts(options.accounts ?? 5, rng);
  const pool = fixturePool();
  const emptyShare = options.emptyLedgerShare ?? 0.1;
  const ledgers = Array.from({ length: ledgerCount }, () => ({ transactions: [] as HistoryEntry[] }));
  const busy = ledgers.map((_, i) => i).filter(() => !rng.chance(emptyShare));
  if (busy.length === 0) busy.push(0);
  for (let i = 0; i < (options.transactions ?? 2000); i++) {
    const { name, text, remappable } = rng.pick(pool);
    const chosen = rng.shuffle(remappable).filter((_, k) => k === 0 || rng.chance(0.4));
    const targets = rng.shuffle(accounts);
    const mapping = new Map(chosen.slice(0, targets.length).map((from, k) => [from, targets[k]!]));
    const remapped = remapText(text, mapping, rng.hex(32));
    if (options.keepAccountsAlive && createsOrDeletesAccountRoot(remapped.meta, accounts)) continue;
    ledgers[rng.pick(busy)]!.transactions.push({ ...remapped, source: name });
  }
  return { ledgers, accounts };
}

/** One fixture transaction (file, or "file#case" for multi-case files), optionally remapped and re-hashed. */
export function fixtureTx(
  name: string,
  options: { map?: Readonly<Record<string, string>>; hash?: string } = {},
): HistoryEntry {
  const fromCases = fixtureTransactions().find((c) => c.name === name)?.tx;
  const tx = fromCases ?? normalizeEnvelope(loadFixture(name));
  if (!tx) throw new Error(`fixture ${name} has no transaction with metadata`);
  const remapped = remapAddresses(tx, new Map(Object.entries(options.map ?? {})), options.hash ?? tx.hash);
  return { ...remapped, source: name };
}

/** One transaction of a scenario: a fixture, with fixture addresses mapped to scenario account aliases. */
export interface ScenarioStep {
  readonly fixture: string;
  /** Fixture address -> alias (a key of the scenario's accounts). */
  readonly map?: Readonly<Record<string, string>>;
}

/** A small named history: `ledgers[i]` lists the steps of ledger i (an empty list is an empty ledger). */
export function scenario(
  accounts: Readonly<Record<string, string>>,
  ledgers: ReadonlyArray<ReadonlyArray<ScenarioStep>>,
  rng: Rng = createRng(1),
): History {
  const resolve = (alias: string) => {
    const address = accounts[alias];
    if (!address) throw new Error(`scenario alias ${alias} is not an account`);
    return address;
  };
  return {
    accounts: Object.values(accounts),
    ledgers: ledgers.map((steps) => ({
      transactions: steps.map((step) =>
        fixtureTx(step.fixture, {
          map: Object.fromEntries(
            Object.entries(step.map ?? {}).map(([from, alias]) => [from, resolve(alias)]),
          ),
          hash: rng.hex(32),
        }),
      ),
    })),
  };
}

/** What a scenario's watched account must be credited with, from the fixture's delivered amount. */
export interface ExpectedReceipt {
  readonly account: string;
  readonly hash: string;
  /** 'XRP' or the token's currency code as on the ledger. */
  readonly currency: string;
  readonly issuer?: string;
  /** Exact decimal: XRP in XRP, tokens in token units. */
  readonly value: string;
}

/**
 * The end-to-end scenario of issue 3 for two watched accounts A and B, one transaction per ledger:
 * 1. XRP payment to A (1531.267 XRP, destination tag), 2. token payment to B (0.01 USD),
 * 3. partial XRP payment to A (DeliverMax 1e15 drops, delivered 4456 drops), 4. failed (tecPATH_DRY)
 * payment sent by B (fee only), 5. an empty ledger, 6. a ledger whose only transaction touches neither,
 * 7. outgoing XRP payment from A (2421.8268 XRP). `expected` lists the receipts the exporter must count.
 */
export function paymentsScenario(seed = 1): History & { expected: ExpectedReceipt[] } {
  const rng = createRng(seed);
  const [A, B] = testAccounts(2, rng) as [string, string];
  const history = scenario(
    { A, B },
    [
      [
        {
          fixture: 'explorer/Payment/PaymentWithDestinationTag.json',
          map: { rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt: 'A' },
        },
      ],
      [{ fixture: 'xrpl.js/utils/paymentToken.json', map: { rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K: 'B' } }],
      [
        {
          fixture: 'xrpl.js/rippled/streams/partialPaymentTransaction.json',
          map: { rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe: 'A' },
        },
      ],
      [
        {
          fixture: 'explorer/Payment/PaymentWithConvert.json',
          map: { r9x5PHDiwuvbpYB3uvGAqEUVV5wxHayQEx: 'B' },
        },
      ],
      [],
      [{ fixture: 'xrpl.js/utils/trustlineSetLimit.json' }],
      [{ fixture: 'explorer/Payment/Payment.json', map: { rNQEMJA4PsoSrZRn9J6RajAYhcDzzhf8ok: 'A' } }],
    ],
    rng,
  );
  const hashOf = (ledger: number) => history.ledgers[ledger]!.transactions[0]!.hash;
  return {
    ...history,
    expected: [
      { account: A, hash: hashOf(0), currency: 'XRP', value: '1531.267' },
      {
        account: B,
        hash: hashOf(1),
        currency: 'USD',
        issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q',
        value: '0.01',
      },
      { account: A, hash: hashOf(2), currency: 'XRP', value: '0.004456' },
    ],
  };
}

function createsOrDeletesAccountRoot(meta: Record<string, unknown>, accounts: readonly string[]): boolean {
  const nodes = Array.isArray(meta.AffectedNodes)
    ? (meta.AffectedNodes as Array<Record<string, unknown>>)
    : [];
  return nodes.some((w) => {
    const deleted = w.DeletedNode as
      | { LedgerEntryType?: string; FinalFields?: { Account?: string } }
      | undefined;
    const created = w.CreatedNode as
      | { LedgerEntryType?: string; NewFields?: { Account?: string } }
      | undefined;
    const account =
      deleted?.LedgerEntryType === 'AccountRoot'
        ? deleted.FinalFields?.Account
        : created?.LedgerEntryType === 'AccountRoot'
          ? created.NewFields?.Account
          : undefined;
    return account !== undefined && accounts.includes(account);
  });
}
