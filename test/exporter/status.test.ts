import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { RecentPayments } from '../../src/exporter/recent.js';
import { buildStatus, type StatusSources } from '../../src/exporter/status.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { PaymentStatus } from '../../src/server/index.js';
import { AlertEvaluator } from '../../src/status/alert-evaluator.js';
import { ALERT_RULES } from '../../src/status/alert-rules.js';

const PRIMARY = 'wss://ops:hunter2@primary.example:51233';
const BACKUP = 'wss://backup.example:51233';

function sources(overrides: Partial<StatusSources>): StatusSources {
  return {
    now: 1_790_000_000,
    server: null,
    servers: [],
    up: false,
    apiVersion: 2,
    lastLedger: null,
    accounts: [],
    metrics: createMetrics({
      accounts: [],
      rules: [],
      servers: [],
      paymentSizeBucketsXrp: [1],
      processMetrics: false,
      build: { version: '0', revision: 'x', nodeVersion: 'v20.19.0' },
    }),
    recent: new RecentPayments(),
    rules: [],
    warnings: [],
    history: () => null,
    verification: () => null,
    sinks: { targets: [], deadLetters: [] },
    alerts: new AlertEvaluator(ALERT_RULES),
    configured: { stateFile: false },
    ...overrides,
  };
}

describe('buildStatus: servers', () => {
  test('each server with its last error and next attempt in Unix seconds, passwords masked everywhere', () => {
    const status = buildStatus(
      sources({
        server: BACKUP,
        servers: [
          {
            server: PRIMARY,
            connected: false,
            lastFailure: { reason: `cannot connect to ${PRIMARY}: connect ECONNREFUSED`, agoMs: 4_000 },
            restMs: 12_500,
          },
          { server: BACKUP, connected: true, lastFailure: null, restMs: 0 },
        ],
      }),
    );
    expect(status.connection.servers).toEqual([
      {
        url: 'wss://ops:<secret>@primary.example:51233',
        connected: false,
        lastError: 'cannot connect to wss://ops:<secret>@primary.example:51233: connect ECONNREFUSED',
        lastErrorAt: 1_789_999_996,
        nextAttemptAt: 1_790_000_012.5,
      },
      { url: BACKUP, connected: true, lastError: null, lastErrorAt: null, nextAttemptAt: null },
    ]);
    expect(JSON.stringify(status)).not.toContain('hunter2');
  });

  test('a server that may be tried now, or is in use, has no next attempt time', () => {
    const status = buildStatus(
      sources({
        servers: [
          { server: BACKUP, connected: false, lastFailure: { reason: 'closed', agoMs: 0 }, restMs: 0 },
          { server: PRIMARY, connected: true, lastFailure: null, restMs: 5_000 },
        ],
      }),
    );
    expect(status.connection.servers.map((s) => s.nextAttemptAt)).toEqual([null, null]);
  });
});

describe('buildStatus: history imports', () => {
  test('an account with an import shows where it stands; the others show none', () => {
    const importing = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
    const other = 'rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt';
    const progress = { state: 'importing' as const, ledgersLeft: 1200, percent: 40, error: null };
    const status = buildStatus(
      sources({
        accounts: [
          { address: importing, name: 'treasury', group: null, since: { kind: 'ledger', index: 5 } },
          { address: other, name: 'shop', group: null, since: null },
        ],
        history: (account) => (account === importing ? progress : null),
      }),
    );
    expect(status.accounts.map((a) => [a.name, a.history])).toEqual([
      ['treasury', progress],
      ['shop', null],
    ]);
  });
});

function payment(account: string, time: number): PaymentStatus {
  return {
    time,
    accountName: account,
    accountAddress: account,
    amount: '1',
    currency: 'XRP',
    issuer: '',
    sender: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
    type: 'Payment',
    hash: 'A'.repeat(64),
    link: null,
    partial: false,
  };
}

describe('buildStatus: many accounts', () => {
  const NOW = 1_790_000_000;
  const accounts = Array.from({ length: 100_000 }, (_, i) => ({
    address: `r${String(i).padStart(6, '0')}`,
    name: `deposit-${i}`,
    group: null,
    since: null,
  }));

  test('100,000 accounts: the page gets a bounded list and the count, the health tile the total', () => {
    const status = buildStatus(sources({ now: NOW, accounts }));
    expect(status.accounts).toHaveLength(100);
    expect(status.accountList).toEqual({ total: 100_000, matching: 100_000, search: null, limit: 100 });
    expect(status.health.find((h) => h.area === 'accounts')?.summary).toBe('100000 accounts watched');
    // A bound on what every refresh carries: a page's worth, not 100,000 rows.
    expect(JSON.stringify(status).length).toBeLessThan(100_000);
  });

  test('a search finds any account by name or address', () => {
    const status = buildStatus(sources({ now: NOW, accounts, query: { account: 'deposit-99999' } }));
    expect(status.accounts.map((a) => a.name)).toEqual(['deposit-99999']);
    expect(status.accountList).toMatchObject({ matching: 1, search: 'deposit-99999' });
    const blank = buildStatus(
      sources({ now: NOW, accounts: accounts.slice(0, 3), query: { account: '  ' } }),
    );
    expect(blank.accountList.search).toBeNull();
  });

  test('accounts with history trouble come first, then the most recently paid', () => {
    const metrics = sources({}).metrics;
    const few = accounts.slice(0, 5);
    metrics.recordReceipts({
      account: few[3]!.address,
      txType: 'Payment',
      partial: false,
      closeTime: NOW - 10,
      received: [{ asset: { kind: 'xrp' }, value: new Big('5') }],
    });
    const failing = { state: 'failing' as const, ledgersLeft: 10, percent: 0, error: 'no server has it' };
    const status = buildStatus(
      sources({
        now: NOW,
        accounts: few,
        metrics,
        history: (account) => (account === few[4]!.address ? failing : null),
      }),
    );
    expect(status.accounts.map((a) => a.name).slice(0, 2)).toEqual(['deposit-4', 'deposit-3']);
    expect(status.health.find((h) => h.area === 'accounts')?.details).toEqual(['1 history import failing']);
  });

  test('unverified accounts come first; the health tile counts verified and unverified', () => {
    const few = accounts.slice(0, 4);
    const verification = (account: string) =>
      account === few[0]!.address
        ? null
        : {
            verifiedLedger: 100,
            unverifiedRanges: account === few[2]!.address ? ['90-99'] : [],
          };
    const status = buildStatus(sources({ now: NOW, accounts: few, verification }));
    expect(status.accounts[0]?.name).toBe('deposit-2');
    expect(status.accounts[0]?.verification).toEqual({ verifiedLedger: 100, unverifiedRanges: ['90-99'] });
    expect(status.health.find((h) => h.area === 'accounts')?.summary).toBe(
      '4 accounts watched: 2 verified, 1 unverified',
    );
  });

  test('each shown account carries its receipts per minute over the last hour', () => {
    const recent = new RecentPayments();
    const [a, b] = accounts as [(typeof accounts)[0], (typeof accounts)[0]];
    recent.add(payment(a.address, NOW - 30));
    recent.add(payment(a.address, NOW - 20));
    recent.add(payment(a.address, NOW - 600));
    const status = buildStatus(sources({ now: NOW, accounts: [a, b], recent }));
    const trend = status.accounts.find((x) => x.address === a.address)?.trend;
    expect(trend).toHaveLength(60);
    expect(trend?.reduce((x, y) => x + y, 0)).toBe(3);
    expect(status.accounts.find((x) => x.address === b.address)?.trend).toBeNull();
  });
});
