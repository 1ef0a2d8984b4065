import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServerTime } from '../../src/rippled/server-info.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { loadFixture } from '../support/fixtures.js';
import { RawClient } from './raw-client.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

const PAYMENT = 'explorer/Payment/Payment.json';
const ACCOUNT_DELETE = 'xrpl.js-2021/tx/accountDelete.json';
const WATCHED = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

let fake: FakeRippled;
let client: RawClient;

beforeEach(async () => {
  fake = await FakeRippled.start({ firstLedgerIndex: 700, startTime: new Date('2026-01-01T00:00:00Z') });
  client = await RawClient.connect(fake.url);
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('response envelopes', () => {
  it('answers ping with the id and echoes api_version', async () => {
    expect(await client.request({ command: 'ping' })).toEqual({
      id: 1,
      result: {},
      status: 'success',
      type: 'response',
    });
    expect(await client.request({ command: 'ping', api_version: 2 })).toEqual({
      api_version: 2,
      id: 2,
      result: {},
      status: 'success',
      type: 'response',
    });
  });

  it('answers an unknown command with unknownCmd and the request', async () => {
    expect(await client.request({ command: 'fly' })).toEqual({
      error: 'unknownCmd',
      error_code: 32,
      error_message: 'Unknown method.',
      id: 1,
      request: { command: 'fly', id: 1 },
      status: 'error',
      type: 'response',
    });
  });

  it('answers bad JSON and oversize requests with jsonInvalid, and bad envelopes like rippled', async () => {
    client.socket.send('{"id": 1, "command": ');
    expect(await client.waitFor((m) => m.type === 'error')).toEqual({
      error: 'jsonInvalid',
      type: 'error',
      value: '{"id": 1, "command": ',
    });
    const huge = JSON.stringify({ id: 2, command: 'subscribe', accounts: ['x'.repeat(1_000_001)] });
    client.socket.send(huge);
    const oversize = await client.waitFor((m) => m.type === 'error' && m.value === huge);
    expect(oversize.error).toBe('jsonInvalid');
    expect(await client.request({ api_version: 2 })).toMatchObject({
      error: 'missingCommand',
      status: 'error',
      api_version: 2,
    });
    expect(await client.request({ command: 'ping', api_version: 9 })).toMatchObject({
      error: 'invalid_API_version',
    });
  });
});

describe('subscribe', () => {
  it('returns {} for accounts and the ledger fields for the ledger stream', async () => {
    expect((await client.request({ command: 'subscribe', accounts: [WATCHED] })).result).toEqual({});
    const { result } = await client.request({ command: 'subscribe', streams: ['ledger'] });
    expect(result).toEqual({
      fee_base: 10,
      ledger_hash: expect.stringMatching(/^[0-9A-F]{64}$/),
      ledger_index: 700,
      ledger_time: Date.parse('2026-01-01T00:00:00Z') / 1000 - 946_684_800,
      network_id: 0,
      reserve_base: 1000000,
      reserve_inc: 200000,
      validated_ledgers: '700',
    });
    expect(fake.subscribedAccounts()).toEqual(new Set([WATCHED]));
  });

  it('rejects a list with one bad address (none added) but keeps streams handled before it', async () => {
    const response = await client.request({
      command: 'subscribe',
      streams: ['ledger'],
      accounts: [WATCHED, 'rBadAddress1111111111111111'],
    });
    expect(response).toMatchObject({ error: 'actMalformed', error_code: 35, status: 'error' });
    expect(fake.subscribedAccounts().size).toBe(0);
    expect(fake.connections[0]!.streams.has('ledger')).toBe(true);
    expect((await client.request({ command: 'subscribe', streams: ['bogus'] })).error).toBe(
      'malformedStream',
    );
    expect((await client.request({ command: 'subscribe', accounts: WATCHED })).error).toBe('invalidParams');
  });

  it('unsubscribes accounts', async () => {
    await client.request({ command: 'subscribe', accounts: [WATCHED, 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh'] });
    await client.request({ command: 'unsubscribe', accounts: [WATCHED] });
    expect(fake.subscribedAccounts()).toEqual(new Set(['rHoPwMC75KVUhBMeV3uDMybKG5JND74teh']));
  });
});

describe('account_info', () => {
  it('reports a configured balance, then the balance the history leaves, and actNotFound for unknown', async () => {
    const payment = loadFixture<Json>(PAYMENT);
    const sender = payment.tx.Account;
    fake.setAccountBalance(sender, 5_000_000n);
    const info = async (account: string, ledger_index?: string) =>
      client.request({ command: 'account_info', account, ...(ledger_index ? { ledger_index } : {}) });
    expect((await info(sender, 'validated')).result).toMatchObject({
      account_data: { Account: sender, Balance: '5000000' },
      ledger_index: 700,
      validated: true,
    });
    fake.addLedger([payment]);
    await fake.publishNext();
    expect((await info(sender, 'validated')).result.account_data.Balance).toBe('27119525561332');
    expect((await info(payment.tx.Destination)).result).toMatchObject({
      account_data: { Balance: '2421826800' },
      ledger_current_index: 702,
      validated: false,
    });
    expect(await info(WATCHED, 'validated')).toMatchObject({
      error: 'actNotFound',
      error_code: 19,
      status: 'error',
    });
    expect((await info('nope')).error).toBe('actMalformed');
  });

  it('reports actNotFound for an account deleted in the history', async () => {
    const deletion = loadFixture<Json>(ACCOUNT_DELETE);
    fake.setAccountBalance(deletion.result.Account, 1n);
    fake.addLedger([deletion]);
    await fake.publishNext();
    const response = await client.request({ command: 'account_info', account: deletion.result.Account });
    expect(response.error).toBe('actNotFound');
  });
});

describe('ledger and server_info', () => {
  it('returns an expanded ledger in the v1 and v2 shapes, and hashes without expand', async () => {
    const payment = loadFixture<Json>(PAYMENT);
    const header = fake.addLedger([payment]);
    await fake.publishNext();
    const v2 = (
      await client.request({
        command: 'ledger',
        ledger_index: header.index,
        transactions: true,
        expand: true,
        api_version: 2,
      })
    ).result;
    expect(v2).toMatchObject({ ledger_hash: header.hash, ledger_index: header.index, validated: true });
    expect(v2.ledger.ledger_index).toBe(header.index);
    expect(v2.ledger.transactions[0]).toMatchObject({
      hash: payment.hash,
      ledger_index: header.index,
      validated: true,
    });
    expect(v2.ledger.transactions[0].tx_json.DeliverMax).toBe('2421826800');
    expect(v2.ledger.transactions[0].meta.delivered_amount).toBe('2421826800');
    const v1 = (
      await client.request({ command: 'ledger', ledger_index: 'validated', transactions: true, expand: true })
    ).result;
    expect(v1.ledger.ledger_index).toBe(String(header.index));
    expect(v1.ledger.transactions[0]).toMatchObject({
      hash: payment.hash,
      Amount: '2421826800',
      DeliverMax: '2421826800',
    });
    expect(v1.ledger.transactions[0].metaData.TransactionIndex).toBe(0);
    const plain = (await client.request({ command: 'ledger', ledger_hash: header.hash, transactions: true }))
      .result;
    expect(plain.ledger.transactions).toEqual([payment.hash]);
    expect((await client.request({ command: 'ledger', ledger_index: 99999 })).error).toBe('lgrNotFound');
  });

  it('does not serve a ledger that is added but not yet validated', async () => {
    const header = fake.addLedger([]);
    expect((await client.request({ command: 'ledger', ledger_index: header.index })).error).toBe(
      'lgrNotFound',
    );
    await fake.publishNext();
    expect((await client.request({ command: 'ledger', ledger_index: header.index })).result.ledger_hash).toBe(
      header.hash,
    );
  });

  it('reports the validated ledger and complete_ledgers in server_info', async () => {
    fake.addLedger([]);
    await fake.publishNext();
    const { info } = (await client.request({ command: 'server_info' })).result;
    expect(info).toMatchObject({ complete_ledgers: '700-701', server_state: 'full', network_id: 0 });
    expect(info.validated_ledger).toMatchObject({ seq: 701, hash: expect.stringMatching(/^[0-9A-F]{64}$/) });
    // rippled's clock, in its own format: "2026-Mar-03 03:04:46.673396 UTC".
    expect(info.time).toMatch(/^\d{4}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} UTC$/);
    expect(Math.abs(parseServerTime(info.time)! - Date.now() / 1000)).toBeLessThan(60);
  });
});

describe('hostile requests', () => {
  it('answers every request, however malformed, and keeps serving', async () => {
    const requests = fc.sample(
      fc.record(
        {
          command: fc.constantFrom(
            'ping',
            'subscribe',
            'unsubscribe',
            'account_info',
            'account_tx',
            'ledger',
            'server_info',
            'nope',
          ),
          api_version: fc.oneof(fc.constant(1), fc.constant(2), fc.anything()),
          accounts: fc.oneof(fc.array(fc.string()), fc.anything()),
          streams: fc.oneof(fc.array(fc.constantFrom('ledger', 'transactions', 'x')), fc.anything()),
          account: fc.oneof(fc.constant(WATCHED), fc.anything()),
          ledger_index_min: fc.anything(),
          ledger_index_max: fc.oneof(fc.integer(), fc.anything()),
          ledger_index: fc.anything(),
          limit: fc.anything(),
          marker: fc.anything(),
          forward: fc.anything(),
          transactions: fc.anything(),
          expand: fc.anything(),
        },
        { requiredKeys: ['command'] },
      ),
      { numRuns: 300, seed: 4 },
    );
    for (const request of requests) {
      const response = await client.request(request);
      expect(['success', 'error']).toContain(response.status);
      expect(response.error, JSON.stringify(request)).not.toBe('internal');
    }
    expect((await client.request({ command: 'ping' })).status).toBe('success');
  });
});
