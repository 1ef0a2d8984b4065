import { generate } from 'selfsigned';
import type { LogFields, Logger } from '../../src/log.js';
import type { StatusSnapshot } from '../../src/server/status.js';

export const HOSTILE_SCRIPT = '<script>alert(1)</script>';
export const HOSTILE_IMG = '"><img src=x onerror=alert(1)>';
/** An MPT issuance id (48 hex) and a 40-hex currency code that is not printable text (an AMM LP token). */
export const MPT_ID = '00000001365FEC4C03F5B3D9FD06C6EBCEA05A5B04BEDAFC';
export const LP_TOKEN = '03930D02208264E2E40EC1B0C09E4DB96EE197B1';

/** Receipts per minute over the last hour: a few, and a busy minute just now. */
export const SAMPLE_TREND: readonly number[] = Array.from({ length: 60 }, (_, i) =>
  i === 59 ? 6 : i % 10 === 3 ? 2 : i % 7 === 0 ? 1 : 0,
);

/** A logger that keeps every line, so tests can check what was (and was not) logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log =
    (level: string) =>
    (msg: string, fields: LogFields = {}) => {
      lines.push(JSON.stringify({ level, msg, ...fields }));
    };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A status snapshot with one of everything, carrying hostile text wherever the ledger supplies text. */
export function sampleSnapshot(now = 1_790_000_000): StatusSnapshot {
  return {
    now,
    connection: {
      state: 'connected',
      server: 'wss://s.altnet.rippletest.net:51233',
      apiVersion: 2,
      up: true,
      servers: [
        {
          url: 'wss://s.altnet.rippletest.net:51233',
          connected: true,
          lastError: null,
          lastErrorAt: null,
          nextAttemptAt: null,
        },
        {
          url: 'wss://user:<secret>@backup.example:51233',
          connected: false,
          lastError: `Unexpected server response: 502 ${HOSTILE_SCRIPT}`,
          lastErrorAt: now - 30,
          nextAttemptAt: now + 12,
        },
      ],
    },
    ledger: { index: 12_345_678, closeTime: now - 4 },
    health: [
      {
        area: 'connection',
        title: 'Connection',
        level: 'ok',
        summary: 'Connected to wss://s.altnet.rippletest.net:51233',
        details: ['1 other server failing (see Servers)'],
        alerts: [
          {
            alert: 'XRPLServerUnreachable',
            severity: 'warning',
            state: 'pending',
            since: now - 90,
            forSeconds: 600,
            labels: { server: HOSTILE_IMG },
          },
        ],
      },
      {
        area: 'ledger',
        title: 'Validated ledger',
        level: 'ok',
        summary: 'Ledger 12345678 closed 4s ago',
        details: [],
        alerts: [],
      },
      {
        area: 'accounts',
        title: 'Accounts',
        level: 'ok',
        summary: '2 accounts watched',
        details: ['1 account importing history'],
        alerts: [],
      },
      {
        area: 'notifications',
        title: 'Notifications',
        level: 'warning',
        summary: 'Email: 2 queued',
        details: ['3 failed email attempts in the last 15m'],
        alerts: [
          {
            alert: 'XRPLAlertEmailFailing',
            severity: 'warning',
            state: 'firing',
            since: now - 300,
            forSeconds: 0,
            labels: { rule: 'large-xrp-payment' },
          },
        ],
      },
      {
        area: 'state',
        title: 'State file',
        level: 'critical',
        summary: 'Saved 12m 5s ago',
        details: [HOSTILE_SCRIPT],
        alerts: [],
      },
      {
        area: 'reload',
        title: 'Configuration',
        level: 'off',
        summary: 'Configuration loaded 2h 0m ago',
        details: [],
        alerts: [],
      },
    ],
    accountList: { total: 2, matching: 2, search: null, limit: 100 },
    accounts: [
      {
        name: 'treasury',
        address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        explorerUrl: 'https://testnet.xrpl.org/accounts/rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        balances: [
          { currency: 'XRP', issuer: '', value: '1000.000012' },
          { currency: HOSTILE_SCRIPT, issuer: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', value: '5' },
          { currency: MPT_ID, issuer: '', value: '12' },
          { currency: LP_TOKEN, issuer: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', value: '0.5' },
        ],
        received: [
          { currency: 'XRP', issuer: '', value: '250.5', count: 3 },
          { currency: HOSTILE_SCRIPT, issuer: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', value: '5', count: 1 },
          { currency: MPT_ID, issuer: '', value: '12', count: 2 },
          { currency: 'USD', issuer: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', value: '7.25', count: 1 },
          { currency: 'EUR', issuer: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', value: '1', count: 1 },
          { currency: 'JPY', issuer: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', value: '300', count: 1 },
        ],
        history: { state: 'importing', ledgersLeft: 1200, percent: 40, error: null },
        verification: { verifiedLedger: 12_345_670, unverifiedRanges: [] },
        trend: SAMPLE_TREND,
        lastPayment: {
          hash: 'A'.repeat(64),
          explorerLink: `https://testnet.xrpl.org/transactions/${'A'.repeat(64)}`,
          amount: '100',
          currency: 'XRP',
          issuer: '',
          time: now - 125,
        },
      },
      {
        name: HOSTILE_IMG,
        address: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
        balances: [],
        received: [],
        lastPayment: null,
        verification: { verifiedLedger: 12_345_500, unverifiedRanges: ['12345501-12345510', '12345600'] },
      },
    ],
    recentPayments: [
      {
        time: now - 125,
        accountName: 'treasury',
        accountAddress: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        amount: '100',
        currency: 'XRP',
        issuer: '',
        sender: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
        type: 'Payment',
        hash: 'A'.repeat(64),
        link: `https://testnet.xrpl.org/transactions/${'A'.repeat(64)}`,
        partial: false,
        memo: HOSTILE_IMG,
      },
      {
        time: now - 3600,
        accountName: 'treasury',
        accountAddress: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        amount: '5',
        currency: HOSTILE_SCRIPT,
        issuer: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
        sender: 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh',
        type: 'CheckCash',
        hash: 'B'.repeat(64),
        link: 'javascript:alert(1)',
        partial: true,
        memo: HOSTILE_SCRIPT,
      },
    ],
    rules: [
      {
        name: 'large-xrp-payment',
        kind: 'payment',
        state: 'ok',
        lastEmailAt: null,
        nextEmailAllowedAt: null,
      },
      {
        name: 'hourly-total',
        kind: 'total',
        state: 'firing',
        lastEmailAt: now - 60,
        nextEmailAllowedAt: now + 840,
      },
    ],
    warnings: [`State file not saved (3 failed writes): ${HOSTILE_SCRIPT}`],
    sinks: {
      targets: [
        { sink: 'email', target: 'smtp', queued: 0, lastSuccessAt: now - 60, lastError: null },
        {
          sink: 'alertmanager',
          target: 'http://am:<secret>@alertmanager:9093',
          queued: 3,
          lastSuccessAt: null,
          lastError: { at: now - 5, message: HOSTILE_SCRIPT },
        },
      ],
      deadLetters: [
        {
          at: now - 30,
          sink: 'email',
          rule: 'large-xrp-payment',
          target: 'smtp',
          recipient: 'nobody@example.com',
          what: `large-xrp-payment: 5 ${HOSTILE_IMG} received by treasury`,
          error: '550 5.1.1 No such user',
        },
      ],
    },
  };
}

export interface TestCertificates {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate from a CA the server does not trust. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

/** A CA, a server certificate for 127.0.0.1/localhost and client certificates, made fresh per run. */
export async function makeCertificates(): Promise<TestCertificates> {
  const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
  const caExtensions = [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
  ] as const;
  const ca = await generate([{ name: 'commonName', value: 'xrpl-payments-exporter test CA' }], {
    ...ec,
    extensions: [...caExtensions],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...ec,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const clientOptions = (signer: { private: string; cert: string }) => ({
    ...ec,
    ca: { key: signer.private, cert: signer.cert },
    extensions: [
      { name: 'basicConstraints' as const, cA: false },
      { name: 'keyUsage' as const, digitalSignature: true },
      { name: 'extKeyUsage' as const, clientAuth: true },
    ],
  });
  const client = await generate([{ name: 'commonName', value: 'prometheus' }], clientOptions(ca));
  const otherCa = await generate([{ name: 'commonName', value: 'some other CA' }], {
    ...ec,
    extensions: [...caExtensions],
  });
  const stranger = await generate([{ name: 'commonName', value: 'stranger' }], clientOptions(otherCa));
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private,
    strangerCert: stranger.cert,
    strangerKey: stranger.private,
  };
}
