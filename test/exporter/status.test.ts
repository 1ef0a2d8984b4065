import { describe, expect, test } from 'vitest';
import { RecentPayments } from '../../src/exporter/recent.js';
import { buildStatus, type StatusSources } from '../../src/exporter/status.js';
import { createMetrics } from '../../src/metrics/index.js';

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
