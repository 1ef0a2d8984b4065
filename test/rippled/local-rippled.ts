import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** What a test's responder returns: a result object (success), an `{error}` object (error answer),
 * `'default'` for the built-in answer, or `'silent'` to never answer. */
export type Reply = Record<string, unknown> | { readonly error: string } | 'default' | 'silent';

export interface ReceivedRequest {
  readonly raw: string;
  readonly message: Record<string, unknown>;
  readonly socket: WebSocket;
}

/** A small rippled stand-in for the client's own tests: a real ws server on 127.0.0.1, port 0, that
 * records every request, answers ping/subscribe/unsubscribe like rippled, publishes ledgerClosed to
 * ledger-stream subscribers, and lets a test script any answer or fault. */
export class LocalRippled {
  readonly requests: ReceivedRequest[] = [];
  readonly sockets = new Set<WebSocket>();
  /** performance.now() of every connection attempt, refused ones included. */
  readonly attempts: number[] = [];
  ledgerIndex = 1000;
  /** Stated in server_info, the subscribe answer and ledgerClosed, as rippled 2.6+ does. */
  networkId = 0;
  /** Reject the HTTP upgrade (the client sees a connect error) while true. */
  refuse = false;
  respond: (request: Record<string, unknown>, socket: WebSocket) => Reply = () => 'default';
  private readonly ledgerSubscribers = new Set<WebSocket>();
  private readonly server: WebSocketServer;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.ledgerSubscribers.delete(socket);
      });
      socket.on('message', (data) => this.receive(data.toString(), socket));
    });
  }

  static start(): Promise<LocalRippled> {
    return new Promise((resolve) => {
      let local: LocalRippled;
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        verifyClient: (_info, done) => {
          local.attempts.push(performance.now());
          done(!local.refuse, 503, 'refusing');
        },
      });
      server.on('listening', () => {
        local = new LocalRippled(server);
        resolve(local);
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  commands(name: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.message.command === name);
  }

  /** Sends a ledgerClosed for the next ledger to every ledger-stream subscriber. */
  publishLedger(): void {
    this.ledgerIndex += 1;
    const text = JSON.stringify({
      type: 'ledgerClosed',
      ledger_index: this.ledgerIndex,
      ledger_hash: 'AB'.repeat(32),
      network_id: this.networkId,
    });
    for (const socket of this.ledgerSubscribers) socket.send(text);
  }

  sendToAll(message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    for (const socket of this.sockets) socket.send(text);
  }

  closeAll(code: number, reason: string): void {
    for (const socket of this.sockets) socket.close(code, reason);
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(raw: string, socket: WebSocket): void {
    const message = JSON.parse(raw) as Record<string, unknown>;
    this.requests.push({ raw, message, socket });
    const reply = this.respond(message, socket);
    if (reply === 'silent') return;
    const answer = reply === 'default' ? this.defaultAnswer(message, socket) : reply;
    socket.send(JSON.stringify(envelope(message.id, answer)));
  }

  private defaultAnswer(message: Record<string, unknown>, socket: WebSocket): Record<string, unknown> {
    switch (message.command) {
      case 'ping':
      case 'unsubscribe':
        return {};
      case 'subscribe': {
        const streams = Array.isArray(message.streams) ? message.streams : [];
        if (!streams.includes('ledger')) return {};
        this.ledgerSubscribers.add(socket);
        return {
          ledger_index: this.ledgerIndex,
          ledger_hash: 'CD'.repeat(32),
          ledger_time: 800_000_000,
          network_id: this.networkId,
        };
      }
      case 'server_info':
        return { info: { network_id: this.networkId, validated_ledger: { age: 1, seq: this.ledgerIndex } } };
      default:
        return { error: 'unknownCmd' };
    }
  }
}

function envelope(id: unknown, answer: Record<string, unknown>): Record<string, unknown> {
  if (typeof answer.error === 'string') {
    return {
      id,
      status: 'error',
      type: 'response',
      error_code: 32,
      error_message: 'scripted error',
      ...answer,
    };
  }
  return { id, status: 'success', type: 'response', result: answer };
}
