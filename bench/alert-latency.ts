/*
 * Alert latency: from a PaymentEvent handed to the rule evaluation (evaluate + enqueue) to the email
 * accepted by a local SMTP server (smtp-server on 127.0.0.1, through nodemailer and the outbox).
 * Two runs: one payment at a time (latency alone) and a burst of qualifying payments (latency with queueing).
 */

import { performance } from 'node:perf_hooks';
import Big from 'big.js';
import { renderEmail } from '../src/alerts/email.js';
import { type AlertState, evaluate, initialAlertState } from '../src/alerts/rules.js';
import { emailEntry } from '../src/alerts/sinks/email.js';
import { emailOutbox } from '../src/alerts/sinks/outboxes.js';
import { createSmtpTransport } from '../src/alerts/sinks/smtp.js';
import type { PaymentEvent } from '../src/alerts/types.js';
import type { RuleConfig } from '../src/config/types.js';
import { startFakeSmtp } from '../test/support/fake-smtp.js';

const ACCOUNT = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const SENDER = 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8';
const RULE: RuleConfig = {
  name: 'large-xrp-payment',
  kind: 'payment',
  threshold: new Big(1000),
  windowMs: null,
  currency: 'XRP',
  issuer: null,
  accounts: null,
  from: null,
  destinationTag: null,
  cooldownMs: 0,
  to: null,
  notify: ['email'],
  labels: {},
};

export async function runAlertLatencyBench(
  options: { sequential?: number; burst?: number } = {},
): Promise<string> {
  const sequential = options.sequential ?? 200;
  const burst = options.burst ?? 500;
  const smtp = await startFakeSmtp();
  const transport = createSmtpTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: null,
    password: null,
  });
  const context = {
    explorerUrl: 'https://testnet.xrpl.org/transactions/{hash}',
    from: 'alerts@example.com',
    to: ['ops@example.com'],
  };
  const outbox = emailOutbox(transport, (n) => renderEmail(n, context));
  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  let onAccepted: (() => void) | null = null;
  smtp.onMessage((mail) => {
    const started = mail.parsed.messageId === undefined ? undefined : startedAt.get(mail.parsed.messageId);
    if (started !== undefined) latencies.push(mail.receivedAt - started);
    onAccepted?.();
  });

  const setup = { rules: [RULE], accounts: [{ address: ACCOUNT, name: 'faucet' }] };
  let state: AlertState = initialAlertState();
  let serial = 0;
  const submit = (): void => {
    serial += 1;
    const event: PaymentEvent = {
      account: ACCOUNT,
      accountName: 'faucet',
      asset: { kind: 'xrp' },
      value: new Big('1500.000001'),
      sender: SENDER,
      destinationTag: null,
      txType: 'Payment',
      hash: serial.toString(16).toUpperCase().padStart(64, '0'),
      ledgerIndex: 90_000_000 + serial,
      closeTime: 1_780_000_000 + serial,
      partial: false,
    };
    const t0 = performance.now();
    const result = evaluate(setup, state, { kind: 'payment', payment: event }, Date.now());
    state = result.state;
    for (const n of result.notifications) {
      startedAt.set(renderEmail(n, context).messageId, t0);
      outbox.enqueue(emailEntry(n));
    }
  };

  try {
    const lines: string[] = [];
    for (let i = 0; i < sequential; i++) {
      const delivered = new Promise<void>((resolve) => {
        onAccepted = resolve;
      });
      submit();
      await delivered;
    }
    lines.push(summary(`alert latency, one at a time (${sequential} emails)`, latencies.splice(0)));
    onAccepted = null;
    for (let i = 0; i < burst; i++) submit();
    await smtp.waitForMessages(sequential + burst, 120_000);
    lines.push(summary(`alert latency, burst of ${burst} (4 SMTP connections)`, latencies.splice(0)));
    return lines.join('\n');
  } finally {
    await outbox.stop(); // closes the transport
    await smtp.close();
  }
}

function summary(title: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `${title}: p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`;
}
