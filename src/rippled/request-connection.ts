import WebSocket from 'ws';
import { isRecord } from '../json.js';
import { type Logger, silentLogger } from '../log.js';
import {
  ConnectError,
  DisconnectedError,
  ResponseFormatError,
  RippledError,
  TimeoutError,
} from './errors.js';

/** Our own closes use this code (4000-4999 are for applications, RFC 6455 §7.4.2), so logs and the
 * server can tell them from drops. */
export const INTENTIONAL_CLOSE_CODE = 4000;

/** rippled writes no cap on response size (large account_tx / ledger answers), so the default is generous. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export type RippledCommand = { readonly command: string } & Readonly<Record<string, unknown>>;
export type RippledResult = Record<string, unknown>;
export type RippledMessage = Record<string, unknown>;

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  /** True when we closed it with close(); false for drops, terminate() and server closes. */
  readonly intentional: boolean;
  /** The socket error that preceded the close, if any. */
  readonly error: string | null;
}

export interface RequestConnectionOptions {
  /** Deadline for TCP + TLS + the HTTP upgrade. @default 10_000 */
  readonly timeoutMs?: number;
  /** Per-request deadline; only the late request is rejected. @default 20_000 */
  readonly requestTimeoutMs?: number;
  /** A larger incoming message closes the socket (ws maxPayload). @default 64 MiB */
  readonly maxMessageBytes?: number;
  /** Stamped as `api_version` on every request that does not carry one. @default none */
  readonly apiVersion?: number;
  /** How long close() waits for the server's close frame before destroying the socket. @default 2_000 */
  readonly closeTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Every message without an `id` (streams: ledgerClosed, transaction, ...), synchronously, in arrival order. */
  readonly onMessage?: (message: RippledMessage) => void;
  /** Malformed JSON, non-objects, responses to unknown ids, malformed responses, oversized messages. */
  readonly onInvalid?: (reason: string) => void;
  /** A response carried `warning` (rippled says "load" when the client nears its rate limit). */
  readonly onWarning?: (warning: string, response: RippledMessage) => void;
  readonly onClose?: (info: CloseInfo) => void;
}

interface Pending {
  readonly command: string;
  readonly resolve: (result: RippledResult) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One WebSocket to one rippled server: requests matched to responses by numeric id, stream messages
 * handed on in arrival order. It never reconnects; RippledClient owns that policy. */
export class RequestConnection {
  readonly url: string;
  private readonly ws: WebSocket;
  private readonly options: RequestConnectionOptions;
  private readonly logger: Logger;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closeRequested = false;
  private lastError: string | null = null;
  private readonly closed: Promise<void>;

  static connect(url: string, options: RequestConnectionOptions = {}): Promise<RequestConnection> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new DisconnectedError(`connect to ${url} aborted`));
        return;
      }
      let ws: WebSocket;
      try {
        // ws 8.23 reads closeTimeout (how long to wait for the peer's close frame); @types/ws lacks it.
        const socketOptions: WebSocket.ClientOptions & { closeTimeout: number } = {
          maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
          closeTimeout: options.closeTimeoutMs ?? 2_000,
        };
        ws = new WebSocket(url, socketOptions);
      } catch (error) {
        reject(new ConnectError(url, error));
        return;
      }
      const settle = (error: Error | null): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('error', onError);
        ws.off('close', onEarlyClose);
        if (error === null) {
          resolve(new RequestConnection(url, ws, options));
          return;
        }
        // Errors after we gave up (e.g. the terminate below) must not become uncaught 'error' events.
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      };
      const onOpen = (): void => settle(null);
      const onError = (error: Error): void => settle(new ConnectError(url, error));
      const onEarlyClose = (code: number): void =>
        settle(new ConnectError(url, new Error(`closed with code ${code} before opening`)));
      const onAbort = (): void => settle(new DisconnectedError(`connect to ${url} aborted`));
      const timer = setTimeout(() => settle(new TimeoutError(`connect to ${url}`, timeoutMs)), timeoutMs);
      timer.unref();
      ws.on('open', onOpen);
      ws.on('error', onError);
      ws.on('close', onEarlyClose);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private constructor(url: string, ws: WebSocket, options: RequestConnectionOptions) {
    this.url = url;
    this.ws = ws;
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('error', (error: Error & { code?: string }) => {
      this.lastError = error.message;
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.report(
          `message larger than ${options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES} bytes; closing`,
        );
      }
    });
    ws.on('close', (code, reasonBuffer) => this.onSocketClose(code, reasonBuffer.toString()));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends `cmd` with a fresh numeric id; resolves with `result`, rejects with RippledError (status
   * error), TimeoutError (this request only), DisconnectedError (socket closed) or ResponseFormatError. */
  request(cmd: RippledCommand, options: { timeoutMs?: number } = {}): Promise<RippledResult> {
    if (!this.isOpen) {
      return Promise.reject(new DisconnectedError(`not connected to ${this.url}`));
    }
    const id = this.nextId++;
    const body: Record<string, unknown> = { ...cmd, id };
    if (this.options.apiVersion !== undefined && body.api_version === undefined) {
      body.api_version = this.options.apiVersion;
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`${cmd.command} request to ${this.url}`, timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { command: cmd.command, resolve, reject, timer });
      this.ws.send(JSON.stringify(body), (error) => {
        if (error) this.settle(id, new DisconnectedError(`send to ${this.url} failed: ${error.message}`));
      });
    });
  }

  /** Closes with a close frame (our intentional code by default) and resolves once the socket is closed. */
  close(code: number = INTENTIONAL_CLOSE_CODE, reason = 'client closing'): Promise<void> {
    this.closeRequested = true;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    else if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    return this.closed;
  }

  /** Destroys the socket at once: for a connection we no longer trust (failed heartbeat, stale stream). */
  terminate(): Promise<void> {
    this.ws.terminate();
    return this.closed;
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    const text = rawDataToString(data);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.report(`malformed JSON${isBinary ? ' (binary frame)' : ''}: ${excerpt(text)}`);
      return;
    }
    if (!isRecord(message)) {
      this.report(`message is not a JSON object: ${excerpt(text)}`);
      return;
    }
    const object = message as RippledMessage;
    if ('id' in object) {
      this.receiveResponse(object);
      return;
    }
    if (object.type === 'response') {
      // rippled answers some unparsable requests (jsonInvalid) without echoing an id.
      this.report(`response without id: ${excerpt(text)}`);
      return;
    }
    try {
      this.options.onMessage?.(object);
    } catch (error) {
      this.logger.error('stream message handler threw', { server: this.url, err: error });
    }
  }

  private receiveResponse(response: RippledMessage): void {
    const id = response.id;
    if (typeof id !== 'number' || !this.pending.has(id)) {
      this.report(`response to unknown or expired request id ${excerpt(JSON.stringify(id) ?? 'undefined')}`);
      return;
    }
    if (typeof response.warning === 'string') {
      try {
        this.options.onWarning?.(response.warning, response);
      } catch (error) {
        this.logger.error('warning handler threw', { server: this.url, err: error });
      }
    }
    const result = response.result;
    if (response.status === 'success' && isRecord(result)) {
      this.settle(id, result);
    } else if (response.status === 'error' || typeof response.error === 'string') {
      this.settle(id, new RippledError(response));
    } else {
      const command = this.pending.get(id)?.command ?? '?';
      this.report(`malformed response to ${command} (id ${id})`);
      this.settle(id, new ResponseFormatError(`malformed response to ${command} from ${this.url}`, response));
    }
  }

  private settle(id: number, outcome: RippledResult | Error): void {
    const entry = this.pending.get(id);
    if (entry === undefined) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome);
  }

  private onSocketClose(code: number, reason: string): void {
    const error = new DisconnectedError(
      `connection to ${this.url} closed (code ${code}${reason ? `, ${reason}` : ''})`,
      code,
    );
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    try {
      this.options.onClose?.({ code, reason, intentional: this.closeRequested, error: this.lastError });
    } catch (handlerError) {
      this.logger.error('close handler threw', { server: this.url, err: handlerError });
    }
  }

  private report(reason: string): void {
    try {
      this.options.onInvalid?.(reason);
    } catch (error) {
      this.logger.error('invalid-message handler threw', { server: this.url, err: error });
    }
  }
}

export function rawDataToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Enough of a bad message to recognise it in a log line, never the whole (possibly huge) payload. */
function excerpt(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}
