import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type FakeConnection, FakeRippled } from '../../src/simulator/fake-rippled.js';
import { fixtureTx } from '../support/history.js';
import { RawClient } from './raw-client.js';

const PAYMENT = 'explorer/Payment/Payment.json';
const SENDER = 'rNQEMJA4PsoSrZRn9J6RajAYhcDzzhf8ok';

let fake: FakeRippled;
let clients: RawClient[];
let counter = 0;

const BASE = fixtureTx(PAYMENT);

/** The payment fixture under a fresh hash, so one ledger can hold it many times. */
function payment() {
  counter += 1;
  return { ...BASE, hash: counter.toString(16).toUpperCase().padStart(64, '0') };
}

async function watcher(): Promise<RawClient> {
  const c = await RawClient.connect(fake.url);
  clients.push(c);
  await c.request({ command: 'subscribe', accounts: [SENDER], streams: ['ledger'], api_version: 2 });
  return c;
}

/** Stream messages as "L<index>" for ledgerClosed and "T<index>" for a transaction. */
function summary(c: RawClient): string[] {
  return c.stream().map((m) => `${m.type === 'ledgerClosed' ? 'L' : 'T'}${m.ledger_index}`);
}

async function publish(...ledgers: number[]): Promise<number[]> {
  const indexes: number[] = [];
  for (const txCount of ledgers) {
    indexes.push(fake.addLedger(Array.from({ length: txCount }, payment)).index);
    await fake.publishNext();
  }
  for (const c of clients) if (c.socket.readyState === WebSocket.OPEN) await c.request({ command: 'ping' });
  return indexes;
}

beforeEach(async () => {
  fake = await FakeRippled.start();
  clients = [];
});

afterEach(async () => {
  for (const c of clients) c.close();
  await fake.close();
});

describe('connection faults', () => {
  it('dropAll kills sockets without a close frame', async () => {
    const c = await watcher();
    const gone = once(fake, 'disconnect');
    fake.dropAll();
    expect((await c.closed).code).toBe(1006);
    await gone;
    expect(fake.connectionCount).toBe(0);
  });

  it('closeAll defaults to rippled’s slow-client close', async () => {
    const c = await watcher();
    fake.closeAll();
    expect(await c.closed).toEqual({ code: 1008, reason: 'Policy error: client is too slow.' });
  });

  it('refuses connections by reset, by close 1013, or by not listening, then accepts again', async () => {
    await fake.refuseConnections(true);
    const reset = await RawClient.connect(fake.url);
    expect((await reset.closed).code).toBe(1006);
    await fake.refuseConnections(true, 'close');
    const closed = await RawClient.connect(fake.url);
    expect((await closed.closed).code).toBe(1013);
    await fake.refuseConnections(true, 'unlisten');
    await expect(RawClient.connect(fake.url)).rejects.toThrow(/ECONNREFUSED/);
    await fake.refuseConnections(false);
    const back = await watcher();
    expect((await back.request({ command: 'ping' })).status).toBe('success');
  });
});

describe('stream faults', () => {
  it('skipLedgerMessages drops ledgerClosed but still sends the transactions', async () => {
    const c = await watcher();
    fake.skipLedgerMessages(1);
    const [a, b] = await publish(1, 1);
    expect(summary(c)).toEqual([`T${a}`, `L${b}`, `T${b}`]);
  });

  it('skipLedgers drops whole ledgers for one connection only', async () => {
    const skipped = await watcher();
    const other = await watcher();
    fake.skipLedgers(1, fake.connections.find((x) => x.id === 1) as FakeConnection);
    const [a, b] = await publish(1, 1);
    expect(summary(skipped)).toEqual([`L${b}`, `T${b}`]);
    expect(summary(other)).toEqual([`L${a}`, `T${a}`, `L${b}`, `T${b}`]);
  });

  it('duplicateNext sends the next transaction message twice', async () => {
    const c = await watcher();
    fake.duplicateNext(1);
    const [a, b] = await publish(2, 1);
    expect(summary(c)).toEqual([`L${a}`, `T${a}`, `T${a}`, `T${a}`, `L${b}`, `T${b}`]);
    const hashes = c
      .stream()
      .filter((m) => m.type === 'transaction')
      .map((m) => m.hash);
    expect(hashes[0]).toBe(hashes[1]);
    expect(hashes[1]).not.toBe(hashes[2]);
  });

  it('reorderNext swaps two transactions of the next ledger with two or more', async () => {
    const c = await watcher();
    fake.reorderNext();
    const before = counter;
    await publish(1, 3, 2);
    const positions = c
      .stream()
      .filter((m) => m.type === 'transaction')
      .map((m) => m.meta.TransactionIndex);
    expect(positions).toEqual([0, 1, 0, 2, 0, 1]);
    expect(counter - before).toBe(6);
  });

  it('sendRaw delivers arbitrary text and respondToUnknownId a response nobody asked for', async () => {
    const c = await watcher();
    fake.sendRaw('{"type": "transaction", ');
    fake.respondToUnknownId();
    await c.request({ command: 'ping' });
    expect(c.messages.some((m) => m.type === 'unparsable' && m.text === '{"type": "transaction", ')).toBe(
      true,
    );
    expect(c.messages.some((m) => m.type === 'response' && m.id === 'fake-unknown-1')).toBe(true);
  });

  it('runs scheduled actions just before a ledger is published', async () => {
    const c = await watcher();
    const next = fake.validatedLedgerIndex + 1;
    fake.at(next + 1, (f) => f.closeAll(1008, 'Policy error: client is too slow.'));
    fake.addLedger([payment()]);
    fake.addLedger([payment()]);
    await fake.publishAll();
    expect((await c.closed).code).toBe(1008);
    expect(summary(c)).toEqual([`L${next}`, `T${next}`]);
  });
});

describe('response faults', () => {
  it('delays one command while others answer at once', async () => {
    const c = await watcher();
    fake.delayCommand('server_info', 150);
    const slow = c.request({ command: 'server_info' });
    const fast = c.request({ command: 'ping' });
    const [slowResponse, fastResponse] = await Promise.all([slow, fast]);
    // Arrival order on the socket: the ping was asked second but answered first.
    expect(c.messages.indexOf(fastResponse)).toBeLessThan(c.messages.indexOf(slowResponse));
    expect(slowResponse.result.info.server_state).toBe('full');
  });

  it('ignores requests on demand and records every request', async () => {
    const c = await watcher();
    fake.ignoreRequests('account_info');
    const seen = fake.nextRequest('account_info');
    c.socket.send(JSON.stringify({ id: 99, command: 'account_info', account: SENDER }));
    expect((await seen).params).toEqual({ id: 99, command: 'account_info', account: SENDER });
    await c.request({ command: 'ping' });
    expect(c.messages.some((m) => m.id === 99)).toBe(false);
    expect(fake.requests.map((r) => r.command)).toEqual(['subscribe', 'account_info', 'ping']);
  });

  it('ignores requests about one account only, until told otherwise', async () => {
    const c = await watcher();
    fake.setAccountBalance(SENDER, 7_000_000n);
    fake.ignoreRequestsAbout(SENDER);
    c.socket.send(
      JSON.stringify({ id: 98, command: 'account_info', account: SENDER, ledger_index: 'validated' }),
    );
    const other = await c.request({
      command: 'account_info',
      account: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
      ledger_index: 'validated',
    });
    expect(other.error).toBe('actNotFound');
    expect(c.messages.some((m) => m.id === 98)).toBe(false);
    fake.ignoreRequestsAbout(SENDER, false);
    const answered = await c.request({ command: 'account_info', account: SENDER, ledger_index: 'validated' });
    expect(answered.result.account_data.Balance).toBe('7000000');
  });

  it('adds warning "load" to responses while loadWarning is on', async () => {
    const c = await watcher();
    fake.loadWarning(true);
    expect((await c.request({ command: 'ping' })).warning).toBe('load');
    fake.loadWarning(false);
    expect((await c.request({ command: 'ping' })).warning).toBeUndefined();
  });
});

describe('publishing', () => {
  it('auto-publishes pending ledgers, then empty ones, in order', async () => {
    const c = await watcher();
    const first = fake.validatedLedgerIndex + 1;
    fake.addLedger([payment()]);
    fake.startAutoPublish(5);
    await c.waitForCount('ledgerClosed', 4);
    fake.stopAutoPublish();
    const closed = c.stream().filter((m) => m.type === 'ledgerClosed');
    expect(closed.slice(0, 4).map((m) => m.ledger_index)).toEqual([first, first + 1, first + 2, first + 3]);
    expect(closed[1]!.txn_count).toBe(0);
  });

  it('delivers 10,000 messages in order with bounded buffering', async () => {
    fake = await restart({ highWaterMarkBytes: 16 * 1024 });
    const c = await RawClient.connect(fake.url);
    clients.push(c);
    await c.request({ command: 'subscribe', streams: ['transactions'], api_version: 2 });
    const hashes: string[] = [];
    for (let l = 0; l < 100; l++) {
      const txs = Array.from({ length: 100 }, payment);
      hashes.push(...txs.map((t) => t.hash));
      fake.addLedger(txs);
    }
    let maxBuffered = 0;
    const server = fake.connections[0]!.socket;
    fake.on('published', () => {
      maxBuffered = Math.max(maxBuffered, server.bufferedAmount);
    });
    await fake.publishAll();
    await fake.drain();
    await c.waitForCount('transaction', 10_000);
    expect(c.stream().map((m) => m.hash)).toEqual(hashes);
    // One message past the high-water mark at most (a Payment message is ~1.3 kB).
    expect(maxBuffered).toBeLessThan(16 * 1024 + 4096);
  });
});

describe('slow clients', () => {
  it('closes a client that stops reading with 1008, like rippled’s send queue limit', async () => {
    fake = await restart({ slowClientBytes: 256 * 1024 });
    const c = await RawClient.connect(fake.url);
    clients.push(c);
    await c.request({ command: 'subscribe', streams: ['transactions'], api_version: 2 });
    c.socket.pause();
    for (let l = 0; l < 20; l++) fake.addLedger(Array.from({ length: 500 }, payment));
    await fake.publishAll();
    c.socket.resume();
    expect(await c.closed).toEqual({ code: 1008, reason: 'Policy error: client is too slow.' });
    const received = c.stream().length;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(10_000);
  });
});

async function restart(options: Parameters<typeof FakeRippled.start>[0]): Promise<FakeRippled> {
  await fake.close();
  return FakeRippled.start(options);
}
