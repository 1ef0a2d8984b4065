import Big from 'big.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartingBalances, type XrpBalance } from '../../src/balances/index.js';
import { type LogFields, silentLogger } from '../../src/log.js';
import { RequestConnection } from '../../src/rippled/request-connection.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';

const ALICE = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const BOB = 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh';
const CAROL = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';

const waitOptions = { timeout: 10_000, interval: 20 };

describe('StartingBalances against a fake rippled', () => {
  let fake: FakeRippled;
  let connection: RequestConnection;
  let balances: StartingBalances;

  afterEach(async () => {
    balances?.stop();
    await connection?.close();
    await fake?.close();
  });

  async function setUp() {
    fake = await FakeRippled.start();
    fake.setAccountBalance(ALICE, 50_000_000n);
    fake.setAccountBalance(BOB, 7_000_000n);
    connection = await RequestConnection.connect(fake.url, { requestTimeoutMs: 200, apiVersion: 2 });
    const applied = new Map<string, XrpBalance>();
    const logs: Array<{ msg: string; fields: LogFields }> = [];
    balances = new StartingBalances({
      server: connection,
      apply: (account, balance) => applied.set(account, balance),
      logger: {
        ...silentLogger,
        info: (msg, fields = {}) => logs.push({ msg, fields }),
        warn: (msg, fields = {}) => logs.push({ msg, fields }),
      },
      backoff: { minMs: 50, maxMs: 200 },
      random: () => 1,
    });
    const xrp = (account: string) => applied.get(account)?.xrp.toString();
    return { applied, logs, xrp };
  }

  it('asks nothing before the first subscription, then reads every account once', async () => {
    const { applied, xrp } = await setUp();
    balances.watch([ALICE, BOB, CAROL]);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.requests.filter((r) => r.command === 'account_info')).toEqual([]);
    balances.onSubscribed();
    await vi.waitFor(() => expect(applied.size).toBe(3), waitOptions);
    expect([xrp(ALICE), xrp(BOB), xrp(CAROL)]).toEqual(['50', '7', '0']); // CAROL is unfunded: 0 XRP
    expect(balances.pending).toBe(0);
    balances.onSubscribed();
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.requests.filter((r) => r.command === 'account_info')).toHaveLength(3);
  });

  it('retries a failed account with backoff until it answers, and never says it was loaded before', async () => {
    const { logs, xrp } = await setUp();
    fake.ignoreRequestsAbout(BOB);
    balances.watch([ALICE, BOB]);
    balances.onSubscribed();
    await vi.waitFor(
      () =>
        expect(logs.filter((l) => l.msg === 'starting balance unavailable').length).toBeGreaterThanOrEqual(2),
      waitOptions,
    );
    expect(xrp(ALICE)).toBe('50');
    expect(xrp(BOB)).toBeUndefined();
    expect(logs.find((l) => l.msg === 'starting balances loaded')?.fields).toEqual({
      accounts: 1,
      still_unknown: 1,
    });
    expect(logs.find((l) => l.msg === 'starting balance unavailable')?.fields.account).toBe(BOB);

    fake.ignoreRequestsAbout(BOB, false);
    await vi.waitFor(() => expect(xrp(BOB)).toBe('7'), waitOptions);
    expect(logs.at(-1)).toEqual({
      msg: 'starting balances loaded',
      fields: { accounts: 1, still_unknown: 0 },
    });
    const asked = fake.requests.filter((r) => r.command === 'account_info').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.requests.filter((r) => r.command === 'account_info')).toHaveLength(asked);
  });

  it('forgets an account that is no longer watched and reads it again when it comes back', async () => {
    const { applied, xrp } = await setUp();
    balances.watch([ALICE, BOB]);
    balances.onSubscribed();
    await vi.waitFor(() => expect(applied.size).toBe(2), waitOptions);
    expect(balances.watch([ALICE])).toEqual([BOB]);
    fake.setAccountBalance(BOB, 9_000_000n);
    applied.clear();
    expect(balances.watch([ALICE, BOB])).toEqual([]);
    await vi.waitFor(() => expect(xrp(BOB)).toBe('9'), waitOptions);
    expect(applied.has(ALICE)).toBe(false);
  });

  it('reads the balance on the validated ledger and says which one', async () => {
    const { applied } = await setUp();
    fake.addLedger([]);
    await fake.publishNext();
    balances.watch([ALICE]);
    balances.onSubscribed();
    await vi.waitFor(
      () => expect(applied.get(ALICE)).toEqual({ xrp: new Big(50), ledger: 1001 }),
      waitOptions,
    );
  });
});
