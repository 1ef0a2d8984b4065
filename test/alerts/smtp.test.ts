import { createServer } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createSmtpTransport, describeSmtpError } from '../../src/alerts/sinks/smtp.js';
import { sendTestEmail } from '../../src/alerts/test-email.js';
import type { Config, SmtpConfig } from '../../src/config/types.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: Parameters<typeof startFakeSmtp>[0] = {}): Promise<FakeSmtp> {
  const smtp = await startFakeSmtp(options);
  cleanups.push(() => smtp.close());
  return smtp;
}

/** A port that was just listening and is now closed: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function config(smtp: Partial<SmtpConfig> & { port: number }): Pick<Config, 'email' | 'rules' | 'accounts'> {
  return {
    email: {
      smtp: { host: '127.0.0.1', secure: false, user: null, password: null, ...smtp },
      from: 'XRPL alerts <alerts@example.com>',
      to: ['ops@example.com', 'treasury@example.com'],
    },
    rules: [],
    accounts: [{ address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'faucet', group: null, since: null }],
  };
}

const quick = { connectionTimeoutMs: 5000, greetingTimeoutMs: 5000, socketTimeoutMs: 5000 };

describe('sendTestEmail', () => {
  test('succeeds against a working server and the email arrives', async () => {
    const smtp = await server();
    const result = await sendTestEmail(config({ port: smtp.port }), { transport: quick });
    expect(result.ok).toBe(true);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.envelope.to).toEqual(['ops@example.com', 'treasury@example.com']);
    expect(mail?.secure).toBe(false);
    expect(mail?.parsed.subject).toBe('[XRPL] Test email from xrpl-payments-exporter');
    expect(result.ok && mail?.parsed.messageId).toBe(result.ok ? result.messageId : '');
  });

  test('authenticates, and upgrades with STARTTLS when offered (certificate trusted via ca)', async () => {
    const smtp = await server({ tls: 'starttls', auth: { user: 'alerts', password: 'pw' } });
    const result = await sendTestEmail(config({ port: smtp.port, user: 'alerts', password: 'pw' }), {
      transport: { ...quick, ca: smtp.cert ?? '' },
    });
    expect(result).toMatchObject({ ok: true });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail?.parsed.subject).toContain('Test email');
    expect(mail?.secure).toBe(true);
  });

  test('implicit TLS (secure: true)', async () => {
    const smtp = await server({ tls: 'implicit' });
    const result = await sendTestEmail(config({ port: smtp.port, secure: true }), {
      transport: { ...quick, ca: smtp.cert ?? '' },
    });
    expect(result).toMatchObject({ ok: true });
  });

  test.each([
    [
      'connection refused',
      async () => config({ port: await closedPort() }),
      /^connection refused by 127\.0\.0\.1:\d+/,
    ],
    [
      'DNS',
      async () => config({ port: 25, host: 'nonexistent.invalid' }),
      /^DNS: cannot resolve SMTP host "nonexistent\.invalid"/,
    ],
    [
      'TLS against a plain-text server with secure: true',
      async () => config({ port: (await server()).port, secure: true }),
      /^TLS: 127\.0\.0\.1:\d+ does not speak TLS on connect/,
    ],
    [
      'TLS with an untrusted (self-signed) certificate',
      async () => config({ port: (await server({ tls: 'implicit' })).port, secure: true }),
      /^TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(self-signed certificate\)/,
    ],
    [
      'authentication',
      async () =>
        config({
          port: (await server({ auth: { user: 'alerts', password: 'right' } })).port,
          user: 'alerts',
          password: 'wr0ng-Secret',
        }),
      /^authentication failed at 127\.0\.0\.1:\d+: .*535.*; check smtp\.user and smtp\.password$/,
    ],
  ] as const)('fails with one clear line: %s', async (_name, makeConfig, reason) => {
    const result = await sendTestEmail(await makeConfig(), { transport: quick });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
    expect(result.reason).not.toContain('\n');
    expect(result.reason).not.toContain('wr0ng-Secret');
  });

  test('no email section', async () => {
    expect(await sendTestEmail({ email: null, rules: [], accounts: [] })).toEqual({
      ok: false,
      reason: 'no email section in the configuration',
    });
  });
});

describe('describeSmtpError', () => {
  test.each([
    [{ code: 'EDNS', message: 'getaddrinfo EAI_AGAIN mail.example.com' }, /^DNS: .*EAI_AGAIN/],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, /^timeout talking to mail\.example\.com:587/],
    [
      { code: 'EMESSAGE', responseCode: 550, message: 'Message failed: 550 mailbox unavailable' },
      /rejected the message: Message failed: 550/,
    ],
    [
      { code: 'EMESSAGE', responseCode: 451, message: 'Message failed: 451 try later' },
      /temporarily refused the message/,
    ],
    [{ code: 'ESOCKET', message: 'read ECONNRESET' }, /^connection to mail\.example\.com:587 was reset/],
    ['a string', /^SMTP error at mail\.example\.com:587: a string$/],
  ])('%j', (error, expected) => {
    const err = typeof error === 'string' ? error : Object.assign(new Error(error.message), error);
    expect(describeSmtpError(err, { host: 'mail.example.com', port: 587 })).toMatch(expected);
  });

  test('errors thrown by the transport never carry the password', async () => {
    const smtp = await server({ auth: { user: 'alerts', password: 'right' } });
    const transport = createSmtpTransport(
      { host: '127.0.0.1', port: smtp.port, secure: false, user: 'alerts', password: 'Pa55-w0rd' },
      quick,
    );
    cleanups.push(() => transport.close());
    const error = await transport
      .send({
        from: 'a@example.com',
        to: ['b@example.com'],
        subject: 's',
        text: 't',
        html: '',
        messageId: '<1@x>',
        headers: {},
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    const serialized = JSON.stringify(error, Object.getOwnPropertyNames(error ?? {}));
    expect(serialized).toContain('authentication failed');
    expect(serialized).not.toContain('Pa55-w0rd');
    expect(serialized).not.toContain(Buffer.from('\u0000alerts\u0000Pa55-w0rd').toString('base64'));
  });
});
