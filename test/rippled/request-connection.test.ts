import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ConnectError,
  DisconnectedError,
  ResponseFormatError,
  RippledError,
  TimeoutError,
} from '../../src/rippled/errors.js';
import {
  type CloseInfo,
  INTENTIONAL_CLOSE_CODE,
  RequestConnection,
  type RequestConnectionOptions,
} from '../../src/rippled/request-connection.js';
import { LocalRippled } from './local-rippled.js';

let server: LocalRippled;
const open: RequestConnection[] = [];

beforeEach(async () => {
  server = await LocalRippled.start();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await server.close();
});

async function connect(options: RequestConnectionOptions = {}): Promise<RequestConnection> {
  const connection = await RequestConnection.connect(server.url, { timeoutMs: 2_000, ...options });
  open.push(connection);
  return connection;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('requests', () => {
  test('answers are matched by id even when they arrive out of order', async () => {
    server.respond = () => 'silent';
    const connection = await connect();
    const answers = [1, 2, 3].map((n) => connection.request({ command: 'echo', n }));
    await until(() => server.requests.length === 3, 'three requests');
    for (const { message, socket } of [...server.requests].reverse()) {
      socket.send(
        JSON.stringify({ id: message.id, status: 'success', type: 'response', result: { n: message.n } }),
      );
    }
    expect(await Promise.all(answers)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(new Set(server.requests.map((r) => r.message.id)).size).toBe(3);
  });

  test('every request carries the configured api_version unless it has its own', async () => {
    const connection = await connect({ apiVersion: 2 });
    await connection.request({ command: 'ping' });
    await connection.request({ command: 'ping', api_version: 1 });
    expect(server.requests.map((r) => r.message.api_version)).toEqual([2, 1]);
  });

  test('an error answer rejects with RippledError carrying rippled fields', async () => {
    server.respond = () => ({ error: 'actNotFound', error_code: 19, error_message: 'Account not found.' });
    const connection = await connect();
    const error = await connection.request({ command: 'account_info' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RippledError);
    expect(error).toMatchObject({
      name: 'RippledError',
      error: 'actNotFound',
      error_code: 19,
      error_message: 'Account not found.',
    });
  });

  test('a success answer without a result object rejects and is reported invalid', async () => {
    server.respond = (_request, socket) => {
      socket.send(JSON.stringify({ id: server.requests.at(-1)?.message.id, status: 'success', result: 'x' }));
      return 'silent';
    };
    const invalid: string[] = [];
    const connection = await connect({ onInvalid: (reason) => invalid.push(reason) });
    await expect(connection.request({ command: 'ping' })).rejects.toBeInstanceOf(ResponseFormatError);
    expect(invalid).toEqual(['malformed response to ping (id 1)']);
  });

  test('a closed socket rejects everything pending with DisconnectedError', async () => {
    server.respond = () => 'silent';
    const closes: CloseInfo[] = [];
    const connection = await connect({ onClose: (info) => closes.push(info) });
    const pending = [connection.request({ command: 'a' }), connection.request({ command: 'b' })];
    await until(() => server.requests.length === 2, 'two requests');
    server.closeAll(1001, 'going away');
    const results = await Promise.allSettled(pending);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DisconnectedError);
    }
    expect(connection.pendingCount).toBe(0);
    expect(closes).toEqual([{ code: 1001, reason: 'going away', intentional: false, error: null }]);
    await expect(connection.request({ command: 'ping' })).rejects.toBeInstanceOf(DisconnectedError);
  });

  test('a timeout rejects only that request; its late answer is reported, not fatal', async () => {
    server.respond = (request) => (request.command === 'slow' ? 'silent' : 'default');
    const invalid: string[] = [];
    const connection = await connect({ requestTimeoutMs: 50, onInvalid: (reason) => invalid.push(reason) });
    const slow = connection.request({ command: 'slow' });
    const slowError = await slow.catch((e: unknown) => e);
    expect(slowError).toBeInstanceOf(TimeoutError);
    expect(connection.pendingCount).toBe(0);
    const late = server.commands('slow')[0]!;
    late.socket.send(
      JSON.stringify({ id: late.message.id, status: 'success', type: 'response', result: {} }),
    );
    expect(await connection.request({ command: 'ping' }, { timeoutMs: 5_000 })).toEqual({});
    expect(invalid).toEqual([`response to unknown or expired request id ${late.message.id}`]);
  });

  test('a timeout leaves other pending requests alone', async () => {
    server.respond = () => 'silent';
    const connection = await connect({ requestTimeoutMs: 5_000 });
    const patient = connection.request({ command: 'patient' });
    const hasty = connection.request({ command: 'hasty' }, { timeoutMs: 30 });
    await expect(hasty).rejects.toBeInstanceOf(TimeoutError);
    const request = server.commands('patient')[0]!;
    request.socket.send(JSON.stringify({ id: request.message.id, status: 'success', result: { ok: true } }));
    expect(await patient).toEqual({ ok: true });
  });

  test('a load warning on a response is passed on', async () => {
    server.respond = (request, socket) => {
      socket.send(JSON.stringify({ id: request.id, status: 'success', warning: 'load', result: {} }));
      return 'silent';
    };
    const warnings: string[] = [];
    const connection = await connect({ onWarning: (warning) => warnings.push(warning) });
    await connection.request({ command: 'ping' });
    expect(warnings).toEqual(['load']);
  });
});

describe('stream messages and bad input', () => {
  test('messages without an id reach onMessage in arrival order', async () => {
    const messages: unknown[] = [];
    await connect({ onMessage: (m) => messages.push(m) });
    const sent = Array.from({ length: 50 }, (_, i) => ({
      type: i % 2 ? 'transaction' : 'ledgerClosed',
      seq: i,
    }));
    for (const message of sent) server.sendToAll(message);
    await until(() => messages.length === sent.length, 'all messages');
    expect(messages).toEqual(sent);
  });

  test('malformed JSON, non-objects and id-less responses are reported, and the socket stays usable', async () => {
    const invalid: string[] = [];
    const messages: unknown[] = [];
    const connection = await connect({
      onInvalid: (r) => invalid.push(r),
      onMessage: (m) => messages.push(m),
    });
    server.sendToAll('{"type": "ledgerClosed",');
    server.sendToAll('[1,2]');
    server.sendToAll('42');
    server.sendToAll({ type: 'response', status: 'error', error: 'jsonInvalid' });
    server.sendToAll({ id: 'abc', result: {} });
    await until(() => invalid.length === 5, 'five reports');
    expect(invalid).toEqual([
      'malformed JSON: {"type": "ledgerClosed",',
      'message is not a JSON object: [1,2]',
      'message is not a JSON object: 42',
      'response without id: {"type":"response","status":"error","error":"jsonInvalid"}',
      'response to unknown or expired request id "abc"',
    ]);
    expect(messages).toEqual([]);
    expect(await connection.request({ command: 'ping' })).toEqual({});
  });

  test('a handler that throws does not break the connection', async () => {
    const connection = await connect({
      onMessage: () => {
        throw new Error('handler bug');
      },
    });
    server.sendToAll({ type: 'ledgerClosed' });
    expect(await connection.request({ command: 'ping' })).toEqual({});
  });

  test('a message larger than maxMessageBytes closes the socket and is reported', async () => {
    const invalid: string[] = [];
    const closes: CloseInfo[] = [];
    const connection = await connect({
      maxMessageBytes: 1_000,
      onInvalid: (r) => invalid.push(r),
      onClose: (info) => closes.push(info),
    });
    server.sendToAll({ type: 'transaction', padding: 'x'.repeat(2_000) });
    await until(() => closes.length === 1, 'close');
    expect(invalid).toEqual(['message larger than 1000 bytes; closing']);
    expect(closes[0]?.intentional).toBe(false);
    expect(closes[0]?.error).toBe('Max payload size exceeded');
    expect(connection.isOpen).toBe(false);
  });
});

describe('connecting and closing', () => {
  test('close() sends the intentional close code', async () => {
    const closes: CloseInfo[] = [];
    const connection = await connect({ onClose: (info) => closes.push(info) });
    const socket = [...server.sockets][0]!;
    const seen = once(socket, 'close');
    await connection.close();
    const [code] = await seen;
    expect(code).toBe(INTENTIONAL_CLOSE_CODE);
    expect(closes[0]).toMatchObject({ code: INTENTIONAL_CLOSE_CODE, intentional: true });
  });

  test('a refused upgrade rejects with ConnectError', async () => {
    server.refuse = true;
    const error = await RequestConnection.connect(server.url, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain('503');
  });

  test('a server that never completes the handshake times out', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const error = await RequestConnection.connect(url, { timeoutMs: 100 }).catch((e: unknown) => e);
    for (const socket of sockets) socket.destroy();
    silent.close();
    expect(error).toBeInstanceOf(TimeoutError);
  });

  test('an invalid URL rejects instead of throwing', async () => {
    await expect(RequestConnection.connect('not a url')).rejects.toBeInstanceOf(ConnectError);
  });

  test('an abort signal cancels a pending connect', async () => {
    const controller = new AbortController();
    const pending = RequestConnection.connect('ws://10.255.255.1:9', {
      signal: controller.signal,
      timeoutMs: 5_000,
    });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(DisconnectedError);
  });
});
