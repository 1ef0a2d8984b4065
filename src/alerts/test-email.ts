import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.js';
import { duration, escapeHtml, isoTime, type MailMessage, MESSAGE_ID_DOMAIN } from './email.js';
import { createSmtpTransport, describeSmtpError, type SmtpTransportOptions } from './sinks/smtp.js';

export type TestEmailResult =
  | { readonly ok: true; readonly messageId: string }
  | { readonly ok: false; readonly reason: string };

export interface TestEmailOptions {
  readonly transport?: SmtpTransportOptions;
  /** Unix ms. @default Date.now() */
  readonly now?: number;
}

/**
 * Sends one test email to `email.to` through the configured SMTP server. Never throws: a failure is
 * `{ ok: false, reason }` with one line naming the cause (DNS, connection refused, TLS, authentication...).
 */
export async function sendTestEmail(
  config: Pick<Config, 'email' | 'rules' | 'accounts'>,
  options: TestEmailOptions = {},
): Promise<TestEmailResult> {
  const email = config.email;
  if (email === null) return { ok: false, reason: 'no email section in the configuration' };
  const transport = createSmtpTransport(email.smtp, { maxConnections: 0, ...options.transport });
  const mail = renderTestEmail(config, email.from, email.to, options.now ?? Date.now());
  try {
    await transport.send(mail);
    return { ok: true, messageId: mail.messageId };
  } catch (error) {
    return { ok: false, reason: describeSmtpError(error, email.smtp) };
  } finally {
    transport.close();
  }
}

function renderTestEmail(
  config: Pick<Config, 'rules' | 'accounts'>,
  from: string,
  to: readonly string[],
  now: number,
): MailMessage {
  const subject = '[XRPL] Test email from xrpl-payments-exporter';
  const lines = [
    'This is a test email: the SMTP settings of xrpl-payments-exporter work.',
    `Sent at: ${isoTime(Math.floor(now / 1000))}`,
    `Watched accounts: ${config.accounts.length}`,
    `Rules: ${config.rules.map((r) => `${r.name} (${r.kind}${r.windowMs === null ? '' : `, ${duration(r.windowMs)}`})`).join(', ') || 'none'}`,
  ];
  return {
    from,
    to,
    subject,
    text: `${lines.join('\n')}\n`,
    html: `<!DOCTYPE html><html><body>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`,
    messageId: `<test-${randomUUID()}@${MESSAGE_ID_DOMAIN}>`,
    headers: { 'X-XRPL-Alert-Kind': 'test' },
  };
}
