import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWebConfig, parseWebConfig } from '../../src/server/web-config.js';
import { makeCertificates, type TestCertificates } from './support.js';

const run = promisify(execFile);
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLE = join(REPO_ROOT, 'examples/web-config.yml');
const HASH = bcrypt.hashSync('s3cret', 4);

let dir: string;
let certs: TestCertificates;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-config-'));
  certs = await makeCertificates();
  writeFileSync(join(dir, 'server.crt'), certs.serverCert);
  writeFileSync(join(dir, 'server.key'), certs.serverKey);
  writeFileSync(join(dir, 'other.key'), certs.clientKey);
  writeFileSync(join(dir, 'ca.crt'), certs.caCert);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function promtool(path: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', ['check', 'web-config', path]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('parseWebConfig rejects bad files with clear errors', () => {
  const cases: [string, string, string[]][] = [
    ['an unknown key', 'foo: 1', ['foo: unknown key']],
    [
      'a toolkit key this exporter lacks',
      'rate_limit: {burst: 1}',
      ['rate_limit: not supported by this exporter (not implemented)'],
    ],
    [
      'inline certificates',
      'tls_server_config: {cert: x, key: y}',
      [
        'tls_server_config.cert_file: required',
        'tls_server_config.key_file: required',
        'tls_server_config.cert: not supported by this exporter (use cert_file)',
        'tls_server_config.key: not supported by this exporter (use key_file)',
      ],
    ],
    [
      'an empty cert_file',
      'tls_server_config: {cert_file: "", key_file: server.key}',
      ['tls_server_config.cert_file: must not be empty'],
    ],
    [
      'an unknown client_auth_type and TLS version',
      'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: Bogus, min_version: TLS14}',
      [
        'tls_server_config.client_auth_type: Invalid option: expected one of "NoClientCert"|"RequestClientCert"|"RequireAnyClientCert"|"VerifyClientCertIfGiven"|"RequireAndVerifyClientCert"',
        'tls_server_config.min_version: Invalid option: expected one of "TLS10"|"TLS11"|"TLS12"|"TLS13"',
      ],
    ],
    [
      'min_version above max_version',
      'tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12}',
      ['tls_server_config: min_version is above max_version'],
    ],
    [
      'a client CA without client auth',
      'tls_server_config: {cert_file: server.crt, key_file: server.key, client_ca_file: ca.crt}',
      ['tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert (set client_auth_type)'],
    ],
    [
      'verified client certificates without a CA',
      'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert}',
      ['tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert'],
    ],
    [
      'a key that does not match the certificate',
      'tls_server_config: {cert_file: server.crt, key_file: other.key}',
      ['tls_server_config: cannot load the certificate and key: key values mismatch'],
    ],
    [
      'a list of users',
      'basic_auth_users: [prom]',
      ['basic_auth_users: Invalid input: expected record, received array'],
    ],
    [
      'a header the toolkit does not allow',
      'http_server_config: {headers: {X-Powered-By: me}}',
      ['http_server_config.headers: HTTP header "X-Powered-By" can not be configured'],
    ],
    [
      'a header value outside its set',
      'http_server_config: {headers: {X-Frame-Options: allow}}',
      ['http_server_config.headers.X-Frame-Options: must be one of deny, sameorigin, got "allow"'],
    ],
    [
      'http2 (this server speaks HTTP/1.1)',
      'http_server_config: {http2: true}',
      ['http_server_config.http2: not supported by this exporter (the server speaks HTTP/1.1)'],
    ],
    [
      'a user name with a colon',
      `basic_auth_users: {"a:b": "${HASH}"}`,
      ['basic_auth_users.a:b: a user name must be non-empty and contain no ":"'],
    ],
  ];
  test.each(cases)('%s', (_name, yaml, errors) => {
    expect(parseWebConfig(yaml, dir)).toEqual({ ok: false, errors });
  });

  test('a missing certificate file names the resolved path', () => {
    const result = parseWebConfig('tls_server_config: {cert_file: missing.crt, key_file: server.key}', dir);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      `tls_server_config.cert_file: cannot read ${join(dir, 'missing.crt')}: ENOENT: no such file or directory, open '${join(dir, 'missing.crt')}'`,
    ]);
  });

  test('neither a bad hash nor broken YAML around a hash is echoed back', () => {
    const notAHash = 'plain-text-password-by-mistake';
    const bad = parseWebConfig(`basic_auth_users: {prom: ${notAHash}}`, dir);
    expect(bad).toEqual({
      ok: false,
      errors: ['basic_auth_users.prom: not a bcrypt hash (make one with htpasswd -nBC 10 "" or bcryptjs)'],
    });
    const broken = parseWebConfig(`basic_auth_users:\n  prom: "${HASH}\n  other: [`, dir);
    expect(broken.ok).toBe(false);
    expect(JSON.stringify(broken)).not.toContain(HASH.slice(7));
    expect(!broken.ok && broken.errors[0]).toMatch(/^invalid YAML: /);
  });

  test('an unreadable file is an error, not an exception', () => {
    expect(loadWebConfig(join(dir, 'nope.yml'))).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^cannot read web config file .*nope\.yml: ENOENT/)],
    });
  });
});

describe('loadWebConfig accepts good files', () => {
  test('an empty file means no TLS and no auth', () => {
    expect(parseWebConfig('', dir)).toEqual({
      ok: true,
      config: { tls: null, basicAuthUsers: new Map(), headers: {} },
    });
  });

  test('resolves certificate paths against the file, fills defaults', () => {
    mkdirSync(join(dir, 'conf'), { recursive: true });
    const path = write(
      'conf/tls.yml',
      `tls_server_config:\n  cert_file: ../server.crt\n  key_file: ${join(dir, 'server.key')}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ../ca.crt\nbasic_auth_users:\n  prom: ${HASH}\n`,
    );
    expect(loadWebConfig(path)).toEqual({
      ok: true,
      config: {
        tls: {
          certFile: join(dir, 'server.crt'),
          keyFile: join(dir, 'server.key'),
          clientCaFile: join(dir, 'ca.crt'),
          clientAuthType: 'RequireAndVerifyClientCert',
          minVersion: 'TLS12',
          maxVersion: 'TLS13',
        },
        basicAuthUsers: new Map([['prom', HASH]]),
        headers: {},
      },
    });
  });

  test('the shipped example loads', () => {
    const result = loadWebConfig(EXAMPLE);
    expect(result.ok).toBe(true);
    expect(result.ok && [...result.config.basicAuthUsers.keys()]).toEqual(['prometheus']);
    expect(
      result.ok &&
        bcrypt.compareSync('example-password', result.config.basicAuthUsers.get('prometheus') ?? ''),
    ).toBe(true);
  });
});

describe('agrees with promtool check web-config', () => {
  test('the shipped example passes', async () => {
    expect(await promtool(EXAMPLE)).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
  });

  test('a TLS + mutual TLS + auth file passes both', async () => {
    const path = write(
      'mtls.yml',
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  min_version: TLS12\nbasic_auth_users:\n  prom: ${HASH}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
    );
    expect((await promtool(path)).code).toBe(0);
    expect(loadWebConfig(path).ok).toBe(true);
  });

  test('a bad hash fails both', async () => {
    const path = write('bad-hash.yml', 'basic_auth_users:\n  prom: $2b$10$short\n');
    expect((await promtool(path)).code).not.toBe(0);
    expect(loadWebConfig(path).ok).toBe(false);
  });

  test('a client CA without client auth fails both', async () => {
    const path = write(
      'ca-no-auth.yml',
      'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_ca_file: ca.crt\n',
    );
    expect((await promtool(path)).code).not.toBe(0);
    expect(loadWebConfig(path).ok).toBe(false);
  });
});
