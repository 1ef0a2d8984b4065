/*
 * The SMTP edge: a nodemailer transport built from the config, and one-line explanations of SMTP
 * failures. Errors leaving this module never carry the password (nor nodemailer's AUTH command, whose
 * argument is the base64 of the credentials): they are rebuilt from a description and a few safe fields.
 */

import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../config/types.js';
import type { MailMessage } from './email.js';

export interface MailTransport {
  send(mail: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpTransportOptions {
  /** Verify the server certificate (implicit TLS and STARTTLS). @default true */
  readonly rejectUnauthorized?: boolean;
  /** Extra trusted CA certificates (PEM), e.g. a private mail relay's. */
  readonly ca?: string;
  /** @default 10000 */
  readonly connectionTimeoutMs?: number;
  /** @default 10000 */
  readonly greetingTimeoutMs?: number;
  /** @default 30000 */
  readonly socketTimeoutMs?: number;
  /** Keep up to this many connections open for bursts; 0 = a new connection per message. @default 4 */
  readonly maxConnections?: number;
}

/** A send failure with a one-line, secret-free message. */
export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
  constructor(
    message: string,
    readonly code: string | null,
    readonly responseCode: number | null,
  ) {
    super(message);
  }
}

export function createSmtpTransport(smtp: SmtpConfig, options: SmtpTransportOptions = {}): MailTransport {
  const maxConnections = options.maxConnections ?? 4;
  const common = {
    host: smtp.host,
    port: smtp.port,
    // true: TLS from the first byte (port 465); false: upgrade with STARTTLS when the server offers it.
    secure: smtp.secure,
    auth: smtp.user === null ? undefined : { user: smtp.user, pass: smtp.password ?? '' },
    connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    greetingTimeout: options.greetingTimeoutMs ?? 10_000,
    socketTimeout: options.socketTimeoutMs ?? 30_000,
    tls: {
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const transporter =
    maxConnections > 0
      ? nodemailer.createTransport({ ...common, pool: true, maxConnections })
      : nodemailer.createTransport(common);
  const secrets = [smtp.password].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    async send(mail) {
      try {
        await transporter.sendMail({
          from: mail.from,
          to: [...mail.to],
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: { ...mail.headers },
        });
      } catch (error) {
        throw toSendError(error, smtp, secrets);
      }
    },
    close() {
      transporter.close();
    },
  };
}

function toSendError(error: unknown, smtp: SmtpConfig, secrets: readonly string[]): SmtpSendError {
  const fields = error as { code?: unknown; responseCode?: unknown } | null;
  const code = typeof fields?.code === 'string' ? fields.code : null;
  const responseCode = typeof fields?.responseCode === 'number' ? fields.responseCode : null;
  return new SmtpSendError(redact(describeSmtpError(error, smtp), secrets), code, responseCode);
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('<secret>');
  return out;
}

/** One clear line: what failed (DNS, connection refused, timeout, TLS, authentication, rejection) and a hint. */
export function describeSmtpError(error: unknown, where?: Pick<SmtpConfig, 'host' | 'port'>): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : '';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const raw =
    error instanceof Error ? error.message : typeof e.message === 'string' ? e.message : String(error);
  const message = oneLine(typeof e.reason === 'string' && e.reason !== '' ? e.reason : raw);
  const target = where === undefined ? 'the SMTP server' : `${where.host}:${where.port}`;
  const host = where?.host ?? 'the SMTP host';

  if (error instanceof SmtpSendError) return error.message;
  if (code === 'EDNS' || /ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(raw)) {
    const dnsCode = /EAI_AGAIN/.test(raw) ? 'EAI_AGAIN, temporary' : 'ENOTFOUND';
    return `DNS: cannot resolve SMTP host "${host}" (${dnsCode}); check smtp.host`;
  }
  if (/ECONNREFUSED/.test(raw) || code === 'ECONNREFUSED') {
    return `connection refused by ${target}: is the SMTP server running and is smtp.port right?`;
  }
  if (/wrong version number|packet length too long|unknown protocol/i.test(raw)) {
    return `TLS: ${target} does not speak TLS on connect (${message}); use secure: false (STARTTLS) or the implicit TLS port (465)`;
  }
  if (/certificate|self[- ]signed|unable to verify|CERT_|altnames|hostname\/IP does not match/i.test(raw)) {
    return `TLS: the certificate of ${target} is not trusted (${message})`;
  }
  if (code === 'ETLS' || /\bSSL\b|\bTLS\b|handshake/i.test(raw))
    return `TLS: handshake with ${target} failed (${message})`;
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 534 || responseCode === 530) {
    return `authentication failed at ${target}: ${message}; check smtp.user and smtp.password`;
  }
  if (code === 'ETIMEDOUT' || /timed? ?out|Greeting never received/i.test(raw)) {
    return `timeout talking to ${target} (${message}); with an implicit TLS port (465) set secure: true`;
  }
  if (/ECONNRESET|EPIPE|socket hang up/.test(raw)) return `connection to ${target} was reset (${message})`;
  if (responseCode !== null) {
    const kind = responseCode >= 500 ? 'rejected' : 'temporarily refused';
    return `${target} ${kind} the message: ${message}`;
  }
  return `SMTP error at ${target}: ${message}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
