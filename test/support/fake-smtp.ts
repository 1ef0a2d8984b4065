/*
 * A real SMTP server on 127.0.0.1 port 0 (smtp-server + mailparser) for tests and benches: it collects
 * every accepted message, can refuse the next N messages with a 4xx or 5xx reply, refuse chosen
 * recipients at RCPT TO or chosen messages at the end of DATA (for as long as told), can require
 * authentication, and can speak STARTTLS or implicit TLS with a freshly generated self-signed certificate.
 * startHangingSmtp() is the opposite: a server that accepts connections and never says a word.
 */

import { type AddressInfo, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type ParsedMail, simpleParser } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface FakeSmtpOptions {
  /** Require AUTH with exactly these credentials (any other login is refused with 535). */
  readonly auth?: { readonly user: string; readonly password: string };
  /** 'none' (plain text, no STARTTLS offered), 'starttls', or 'implicit' TLS from the first byte. @default 'none' */
  readonly tls?: 'none' | 'starttls' | 'implicit';
}

export interface ReceivedMail {
  readonly parsed: ParsedMail;
  /** The message source as received (headers + body). */
  readonly raw: string;
  readonly envelope: { readonly from: string | null; readonly to: readonly string[] };
  /** Whether the session was encrypted (implicit TLS or after STARTTLS). */
  readonly secure: boolean;
  /** performance.now() when the message was accepted. */
  readonly receivedAt: number;
}

export interface FakeSmtp {
  readonly host: string;
  readonly port: number;
  /** The self-signed certificate (PEM) when TLS is on, for clients that want to trust it. */
  readonly cert: string | null;
  readonly messages: readonly ReceivedMail[];
  /** Logins refused so far. */
  readonly authFailures: number;
  /** Messages refused so far (by refuseNext). */
  readonly refused: number;
  /** Refuse the next `count` messages at end of DATA with this SMTP reply code. */
  refuseNext(count: number, code?: number): void;
  /** Refuse this recipient at RCPT TO with this reply code from now on; null accepts it again. */
  refuseRecipient(address: string, code: number | null): void;
  /** Refuse every message whose source matches at end of DATA with this reply code; null stops. */
  refuseMessages(match: RegExp | null, code?: number): void;
  /** Every DATA attempt so far: the message source and the reply code (250 when accepted). */
  readonly attempts: readonly { readonly raw: string; readonly code: number }[];
  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<readonly ReceivedMail[]>;
  onMessage(listener: (mail: ReceivedMail) => void): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const tlsMode = options.tls ?? 'none';
  const pems =
    tlsMode === 'none'
      ? null
      : await generate([{ name: 'commonName', value: 'localhost' }], {
          keySize: 2048,
          algorithm: 'sha256',
          extensions: [
            {
              name: 'subjectAltName',
              altNames: [
                { type: 7, ip: '127.0.0.1' },
                { type: 2, value: 'localhost' },
              ],
            },
          ],
        });
  const messages: ReceivedMail[] = [];
  const listeners: ((mail: ReceivedMail) => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let refuseCount = 0;
  const refusedRecipients = new Map<string, number>();
  let refusedMessages: { match: RegExp; code: number } | null = null;
  const attempts: { raw: string; code: number }[] = [];
  let refuseCode = 451;
  let refused = 0;
  let authFailures = 0;

  const disabledCommands = [
    ...(tlsMode === 'starttls' ? [] : ['STARTTLS']),
    ...(options.auth ? [] : ['AUTH']),
  ];
  const serverOptions: SMTPServerOptions = {
    secure: tlsMode === 'implicit',
    disabledCommands,
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected && auth.username === expected.user && auth.password === expected.password) {
        callback(null, { user: auth.username });
        return;
      }
      authFailures += 1;
      const error = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      const code = refusedRecipients.get(address.address);
      if (code === undefined) {
        callback();
        return;
      }
      const reply = code >= 500 ? 'No such user here' : 'Mailbox busy, try again later';
      callback(Object.assign(new Error(reply), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const source = raw.toString('utf8');
        const matched = refusedMessages?.match.test(source) ? refusedMessages : null;
        if (refuseCount > 0 || matched !== null) {
          if (matched === null) refuseCount -= 1;
          refused += 1;
          const code = matched?.code ?? refuseCode;
          attempts.push({ raw: source, code });
          const reply = code >= 500 ? 'Message rejected' : 'Try again later';
          callback(Object.assign(new Error(reply), { responseCode: code }));
          return;
        }
        attempts.push({ raw: source, code: 250 });
        simpleParser(raw).then(
          (parsed) => {
            const mail: ReceivedMail = {
              parsed,
              raw: raw.toString('utf8'),
              envelope: {
                from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              secure: session.secure,
              receivedAt: performance.now(),
            };
            messages.push(mail);
            for (const listener of listeners) listener(mail);
            for (const waiter of waiters.filter((w) => messages.length >= w.count)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve();
            }
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  };
  if (pems !== null) {
    serverOptions.key = pems.private;
    serverOptions.cert = pems.cert;
  }
  const server = new SMTPServer(serverOptions);
  server.on('error', () => {
    // Client-side resets (e.g. a TLS handshake a test makes fail on purpose) are expected here.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    cert: pems?.cert ?? null,
    messages,
    get authFailures() {
      return authFailures;
    },
    get refused() {
      return refused;
    },
    refuseNext(count, code = 451) {
      refuseCount = count;
      refuseCode = code;
    },
    refuseRecipient(address, code) {
      if (code === null) refusedRecipients.delete(address);
      else refusedRecipients.set(address, code);
    },
    refuseMessages(match, code = 554) {
      refusedMessages = match === null ? null : { match, code };
    },
    attempts,
    waitForMessages(count, timeoutMs = 20_000) {
      if (messages.length >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fake SMTP: ${messages.length} of ${count} messages after ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
    onMessage(listener) {
      listeners.push(listener);
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP server that accepts SMTP connections and never answers (no greeting, nothing). */
export interface HangingSmtp {
  readonly port: number;
  /** Connections accepted and still open. */
  readonly open: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startHangingSmtp(): Promise<HangingSmtp> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    get open() {
      return sockets.size;
    },
    get accepted() {
      return accepted;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
