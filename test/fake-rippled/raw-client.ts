import { once } from 'node:events';
import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: tests walk response JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

/**
 * A bare `ws` client for testing the fake: requests by id, and every other message kept in arrival
 * order so tests can assert on exactly what the server sent.
 */
export class RawClient {
  readonly messages: Json[] = [];
  private readonly counts = new Map<string, number>();
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: Array<() => void> = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      try {
        this.messages.push(JSON.parse(text) as Json);
      } catch {
        this.messages.push({ type: 'unparsable', text });
      }
      const type = String(this.messages.at(-1)!.type);
      this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static async connect(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    await once(socket, 'open');
    return new RawClient(socket);
  }

  /** Sends a request with a fresh id and resolves with the response carrying that id. */
  async request(body: Json): Promise<Json> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, ...body }));
    return this.waitFor((m) => m.type === 'response' && m.id === id);
  }

  /** Resolves with the first message (already received or future) matching the predicate. */
  async waitFor(predicate: (message: Json) => boolean): Promise<Json> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (this.socket.readyState !== WebSocket.OPEN) throw new Error('socket closed while waiting');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves once `count` messages of the given type have arrived; returns them all. */
  async waitForCount(type: string, count: number): Promise<Json[]> {
    for (;;) {
      if ((this.counts.get(type) ?? 0) >= count) return this.messages.filter((m) => m.type === type);
      if (this.socket.readyState !== WebSocket.OPEN) throw new Error('socket closed while waiting');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Stream messages (ledgerClosed, transaction) in arrival order. */
  stream(): Json[] {
    return this.messages.filter((m) => m.type === 'ledgerClosed' || m.type === 'transaction');
  }

  close(): void {
    this.socket.terminate();
  }
}
