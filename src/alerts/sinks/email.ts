/*
 * The email sink: renders a notification and hands it to SMTP, then says how it went per recipient.
 * SMTP reply classes (RFC 5321 §4.2.1): 5yz is a permanent negative completion (retrying the same
 * message cannot help), 4yz a transient one. A failure with no reply at all (connection refused,
 * timeout, TLS) or a refused login is the server's or the config's problem, not the message's: the
 * whole SMTP target waits and retries.
 */

import { headline, type MailMessage } from '../email.js';
import type { Notification } from '../types.js';
import type { OutboxEntry } from './outbox.js';
import { type MailTransport, type RejectedRecipient, type SendReport, SmtpSendError } from './smtp.js';
import type { Delivery, Refusal, Sink } from './types.js';

/** What the email outbox holds: the notification, and the recipients still to reach once some were done. */
export interface EmailItem {
  readonly notification: Notification;
  /** Null: every recipient of the rendered email. */
  readonly recipients: readonly string[] | null;
}

/** Email has one target, the configured SMTP server. */
export const EMAIL_TARGET = 'smtp';

export function emailEntry(notification: Notification): OutboxEntry<EmailItem> {
  return {
    key: notification.key,
    target: EMAIL_TARGET,
    rule: notification.rule.name,
    payload: { notification, recipients: null },
    mode: 'once',
  };
}

export function describeEmail(item: EmailItem): string {
  const n = item.notification;
  const state = n.kind === 'payment' ? '' : `${n.kind === 'resolved' ? 'resolved' : 'firing'} `;
  return `${state}${n.rule.name}: ${headline(n)}`;
}

export function createEmailSink(
  transport: MailTransport,
  render: (notification: Notification) => MailMessage,
): Sink<EmailItem> {
  return {
    batchSize: 1,
    async deliver(_target, items) {
      const [item] = items;
      if (item === undefined) return { status: 'delivered', refused: [] };
      const rendered = render(item.notification);
      const mail = item.recipients === null ? rendered : { ...rendered, to: item.recipients };
      try {
        return fromReport(item, await transport.send(mail));
      } catch (error) {
        return fromError(item, error);
      }
    },
    close: () => transport.close(),
  };
}

function fromReport(item: EmailItem, report: SendReport): Delivery<EmailItem> {
  return byRecipient(item, report.rejected, true) ?? { status: 'delivered', refused: [] };
}

function fromError(item: EmailItem, error: unknown): Delivery<EmailItem> {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof SmtpSendError)) {
    return { status: 'failed', permanent: false, scope: 'target', error: message, refused: [] };
  }
  if (error.code === 'EENVELOPE' && error.rejected.length > 0) {
    const split = byRecipient(item, error.rejected, false);
    if (split !== null) return split;
  }
  const code = error.responseCode;
  if (error.code === 'EAUTH' || code === null) {
    return { status: 'failed', permanent: false, scope: 'target', error: message, refused: [] };
  }
  return { status: 'failed', permanent: code >= 500, scope: 'item', error: message, refused: [] };
}

/**
 * Recipients refused at RCPT TO: 5xx ones are reported and dropped, 4xx ones retried. Null when none was
 * refused (with `accepted`), or, when none was accepted, when every refusal was final and the email is lost.
 */
function byRecipient(
  item: EmailItem,
  rejected: readonly RejectedRecipient[],
  accepted: boolean,
): Delivery<EmailItem> | null {
  const final = rejected.filter((r) => r.responseCode !== null && r.responseCode >= 500);
  const later = rejected.filter((r) => !final.includes(r));
  const refused: Refusal[] = final.map((r) => ({ recipient: r.recipient, reply: r.reply }));
  if (later.length > 0) {
    return {
      status: 'partial',
      accepted,
      refused,
      retry: { ...item, recipients: later.map((r) => r.recipient) },
      error: `refused for now: ${later.map((r) => `${r.recipient} (${r.reply})`).join(', ')}`,
    };
  }
  if (accepted) return rejected.length === 0 ? null : { status: 'delivered', refused };
  return {
    status: 'failed',
    permanent: true,
    scope: 'item',
    error: `every recipient refused: ${final.map((r) => `${r.recipient} (${r.reply})`).join(', ')}`,
    refused,
  };
}
