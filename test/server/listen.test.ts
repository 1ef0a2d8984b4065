import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import bcrypt from 'bcryptjs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  parseListenAddress,
  type RequestListener,
  type RunningHttpServer,
  startHttpServer,
} from '../../src/server/listen.js';
import type { TlsServerConfig, WebConfig } from '../../src/server/web-config.js';
import { makeCertificates, recordingLogger, type TestCertificates } from './support.js';

const PASSWORD = 'correct horse battery staple';
const HASH = bcrypt.hashSync(PASSWORD, 4);

const hello: RequestListener = (req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(req.url === '/-/healthy' ? 'healthy\n' : 'hello\n');
};

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(webConfig: WebConfig | null, listenAddress = '127.0.0.1:0', logger = silentLogger) {
  const server = await startHttpServer({ app: hello, listenAddress, webConfig, logger });
  servers.push(server);
  return server;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

describe('parseListenAddress', () => {
  test.each([
    [':29770', { host: null, port: 29770 }],
    [':0', { host: null, port: 0 }],
    ['127.0.0.1:9100', { host: '127.0.0.1', port: 9100 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['[::]:29770', { host: '::', port: 29770 }],
  ])('%s', (address, expected) => {
    expect(parseListenAddress(address)).toEqual(expected);
  });

  test.each(['29770', '', 'host:', ':65536', '[::1]', '::1:80', 'a:b:80', ':port'])(
    'rejects %j',
    (address) => {
      expect(() => parseListenAddress(address)).toThrow(
        `invalid listen address ${JSON.stringify(address)}: expected HOST:PORT, :PORT or [IPv6]:PORT`,
      );
    },
  );
});

describe('startHttpServer over plain HTTP', () => {
  test('listens on every interface with :0 and reports the port', async () => {
    const server = await start(null, ':0');
    expect(server.address.port).toBeGreaterThan(0);
    expect(server.tls).toBe(false);
    expect(await (await fetch(`http://127.0.0.1:${server.address.port}/`)).text()).toBe('hello\n');
  });

  test('listens on IPv6 loopback', async () => {
    const server = await start(null, '[::1]:0');
    expect(server.address.host).toBe('::1');
    expect((await fetch(`http://[::1]:${server.address.port}/`)).status).toBe(200);
  });

  test('a port in use is a rejected start, not a crash', async () => {
    const first = await start(null);
    await expect(start(null, `127.0.0.1:${first.address.port}`)).rejects.toThrow(/EADDRINUSE/);
  });

  test('close() ends open keep-alive connections', async () => {
    const server = await start(null);
    await fetch(`http://127.0.0.1:${server.address.port}/`);
    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.address.port}/`)).rejects.toThrow();
  });
});

describe('basic auth', () => {
  const webConfig: WebConfig = {
    tls: null,
    basicAuthUsers: new Map([['prom', HASH]]),
    headers: { 'X-Frame-Options': 'deny' },
  };

  test('guards every path: 401 with a Basic challenge, 200 with the right password', async () => {
    const { port } = (await start(webConfig)).address;
    for (const path of ['/', '/-/healthy', '/no-such-path']) {
      const denied = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Basic');
      const allowed = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { authorization: basic('prom', PASSWORD) },
      });
      expect(allowed.status).toBe(200);
    }
  });

  test.each([
    ['a wrong password', basic('prom', 'wrong')],
    ['an unknown user', basic('grafana', PASSWORD)],
    ['an empty password', basic('prom', '')],
    ['another scheme', `Bearer ${PASSWORD}`],
    ['garbage', 'Basic !!!'],
    ['no colon', `Basic ${Buffer.from('prom').toString('base64')}`],
  ])('refuses %s', async (_name, authorization) => {
    const { port } = (await start(webConfig)).address;
    expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization } })).status).toBe(401);
  });

  test('a remembered success does not let a wrong password in afterwards', async () => {
    const { port } = (await start(webConfig)).address;
    const get = (password: string) =>
      fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: basic('prom', password) } });
    expect((await get(PASSWORD)).status).toBe(200);
    expect((await get(PASSWORD)).status).toBe(200);
    expect((await get(`${PASSWORD}x`)).status).toBe(401);
    expect((await get(PASSWORD)).status).toBe(200);
  });

  test('the scheme is case-insensitive and passwords may contain colons', async () => {
    const hash = bcrypt.hashSync('a:b:c', 4);
    const { port } = (await start({ ...webConfig, basicAuthUsers: new Map([['u', hash]]) })).address;
    const authorization = `basic ${Buffer.from('u:a:b:c').toString('base64')}`;
    expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization } })).status).toBe(200);
  });

  test('configured headers go on every response, refused ones too', async () => {
    const { port } = (await start(webConfig)).address;
    expect((await fetch(`http://127.0.0.1:${port}/`)).headers.get('x-frame-options')).toBe('deny');
    const ok = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { authorization: basic('prom', PASSWORD) },
    });
    expect(ok.headers.get('x-frame-options')).toBe('deny');
  });

  test('neither passwords nor hashes reach the log', async () => {
    const logger = recordingLogger();
    const { port } = (await start(webConfig, '127.0.0.1:0', logger)).address;
    await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: basic('prom', PASSWORD) } });
    await fetch(`http://127.0.0.1:${port}/`, { headers: { authorization: basic('prom', 'wrong') } });
    const log = logger.lines.join('\n');
    expect(log).toContain('basic_auth_users');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(HASH);
    expect(log).not.toContain(HASH.slice(7));
  });
});

describe('updateWebConfig over plain HTTP', () => {
  test('adds and removes basic auth for new requests', async () => {
    const server = await start(null);
    const url = `http://127.0.0.1:${server.address.port}/`;
    expect((await fetch(url)).status).toBe(200);
    const withUsers: WebConfig = { tls: null, basicAuthUsers: new Map([['prom', HASH]]), headers: {} };
    expect(server.updateWebConfig(withUsers)).toEqual({ ok: true });
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: basic('prom', PASSWORD) } })).status).toBe(200);
    expect(server.updateWebConfig(null)).toEqual({ ok: true });
    expect((await fetch(url)).status).toBe(200);
  });
});

describe('TLS', () => {
  let certs: TestCertificates;
  let dir: string;
  beforeAll(async () => {
    certs = await makeCertificates();
    dir = mkdtempSync(join(tmpdir(), 'listen-tls-'));
    for (const [name, pem] of Object.entries(certs)) writeFileSync(join(dir, name), pem);
  });

  function tlsConfig(overrides: Partial<TlsServerConfig> = {}): TlsServerConfig {
    return {
      certFile: join(dir, 'serverCert'),
      keyFile: join(dir, 'serverKey'),
      clientCaFile: null,
      clientAuthType: 'NoClientCert',
      minVersion: 'TLS12',
      maxVersion: 'TLS13',
      ...overrides,
    };
  }

  interface ClientOptions {
    ca?: string | undefined;
    cert?: string;
    key?: string;
    authorization?: string;
    maxVersion?: SecureVersion;
  }
  function get(port: number, options: ClientOptions = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/-/healthy',
          agent: false,
          ca: 'ca' in options ? options.ca : certs.caCert,
          ...(options.cert ? { cert: options.cert, key: options.key } : {}),
          ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
          headers: options.authorization ? { authorization: options.authorization } : {},
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  function webConfig(tls: TlsServerConfig, users: [string, string][] = []): WebConfig {
    return { tls, basicAuthUsers: new Map(users), headers: {} };
  }

  test('updateWebConfig swaps the certificate for new connections', async () => {
    const rotated = await makeCertificates();
    writeFileSync(join(dir, 'rotatedCert'), rotated.serverCert);
    writeFileSync(join(dir, 'rotatedKey'), rotated.serverKey);
    const server = await start(webConfig(tlsConfig()));
    const next = webConfig(
      tlsConfig({ certFile: join(dir, 'rotatedCert'), keyFile: join(dir, 'rotatedKey') }),
    );
    expect(server.updateWebConfig(next)).toEqual({ ok: true });
    await expect(get(server.address.port)).rejects.toThrow();
    expect((await get(server.address.port, { ca: rotated.caCert })).status).toBe(200);
  });

  test('updateWebConfig refuses what needs a restart and keeps serving', async () => {
    const server = await start(webConfig(tlsConfig()));
    expect(server.updateWebConfig(null)).toEqual({
      ok: false,
      errors: ['turning TLS on or off needs a restart'],
    });
    const mtls = tlsConfig({
      clientAuthType: 'RequireAndVerifyClientCert',
      clientCaFile: join(dir, 'caCert'),
    });
    expect(server.updateWebConfig(webConfig(mtls))).toEqual({
      ok: false,
      errors: ['changing tls_server_config.client_auth_type needs a restart'],
    });
    expect((await get(server.address.port)).status).toBe(200);
    const plain = await start(null);
    expect(plain.updateWebConfig(webConfig(tlsConfig()))).toEqual({
      ok: false,
      errors: ['turning TLS on or off needs a restart'],
    });
  });

  test('serves HTTPS with the configured certificate', async () => {
    const server = await start(webConfig(tlsConfig()));
    expect(server.tls).toBe(true);
    expect(await get(server.address.port)).toEqual({ status: 200, body: 'healthy\n' });
  });

  test('a client that does not trust the CA refuses the connection', async () => {
    const { port } = (await start(webConfig(tlsConfig()))).address;
    await expect(get(port, { ca: undefined })).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
  });

  test('min_version TLS13 refuses a TLS 1.2 client', async () => {
    const { port } = (await start(webConfig(tlsConfig({ minVersion: 'TLS13' })))).address;
    await expect(get(port, { maxVersion: 'TLSv1.2' })).rejects.toThrow();
    expect((await get(port)).status).toBe(200);
  });

  test('basic auth over TLS: 401 without, 200 with credentials', async () => {
    const { port } = (await start(webConfig(tlsConfig(), [['prom', HASH]]))).address;
    expect((await get(port)).status).toBe(401);
    expect((await get(port, { authorization: basic('prom', PASSWORD) })).status).toBe(200);
  });

  describe('client certificates', () => {
    const ca = () => join(dir, 'caCert');
    const client = () => ({ cert: certs.clientCert, key: certs.clientKey });
    const stranger = () => ({ cert: certs.strangerCert, key: certs.strangerKey });

    test('RequireAndVerifyClientCert: no cert and a foreign cert are refused, ours is served', async () => {
      const tls = tlsConfig({ clientAuthType: 'RequireAndVerifyClientCert', clientCaFile: ca() });
      const { port } = (await start(webConfig(tls))).address;
      await expect(get(port)).rejects.toThrow();
      await expect(get(port, stranger())).rejects.toThrow();
      expect((await get(port, client())).status).toBe(200);
    });

    test('RequireAnyClientCert: any certificate, but one is needed', async () => {
      const { port } = (await start(webConfig(tlsConfig({ clientAuthType: 'RequireAnyClientCert' }))))
        .address;
      await expect(get(port)).rejects.toThrow();
      expect((await get(port, stranger())).status).toBe(200);
    });

    test('VerifyClientCertIfGiven: none is fine, a foreign one is refused', async () => {
      const tls = tlsConfig({ clientAuthType: 'VerifyClientCertIfGiven', clientCaFile: ca() });
      const { port } = (await start(webConfig(tls))).address;
      expect((await get(port)).status).toBe(200);
      expect((await get(port, client())).status).toBe(200);
      await expect(get(port, stranger())).rejects.toThrow();
    });

    test('mutual TLS and basic auth together', async () => {
      const tls = tlsConfig({ clientAuthType: 'RequireAndVerifyClientCert', clientCaFile: ca() });
      const { port } = (await start(webConfig(tls, [['prom', HASH]]))).address;
      expect((await get(port, client())).status).toBe(401);
      expect((await get(port, { ...client(), authorization: basic('prom', PASSWORD) })).status).toBe(200);
    });
  });
});
