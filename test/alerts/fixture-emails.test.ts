/*
 * From real transactions to received emails: fixture -> analyzeTransaction -> PaymentEvent ->
 * evaluate -> outbox -> nodemailer -> a real SMTP server; the received text is checked line by line.
 */

import Big from 'big.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import { renderEmail } from '../../src/alerts/email.js';
import { evaluate, initialAlertState } from '../../src/alerts/rules.js';
import type { EmailItem } from '../../src/alerts/sinks/email.js';
import { emailEntry } from '../../src/alerts/sinks/email.js';
import type { Outbox } from '../../src/alerts/sinks/outbox.js';
import { emailOutbox } from '../../src/alerts/sinks/outboxes.js';
import { createSmtpTransport } from '../../src/alerts/sinks/smtp.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { loadFixture } from '../support/fixtures.js';
import { fixtureEvents, rule } from './support/builders.js';

const XCOIN = '78436F696E000000000000000000000000000000';
const accounts = [
  { address: 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN', name: 'exchange-hot' },
  { address: 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j', name: 'xcoin-desk' },
];
const rules = [
  rule({ name: 'large-xrp', kind: 'payment', threshold: new Big(10), currency: 'XRP' }),
  rule({
    name: 'xcoin-in',
    kind: 'payment',
    threshold: new Big('0.001'),
    currency: XCOIN,
    destinationTag: 0,
  }),
];
const context = {
  explorerUrl: 'https://livenet.xrpl.org/transactions/{hash}',
  from: 'alerts@example.com',
  to: ['ops@example.com'],
};

let smtp: FakeSmtp;
let outbox: Outbox<EmailItem>;
beforeAll(async () => {
  smtp = await startFakeSmtp();
  const transport = createSmtpTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    user: null,
    password: null,
  });
  outbox = emailOutbox(transport, (n) => renderEmail(n, context));
});
afterAll(async () => {
  await outbox.stop();
  await smtp.close();
});

test.each([
  {
    file: 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
    // The ledger close time is in the message (close_time_iso / tx_json.date).
    fallbackCloseTime: 0,
    subject: '[XRPL] large-xrp: 20 XRP received by exchange-hot',
    lines: [
      'Rule: large-xrp: one payment of at least 10 XRP',
      'Account: exchange-hot (rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN)',
      'Amount: 20 XRP',
      'Sender: rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8',
      'Destination tag: none',
      'Transaction type: Payment',
      'Transaction: 6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED',
      '  https://livenet.xrpl.org/transactions/6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED',
      'Ledger: 1969852, closed 2024-11-01T23:59:01Z',
    ],
  },
  {
    file: 'explorer/Payment/PaymentWithPartial.json',
    // This explorer mock carries no ripple-epoch date; the pipeline then uses the ledger's close time.
    fallbackCloseTime: 1_664_305_542,
    subject: '[XRPL] xcoin-in: 0.001041958041958 xCoin received by xcoin-desk',
    lines: [
      'Rule: xcoin-in: one payment of at least 0.001 xCoin',
      'Account: xcoin-desk (rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j)',
      `Amount: 0.001041958041958 xCoin [${XCOIN}] (issuer rXCoYSUnkpygdtfpz3Df8dKQuRZjM9UFi)`,
      'Sender: rGTurN94Nn3RkJGSqy9MwmQCLpXZkELbnq',
      'Destination tag: 0',
      'Transaction type: Payment (partial payment)',
      'Transaction: 439B1D82C4739E4B3DD1FE440AE0EBE62E30C64FA7FF7DC0423B95CAF2FEB384',
      'Ledger: 74682666, closed 2022-09-27T19:05:42Z',
    ],
  },
])(
  '$file gives exactly one email with the exact facts',
  async ({ file, fallbackCloseTime, subject, lines }) => {
    const before = smtp.messages.length;
    const analysis = analyzeTransaction(loadFixture(file), new Set(accounts.map((a) => a.address)));
    let state = initialAlertState();
    // The same transaction twice (a replay after a reconnect): still one email.
    for (let round = 0; round < 2; round++) {
      for (const payment of fixtureEvents(analysis, accounts, fallbackCloseTime)) {
        const result = evaluate({ rules, accounts }, state, { kind: 'payment', payment }, Date.now());
        state = result.state;
        for (const n of result.notifications) outbox.enqueue(emailEntry(n));
      }
    }
    await outbox.idle();
    const received = smtp.messages.slice(before);
    expect(received).toHaveLength(1);
    const mail = received[0];
    expect(mail?.parsed.subject).toBe(subject);
    const text = mail?.parsed.text ?? '';
    for (const line of lines) expect(text.split('\n')).toContain(line);
  },
);
