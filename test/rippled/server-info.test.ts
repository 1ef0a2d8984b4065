import { describe, expect, it } from 'vitest';
import { parseServerInfo, parseServerTime } from '../../src/rippled/server-info.js';

/** xrpl.js test/fixtures/rippled/serverInfo.json (rippled 0.24), the `result` part. */
const RIPPLED = {
  info: {
    build_version: '0.24.0-rc1',
    complete_ledgers: '32570-6595042',
    hostid: 'ARTS',
    io_latency_ms: 1,
    last_close: { converge_time_s: 2.007, proposers: 4 },
    load_factor: 1,
    network_id: 21338,
    peers: 53,
    server_state: 'full',
    validated_ledger: {
      age: 5,
      base_fee_xrp: 0.00001,
      hash: '4482DEE5362332F54A4036ED57EE1767C9F33CF7CE5A6670355C16CECE381D46',
      reserve_base_xrp: 20,
      reserve_inc_xrp: 5,
      seq: 6595042,
    },
    validation_quorum: 3,
  },
};

/** A Clio answer as documented by QuickNode's server_info page (clio 2.7.0), abbreviated. */
const CLIO = {
  info: {
    complete_ledgers: '32570-102609807',
    load_factor: 1,
    time: '2026-Mar-03 03:04:46.673396 UTC',
    uptime: 1852778,
    clio_version: '2.7.0',
    validated_ledger: {
      age: 5,
      hash: '239AEF90407AA56065E9BCA6D52D21C187FB98B47B541ACC942D636801B71E0D',
      seq: 102609807,
    },
  },
};

describe('parseServerInfo', () => {
  it.each([
    {
      name: 'rippled without a clock: index and network, no close time',
      result: RIPPLED,
      parsed: {
        validatedLedger: { index: 6595042, closeTime: null },
        networkId: 21338,
      },
    },
    {
      name: 'Clio: the close time is the server clock minus the age',
      result: CLIO,
      parsed: {
        validatedLedger: { index: 102609807, closeTime: Date.UTC(2026, 2, 3, 3, 4, 47) / 1000 - 5 },
        networkId: null,
      },
    },
    {
      name: 'a syncing server has no validated ledger',
      result: { info: { complete_ledgers: 'empty', server_state: 'syncing', network_id: 1 } },
      parsed: { validatedLedger: null, networkId: 1 },
    },
    {
      name: 'garbage is nothing, never an error',
      result: { info: { validated_ledger: { seq: -4, age: 'x' }, network_id: '0', complete_ledgers: 7 } },
      parsed: { validatedLedger: null, networkId: null },
    },
    {
      name: 'no info at all',
      result: {},
      parsed: { validatedLedger: null, networkId: null },
    },
  ])('$name', ({ result, parsed }) => {
    expect(parseServerInfo(result)).toEqual(parsed);
  });
});

describe('parseServerTime', () => {
  it.each([
    ['2026-Mar-03 03:04:46.673396 UTC', Date.UTC(2026, 2, 3, 3, 4, 46) / 1000 + 0.673396],
    ['2020-Sep-03 17:38:26 UTC', Date.UTC(2020, 8, 3, 17, 38, 26) / 1000],
    ['2026-03-03 03:04:46 UTC', null],
    ['2026-Foo-03 03:04:46 UTC', null],
    ['', null],
  ])('%s', (text, seconds) => {
    const parsed = parseServerTime(text);
    if (seconds === null) expect(parsed).toBeNull();
    else expect(parsed).toBeCloseTo(seconds, 4);
  });
});
