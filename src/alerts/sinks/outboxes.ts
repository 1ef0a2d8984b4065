/* The two outboxes, each one sink with the outbox discipline around it. */

import type { AlertmanagerConfig } from '../../config/types.js';
import type { MailMessage } from '../email.js';
import type { Notification } from '../types.js';
import { createAlertmanagerSink } from './alertmanager.js';
import { type AmAlert, describeAmAlert } from './alertmanager-alerts.js';
import { createEmailSink, describeEmail, type EmailItem } from './email.js';
import { Outbox, type OutboxOptions } from './outbox.js';
import type { MailTransport } from './smtp.js';
import { isAmAlert, isEmailItem } from './snapshot.js';

type Tuning<P> = Omit<OutboxOptions<P>, 'name' | 'sink' | 'describe' | 'isPayload'>;

export function emailOutbox(
  transport: MailTransport,
  render: (notification: Notification) => MailMessage,
  tuning: Tuning<EmailItem> = {},
): Outbox<EmailItem> {
  return new Outbox<EmailItem>({
    ...tuning,
    name: 'email',
    sink: createEmailSink(transport, render),
    describe: describeEmail,
    isPayload: isEmailItem,
  });
}

export function alertmanagerOutbox(
  config: AlertmanagerConfig,
  tuning: Tuning<AmAlert> & { readonly fetch?: typeof fetch } = {},
): Outbox<AmAlert> {
  const now = tuning.now ?? Date.now;
  return new Outbox<AmAlert>({
    ...tuning,
    name: 'alertmanager',
    sink: createAlertmanagerSink({
      config,
      now,
      ...(tuning.fetch === undefined ? {} : { fetch: tuning.fetch }),
    }),
    describe: describeAmAlert,
    isPayload: isAmAlert,
  });
}
