import { afterEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createHttpApp, type HttpAppOptions, type ReloadResult } from '../../src/server/app.js';
import { type RunningHttpServer, startHttpServer } from '../../src/server/listen.js';
import type { StatusQuery, StatusSnapshot } from '../../src/server/status.js';
import { HOSTILE_SCRIPT, LP_TOKEN, MPT_ID, recordingLogger, sampleSnapshot } from './support.js';

const EXPOSITION = '# HELP xrpl_up 1 = connected\n# TYPE xrpl_up gauge\nxrpl_up 1\n';
const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let running: RunningHttpServer | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function serve(overrides: Partial<HttpAppOptions> = {}): Promise<string> {
  const app = createHttpApp({
    renderMetrics: async () => ({ contentType: PROM_CONTENT_TYPE, body: EXPOSITION }),
    isReady: () => true,
    getStatus: () => sampleSnapshot(),
    reload: async () => ({ ok: true }),
    version: '1.2.3',
    revision: 'abc123',
    logger: silentLogger,
    ...overrides,
  });
  running = await startHttpServer({
    app,
    listenAddress: '127.0.0.1:0',
    webConfig: null,
    logger: silentLogger,
  });
  return `http://127.0.0.1:${running.address.port}`;
}

describe('/metrics', () => {
  test('serves the exposition with the exact Prometheus content type', async () => {
    const base = await serve();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROM_CONTENT_TYPE);
    expect(await response.text()).toBe(EXPOSITION);
  });

  test('answers HEAD with the headers and no body', async () => {
    const base = await serve();
    const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(PROM_CONTENT_TYPE);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(EXPOSITION)));
    expect(await response.text()).toBe('');
  });

  test('moves to --web.telemetry-path, leaving /metrics unknown', async () => {
    const base = await serve({ telemetryPath: '/x/prom(etheus)' });
    expect((await fetch(`${base}/x/prom(etheus)`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });

  test('a failing renderer gives 500 and a log line, and the server keeps serving', async () => {
    const logger = recordingLogger();
    let fail = true;
    const base = await serve({
      logger,
      renderMetrics: async () => {
        if (fail) throw new Error('collector exploded');
        return { contentType: PROM_CONTENT_TYPE, body: EXPOSITION };
      },
    });
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
    expect(logger.lines.some((l) => l.includes('collector exploded'))).toBe(true);
    fail = false;
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  test.each(['metrics', '/', '/-/healthy', '/api/status', '/with space'])(
    'rejects telemetry path %j',
    (path) => {
      expect(() => createHttpApp({ ...minimalOptions(), telemetryPath: path })).toThrow(
        /--web.telemetry-path/,
      );
    },
  );
});

describe('health, readiness, reload', () => {
  test('/-/healthy answers GET and HEAD', async () => {
    const base = await serve();
    const get = await fetch(`${base}/-/healthy`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('xrpl-payments-exporter is Healthy.\n');
    const head = await fetch(`${base}/-/healthy`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  test('/-/ready follows isReady()', async () => {
    let ready = false;
    const base = await serve({ isReady: () => ready });
    const before = await fetch(`${base}/-/ready`);
    expect(before.status).toBe(503);
    expect(await before.text()).toBe('xrpl-payments-exporter is not ready.\n');
    ready = true;
    const after = await fetch(`${base}/-/ready`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('xrpl-payments-exporter is Ready.\n');
    expect((await fetch(`${base}/-/ready`, { method: 'HEAD' })).status).toBe(200);
  });

  test('GET /-/reload answers 405 without reloading', async () => {
    let reloads = 0;
    const base = await serve({
      reload: async () => {
        reloads++;
        return { ok: true };
      },
    });
    const response = await fetch(`${base}/-/reload`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, PUT');
    expect(await response.text()).toBe('Only POST or PUT requests allowed');
    expect(reloads).toBe(0);
  });

  test.each(['POST', 'PUT'])('%s /-/reload reloads and answers 200', async (method) => {
    let reloads = 0;
    const base = await serve({
      reload: async () => {
        reloads++;
        return { ok: true };
      },
    });
    const response = await fetch(`${base}/-/reload`, { method });
    expect(response.status).toBe(200);
    expect(reloads).toBe(1);
  });

  test('a failed reload answers 500 with every error', async () => {
    const base = await serve({
      reload: async () => ({ ok: false, errors: ['rules[0].threshold: required', 'accounts: at least one'] }),
    });
    const response = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe(
      'failed to reload config:\nrules[0].threshold: required\naccounts: at least one\n',
    );
  });

  test('a reload that throws answers 500 and is logged', async () => {
    const logger = recordingLogger();
    const base = await serve({
      logger,
      reload: async () => {
        throw new Error('disk on fire');
      },
    });
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(500);
    expect(logger.lines.some((l) => l.includes('disk on fire'))).toBe(true);
  });

  test('concurrent reloads run one at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const base = await serve({
      reload: async (): Promise<ReloadResult> => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return { ok: true };
      },
    });
    const statuses = await Promise.all(
      [1, 2, 3].map(async () => (await fetch(`${base}/-/reload`, { method: 'POST' })).status),
    );
    expect(statuses).toEqual([200, 200, 200]);
    expect(maxActive).toBe(1);
  });
});

describe('everything else', () => {
  test('unknown paths answer 404 and no response names the framework', async () => {
    const base = await serve();
    const response = await fetch(`${base}/nope`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('404 page not found\n');
    for (const path of ['/', '/metrics', '/-/healthy', '/nope']) {
      expect((await fetch(`${base}${path}`)).headers.get('x-powered-by')).toBeNull();
    }
  });

  test('/api/status is the snapshot as JSON', async () => {
    const snapshot = sampleSnapshot();
    const base = await serve({ getStatus: () => snapshot });
    const response = await fetch(`${base}/api/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual(snapshot);
  });

  test('?account= reaches the status as a search, for the page and the JSON alike; nothing else does', async () => {
    const queries: StatusQuery[] = [];
    const base = await serve({
      getStatus: (query) => {
        queries.push(query);
        return sampleSnapshot();
      },
    });
    await fetch(`${base}/?account=treasury`);
    await fetch(`${base}/api/status?account=${encodeURIComponent('<b>x</b>')}`);
    await fetch(`${base}/?account=a&account=b`);
    await fetch(`${base}/?account[x]=1`);
    await fetch(`${base}/api/status`);
    expect(queries).toEqual([
      { account: 'treasury' },
      { account: '<b>x</b>' },
      { account: null },
      { account: null },
      { account: null },
    ]);
  });

  test('the status page script and stylesheet are served as files', async () => {
    const base = await serve();
    const script = await fetch(`${base}/static/status.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await script.text();
    expect(source).toContain('DOMParser');
    expect(source).toContain('[data-live][id]');
    const css = await fetch(`${base}/static/status.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('#e6522c');
  });
});

describe('status page', () => {
  async function page(
    snapshot: StatusSnapshot = sampleSnapshot(),
  ): Promise<{ response: Response; body: string }> {
    const base = await serve({ getStatus: () => snapshot, telemetryPath: '/metrics' });
    const response = await fetch(`${base}/`);
    return { response, body: await response.text() };
  }

  test('is HTML under a CSP that allows only our own script', async () => {
    const { response, body } = await page();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(body.match(/<script\b[^>]*>/g)).toEqual(['<script src="static/status.js" defer>']);
    // The account search submits to the page itself, nowhere else.
    expect(csp).toContain("form-action 'self'");
  });

  test('the search is shown back in its field, escaped, with what it matched', async () => {
    const search = '"><script>x</script>';
    const { body } = await page({
      ...sampleSnapshot(),
      accounts: [],
      accountList: { total: 100_000, matching: 0, search, limit: 100 },
    });
    expect(body).toContain('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
    expect(body).toContain(
      '0 of 100000 accounts matching &quot;&quot;&gt;&lt;script&gt;x&lt;/script&gt;&quot;.',
    );
    expect(body).toContain('No account matches.');
    const many = await page({
      ...sampleSnapshot(),
      accountList: { total: 100_000, matching: 100_000, search: null, limit: 100 },
    });
    expect(many.body).toContain(
      'Showing 2 of 100000 accounts: those needing attention first, then the most recently paid.',
    );
  });

  test('shows health, connection, ledger, accounts, payments, rules and links', async () => {
    const { body } = await page();
    for (const expected of [
      '<li class="tile level-ok" data-area="connection"><div class="tile-head"><h3>Connection</h3><span class="level">OK</span>',
      '<li class="tile level-warning" data-area="notifications">',
      '<li class="tile level-critical" data-area="state">',
      '<li class="tile level-off" data-area="reload">',
      '<li>3 failed email attempts in the last 15m</li>',
      '<li class="alert alert-firing">XRPLAlertEmailFailing (large-xrp-payment) firing, for 5m 0s</li>',
      'XRPLServerUnreachable (&quot;&gt;&lt;img src=x onerror=alert(1)&gt;) pending for 1m 30s (fires after 10m 0s)',
      'wss://s.altnet.rippletest.net:51233',
      '<dt>API version</dt><dd>2</dd>',
      '<dt>Last validated ledger</dt><dd>12345678</dd>',
      '(4s ago)',
      '2 accounts.',
      '<span class="id"><a href="https://testnet.xrpl.org/accounts/rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe" rel="noreferrer" title="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe">rPT1Sj…bpAYe</a><button type="button" class="copy" data-copy="rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"',
      '<tr><th scope="row"><span class="currency">XRP</span></th><td>1000.000012</td><td>250.5 <span class="muted count">in 3</span></td></tr>',
      `title="${MPT_ID}">000000…EDAFC</span>`,
      `title="${LP_TOKEN}">03930D…197B1</span>`,
      '<summary>2 more assets</summary>',
      'aria-label="27 receipts in the last hour, at most 6 in a minute"',
      '<div class="muted">verified to ledger 12345670</div>',
      '<span class="badge state-disconnected">unverified</span> <span class="mono">ledgers 12345501-12345510, 12345600</span>',
      '<td data-label="Queued">3</td><td data-label="Last success">never</td>',
      '<td data-label="Queued">0</td><td data-label="Last success">',
      ' (1m 0s ago)</td><td data-label="Last error" class="wrap">—</td>',
      '550 5.1.1 No such user',
      '2m 5s ago',
      'href="https://testnet.xrpl.org/transactions/AAAAAAAA',
      '>AAAAAA…AAAAA</a>',
      'CheckCash',
      'class="badge state-firing">firing',
      '(in 14m 0s)',
      'href="metrics"',
      'href="-/healthy"',
      'href="-/ready"',
      'href="api/status"',
      'version 1.2.3 (revision abc123)',
      '<td data-label="Server" class="mono wrap">wss://user:&lt;secret&gt;@backup.example:51233</td><td data-label="Connected">no</td><td data-label="Last error" class="wrap">Unexpected server response: 502 &lt;script&gt;',
      '(30s ago)</td><td data-label="Next attempt">2026-09-21 ',
      '(in 12s)</td></tr>',
    ]) {
      expect(body).toContain(expected);
    }
  });

  test('the issuer is shown once per asset: balance and received total share a line', async () => {
    const { body } = await page();
    const accountRows = body.slice(body.indexOf('id="accounts-body"'), body.indexOf('id="payments-body"'));
    const issuerLines = accountRows.match(/<span class="issuer">/g) ?? [];
    // Balances and totals name the issuer rHb9… for two assets and rPT1… for three: five asset lines.
    expect(issuerLines).toHaveLength(5);
  });

  test('escapes hostile ledger text and never links a javascript: URL', async () => {
    const { body } = await page();
    expect(body).not.toContain(HOSTILE_SCRIPT);
    expect(body).not.toContain('<img');
    expect(body).not.toContain('javascript:');
    expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  test('a Content-Security-Policy from the web config replaces ours', async () => {
    const app = createHttpApp(minimalOptions());
    running = await startHttpServer({
      app,
      listenAddress: '127.0.0.1:0',
      webConfig: {
        tls: null,
        basicAuthUsers: new Map(),
        headers: { 'Content-Security-Policy': "default-src 'none'" },
      },
      logger: silentLogger,
    });
    const response = await fetch(`http://127.0.0.1:${running.address.port}/`);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
  });

  test('renders an empty exporter without errors', async () => {
    const { response, body } = await page({
      now: 1_790_000_000,
      connection: {
        state: 'connecting',
        server: null,
        apiVersion: 1,
        up: false,
        servers: [
          { url: 'ws://a', connected: false, lastError: null, lastErrorAt: null, nextAttemptAt: null },
        ],
      },
      ledger: null,
      health: [],
      accounts: [],
      accountList: { total: 0, matching: 0, search: null, limit: 100 },
      recentPayments: [],
      rules: [],
      warnings: [],
      sinks: { targets: [], deadLetters: [] },
    });
    expect(response.status).toBe(200);
    expect(body).toContain('none yet');
    expect(body).toContain('No payments received yet.');
    expect(body).toContain('No rules configured.');
  });
});

function minimalOptions(): HttpAppOptions {
  return {
    renderMetrics: async () => ({ contentType: PROM_CONTENT_TYPE, body: '' }),
    isReady: () => true,
    getStatus: () => sampleSnapshot(),
    reload: async () => ({ ok: true }),
    version: '0',
    logger: silentLogger,
  };
}
