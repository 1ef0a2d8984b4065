import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type RunningAlertmanager, startAlertmanager } from '../support/alertmanager.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { REPO_ROOT } from './tools.js';

/**
 * alertmanager/alertmanager.yml, run by a real Debian Alertmanager with only the SMTP relay pointed
 * at a local SMTP server (compose uses Mailpit) and test-speed grouping: an alert posted to it
 * arrives as an email to the configured recipient.
 */

let smtp: FakeSmtp | undefined;
let alertmanager: RunningAlertmanager | undefined;
let url = '';

beforeAll(async () => {
  smtp = await startFakeSmtp();
  const config = parse(await readFile(join(REPO_ROOT, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    route: Record<string, unknown>;
  };
  config.global.smtp_smarthost = `127.0.0.1:${smtp.port}`;
  config.route.group_wait = '1s';
  // Test-speed grouping on the route for the exporter's own alerts too; its group_by stays as shipped.
  const routes = config.route.routes as Record<string, unknown>[];
  for (const route of routes) route.group_wait = '1s';
  alertmanager = await startAlertmanager({ config });
  url = alertmanager.url;
}, 60_000);

afterAll(async () => {
  await alertmanager?.stop();
  await smtp?.close();
});

describe('alertmanager/alertmanager.yml', () => {
  it('emails a firing alert from prometheus/alerts.yml to the ops address', async () => {
    const alert = {
      labels: {
        alertname: 'XRPLLedgerGap',
        severity: 'critical',
        job: 'xrpl-payments',
        instance: 'exporter:29770',
      },
      annotations: { summary: 'XRPL exporter could not backfill a range of ledgers.' },
    };
    const response = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert]),
    });
    expect(response.status, alertmanager?.process.output()).toBe(200);
    const [mail] = await smtp!.waitForMessages(1, 30_000);
    expect(mail?.envelope.to).toEqual(['ops@xrpl-payments.example']);
    expect(mail?.parsed.subject).toContain('XRPLLedgerGap');
    expect(mail?.parsed.html || mail?.parsed.text).toContain('could not backfill a range of ledgers');
  }, 60_000);

  it("routes the exporter's payment alerts one payment per email", async () => {
    const before = smtp!.messages.length;
    const payment = (hash: string) => ({
      labels: {
        alertname: 'large-xrp-payment',
        rule: 'large-xrp-payment',
        kind: 'payment',
        account: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        name: 'treasury',
        currency: 'XRP',
        tx_hash: hash,
      },
      annotations: { summary: `1500 XRP received by treasury (${hash})` },
    });
    const response = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([payment('A1'), payment('B2')]),
    });
    expect(response.status, alertmanager?.process.output()).toBe(200);
    const mails = (await smtp!.waitForMessages(before + 2, 30_000)).slice(before);
    const bodies = mails.map((m) => m.parsed.html || m.parsed.text || '');
    expect(bodies.filter((b) => b.includes('(A1)'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('(B2)'))).toHaveLength(1);
    expect(bodies.every((b) => !(b.includes('(A1)') && b.includes('(B2)')))).toBe(true);
  }, 60_000);
});
