/** Errors of the rippled connection: small classes with a literal `name`, so callers can switch on it. */

/** The server answered `status: "error"`; the fields are rippled's own. */
export class RippledError extends Error {
  override readonly name = 'RippledError';
  readonly error: string;
  readonly errorCode: number | null;
  readonly errorMessage: string | null;
  readonly response: Record<string, unknown>;

  constructor(response: Record<string, unknown>) {
    const error = typeof response.error === 'string' ? response.error : 'unknown';
    const errorMessage = typeof response.error_message === 'string' ? response.error_message : null;
    super(errorMessage === null ? `rippled error ${error}` : `rippled error ${error}: ${errorMessage}`);
    this.error = error;
    this.errorCode = typeof response.error_code === 'number' ? response.error_code : null;
    this.errorMessage = errorMessage;
    this.response = response;
  }

  /** rippled's names for these fields, for callers that mirror the wire format. */
  get error_code(): number | null {
    return this.errorCode;
  }

  get error_message(): string | null {
    return this.errorMessage;
  }
}

/** A response arrived but is not a rippled response (no status, no result object...). */
export class ResponseFormatError extends Error {
  override readonly name = 'ResponseFormatError';
  readonly response: unknown;

  constructor(message: string, response: unknown) {
    super(message);
    this.response = response;
  }
}

/** The request (or the connection attempt) did not complete in time. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly timeoutMs: number;

  constructor(what: string, timeoutMs: number) {
    super(`${what} timed out after ${timeoutMs}ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The socket closed while the request was pending, or before it could be sent. */
export class DisconnectedError extends Error {
  override readonly name = 'DisconnectedError';
  readonly code: number | null;

  constructor(message: string, code: number | null = null) {
    super(message);
    this.code = code;
  }
}

/** There is no live session to send the request on. */
export class NotConnectedError extends Error {
  override readonly name = 'NotConnectedError';
}

/** The WebSocket could not be opened (refused, DNS, TLS, HTTP status...). */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super(`cannot connect to ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.url = url;
  }
}
