/*
 * The SMTP edge: a nodemailer transport built from the config, and one-line explanations of SMTP
 * failures. Errors leaving this module never carry the password (nor nodemailer's AUTH command, whose
 * argument is the base64 of the credentials): they are rebuilt from a description and a few safe fields.
 */

import nodemailer from 'nodemailer';
import type { SmtpConfig } from '../../config/types.js';
import type { MailMessage } from '../email.js';

export interface MailTransport {
  /** Resolves when the server accepted the message for at least one recipient; throws SmtpSendError otherwise. */
  send(mail: MailMessage): Promise<SendReport>;
  close(): void;
}

/** A recipient the server refused at RCPT TO. */
export interface RejectedRecipient {
  readonly recipient: string;
  /** The SMTP reply code (5xx: for good; 4xx: try again later), or null when the server gave none. */
  readonly responseCode: number | null;
  /** The reply, one line, secret-free. */
  readonly reply: string;
}

/** Per-recipient outcome of an accepted message. */
export interface SendReport {
  readonly accepted: readonly string[];
  readonly rejected: readonly RejectedRecipient[];
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
    /** When every recipient was refused (nodemailer's EENVELOPE): each one with its reply. */
    readonly rejected: readonly RejectedRecipient[] = [],
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
        const info = await transporter.sendMail({
          from: mail.from,
          to: [...mail.to],
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          headers: { ...mail.headers },
        });
        return {
          accepted: addresses(info.accepted),
          rejected: rejectedRecipients(info as RejectionFields, secrets),
        };
      } catch (error) {
        throw toSendError(error, smtp, secrets);
      }
    },
    close() {
      transporter.close();
    },
  };
}

/** nodemailer's per-recipient fields, on a sent message's info and on an EENVELOPE error alike. */
interface RejectionFields {
  readonly rejected?: unknown;
  readonly rejectedErrors?: unknown;
}

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((a) => (typeof a === 'string' ? a : String((a as { address?: unknown })?.address ?? a)));
}

function rejectedRecipients(fields: RejectionFields | null, secrets: readonly string[]): RejectedRecipient[] {
  const errors = Array.isArray(fields?.rejectedErrors) ? (fields.rejectedErrors as unknown[]) : [];
  const byRecipient = new Map<string, RejectedRecipient>();
  for (const error of errors) {
    const e = (error ?? {}) as {
      recipient?: unknown;
      responseCode?: unknown;
      response?: unknown;
      message?: unknown;
    };
    if (typeof e.recipient !== 'string') continue;
    const reply =
      typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : '';
    byRecipient.set(e.recipient, {
      recipient: e.recipient,
      responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
      reply: redact(oneLine(reply), secrets),
    });
  }
  for (const recipient of addresses(fields?.rejected)) {
    if (!byRecipient.has(recipient))
      byRecipient.set(recipient, { recipient, responseCode: null, reply: 'refused' });
  }
  return [...byRecipient.values()];
}

function toSendError(error: unknown, smtp: SmtpConfig, secrets: readonly string[]): SmtpSendError {
  const fields = error as ({ code?: unknown; responseCode?: unknown } & RejectionFields) | null;
  const code = typeof fields?.code === 'string' ? fields.code : null;
  const responseCode = typeof fields?.responseCode === 'number' ? fields.responseCode : null;
  return new SmtpSendError(
    redact(describeSmtpError(error, smtp), secrets),
    code,
    responseCode,
    rejectedRecipients(fields, secrets),
  );
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
