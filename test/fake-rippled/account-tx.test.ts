import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAffectedAccounts } from '../../src/simulator/affected-accounts.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { buildHistory } from '../support/history.js';
import { RawClient } from './raw-client.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

const FIRST = 5000;
const history = buildHistory({ seed: 11, ledgers: 60, transactions: 400, accounts: 3 });
let fake: FakeRippled;
let client: RawClient;

/** The account's transactions as rippled indexes them: metadata-affected, ledger order, then position. */
function expectedHashes(account: string, min = 0, max = Number.POSITIVE_INFINITY): string[] {
  return history.ledgers.flatMap((ledger, i) =>
    FIRST + 1 + i >= min && FIRST + 1 + i <= max
      ? ledger.transactions.filter((t) => getAffectedAccounts(t.meta).includes(account)).map((t) => t.hash)
      : [],
  );
}

async function collect(request: Json): Promise<{ pages: Json[]; hashes: string[] }> {
  const pages: Json[] = [];
  let marker: unknown;
  do {
    const response = await client.request({
      command: 'account_tx',
      ...request,
      ...(marker ? { marker } : {}),
    });
    expect(response.status).toBe('success');
    pages.push(response.result);
    marker = response.result.marker;
  } while (marker);
  const hashes = pages.flatMap((p) => p.transactions.map((e: Json) => e.hash ?? e.tx?.hash));
  return { pages, hashes };
}

beforeAll(async () => {
  fake = await FakeRippled.start({ firstLedgerIndex: FIRST });
  fake.addLedgers(history.ledgers);
  await fake.publishAll();
  client = await RawClient.connect(fake.url);
});

afterAll(async () => {
  client.close();
  await fake.close();
});

describe('account_tx pagination', () => {
  it('collects exactly the account history, forward and backward, in v1 and v2', async () => {
    for (const account of history.accounts) {
      const want = expectedHashes(account);
      expect(want.length).toBeGreaterThan(50);
      const forward = await collect({ account, forward: true, limit: 10, api_version: 2 });
      expect(forward.hashes).toEqual(want);
      expect(forward.pages.length).toBe(Math.ceil(want.length / 10));
      const backward = await collect({ account, ledger_index_min: -1, ledger_index_max: -1, limit: 25 });
      expect(backward.hashes).toEqual([...want].reverse());
    }
  });

  it('returns entries in the v2 shape and the v1 shape', async () => {
    const account = history.accounts[0]!;
    const v2 = (await client.request({ command: 'account_tx', account, forward: true, api_version: 2 }))
      .result;
    const e2 = v2.transactions[0];
    expect(Object.keys(e2).sort()).toEqual(
      ['close_time_iso', 'hash', 'ledger_hash', 'ledger_index', 'meta', 'tx_json', 'validated'].sort(),
    );
    expect(e2.tx_json.hash).toBeUndefined();
    expect(e2.tx_json.ledger_index).toBe(e2.ledger_index);
    expect(typeof e2.tx_json.date).toBe('number');
    const v1 = (await client.request({ command: 'account_tx', account, forward: true })).result;
    const e1 = v1.transactions[0];
    expect(Object.keys(e1).sort()).toEqual(['meta', 'tx', 'validated']);
    expect(e1.tx).toMatchObject({ hash: e2.hash, ledger_index: e2.ledger_index, inLedger: e2.ledger_index });
    expect(e1.meta).toEqual(e2.meta);
  });

  it('clamps limit to 10..400 and defaults to 200', async () => {
    const account = history.accounts[0]!;
    const limitOf = async (extra: Json) =>
      (await client.request({ command: 'account_tx', account, ...extra })).result.limit;
    expect(await limitOf({ limit: 1 })).toBe(10);
    expect(await limitOf({ limit: 100000 })).toBe(400);
    expect(await limitOf({})).toBe(200);
    const bad = await client.request({ command: 'account_tx', account, limit: 'ten' });
    expect(bad).toMatchObject({ status: 'error', error: 'invalidParams', error_code: 31 });
  });

  it('keeps a marker valid while new ledgers are published', async () => {
    const account = history.accounts[1]!;
    const first = (
      await client.request({
        command: 'account_tx',
        account,
        forward: true,
        limit: 10,
        ledger_index_max: FIRST + 60,
      })
    ).result;
    fake.addLedger([]);
    await fake.publishNext();
    const { hashes } = await collect({
      account,
      forward: true,
      limit: 10,
      ledger_index_max: FIRST + 60,
      marker: first.marker,
    });
    expect([...first.transactions.map((e: Json) => e.tx.hash), ...hashes]).toEqual(expectedHashes(account));
  });
});

describe('short pages', () => {
  it('can return fewer entries than the limit, with a marker, like rippled may', async () => {
    const short = await FakeRippled.start({ firstLedgerIndex: FIRST, accountTxPageCap: 3 });
    const other = await RawClient.connect(short.url);
    try {
      short.addLedgers(history.ledgers);
      await short.publishAll();
      const account = history.accounts[0]!;
      const first = (await other.request({ command: 'account_tx', account, forward: true, limit: 10 }))
        .result;
      expect(first.limit).toBe(10);
      expect(first.transactions).toHaveLength(3);
      expect(first.marker).toBeDefined();
      const hashes: string[] = [];
      let marker: unknown;
      do {
        const page = (
          await other.request({ command: 'account_tx', account, forward: true, limit: 10, marker })
        ).result;
        hashes.push(...page.transactions.map((e: Json) => e.tx.hash));
        marker = page.marker;
      } while (marker);
      expect(hashes).toEqual(expectedHashes(account));
    } finally {
      other.close();
      await short.close();
    }
  });
});

describe('account_tx ranges', () => {
  it('reports the effective range and returns only transactions inside it', async () => {
    const account = history.accounts[2]!;
    const { pages, hashes } = await collect({
      account,
      ledger_index_min: FIRST + 10,
      ledger_index_max: FIRST + 20,
      forward: true,
    });
    expect(pages[0]).toMatchObject({
      ledger_index_min: FIRST + 10,
      ledger_index_max: FIRST + 20,
      validated: true,
    });
    expect(hashes).toEqual(expectedHashes(account, FIRST + 10, FIRST + 20));
  });

  it('v1 clamps silently to the history the server holds; v2 answers lgrIdxMalformed', async () => {
    const account = history.accounts[0]!;
    fake.setHistoryStart(FIRST + 30);
    try {
      const v1 = await client.request({
        command: 'account_tx',
        account,
        ledger_index_min: FIRST + 5,
        ledger_index_max: -1,
      });
      expect(v1.result.ledger_index_min).toBe(FIRST + 30);
      expect(v1.result.ledger_index_max).toBe(fake.validatedLedgerIndex);
      const v2 = await client.request({
        command: 'account_tx',
        account,
        ledger_index_min: FIRST + 5,
        ledger_index_max: -1,
        api_version: 2,
      });
      expect(v2).toMatchObject({ status: 'error', error: 'lgrIdxMalformed', error_code: 58, api_version: 2 });
      expect(v2.request).toMatchObject({ command: 'account_tx', ledger_index_min: FIRST + 5 });
      const server = (await client.request({ command: 'server_info' })).result.info;
      expect(server.complete_ledgers).toBe(`${FIRST + 30}-${fake.validatedLedgerIndex}`);
    } finally {
      fake.setHistoryStart(FIRST);
    }
  });

  it('rejects a max beyond the validated ledger in v2 and an inverted range in both versions', async () => {
    const account = history.accounts[0]!;
    const beyond = fake.validatedLedgerIndex + 5;
    const v2Beyond = await client.request({
      command: 'account_tx',
      account,
      ledger_index_max: beyond,
      api_version: 2,
    });
    expect(v2Beyond.error).toBe('lgrIdxMalformed');
    const v1Beyond = await client.request({ command: 'account_tx', account, ledger_index_max: beyond });
    expect(v1Beyond.result.ledger_index_max).toBe(fake.validatedLedgerIndex);
    const inverted = {
      command: 'account_tx',
      account,
      ledger_index_min: FIRST + 20,
      ledger_index_max: FIRST + 10,
    };
    expect((await client.request(inverted)).error).toBe('lgrIdxsInvalid');
    expect((await client.request({ ...inverted, api_version: 2 })).error).toBe('invalidLgrRange');
  });

  it('rejects malformed accounts and markers', async () => {
    expect(await client.request({ command: 'account_tx', account: 'rNotAnAddress' })).toMatchObject({
      error: 'actMalformed',
      error_code: 35,
      error_message: 'Account malformed.',
      status: 'error',
      type: 'response',
    });
    expect((await client.request({ command: 'account_tx' })).error_message).toBe("Missing field 'account'.");
    const badMarker = await client.request({
      command: 'account_tx',
      account: history.accounts[0],
      marker: 'x',
    });
    expect(badMarker.error).toBe('invalidParams');
    const badForward = await client.request({
      command: 'account_tx',
      account: history.accounts[0],
      forward: 'yes',
      api_version: 2,
    });
    expect(badForward.error_message).toBe("Invalid field 'forward'.");
  });
});

describe('forgetting old ledgers', () => {
  it('drops them from memory and from account_tx, and keeps numbering after them', async () => {
    const history = buildHistory({ seed: 3, ledgers: 20, transactions: 60, accounts: 2 });
    const fake = await FakeRippled.start();
    try {
      fake.addLedgers(history.ledgers);
      await fake.publishAll();
      const first = fake.validatedLedgerIndex - 19;
      fake.forgetLedgersBefore(first + 10);
      const client = await RawClient.connect(fake.url);
      try {
        const answer = await client.request({
          command: 'account_tx',
          account: history.accounts[0],
          ledger_index_min: -1,
          ledger_index_max: -1,
          api_version: 1,
        });
        const result = answer.result as {
          ledger_index_min: number;
          transactions: Array<{ tx: { ledger_index: number } }>;
        };
        expect(result.ledger_index_min).toBe(first + 10);
        expect(result.transactions.every((t) => t.tx.ledger_index >= first + 10)).toBe(true);
      } finally {
        await client.close();
      }
      const next = fake.addLedger([]);
      expect(next.index).toBe(fake.lastLedgerIndex);
      expect(next.index).toBe(first + 20);
    } finally {
      await fake.close();
    }
  });
});
