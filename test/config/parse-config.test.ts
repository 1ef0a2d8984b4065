import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { type Config, formatConfigErrors, loadConfigFile, parseConfig } from '../../src/config/index.js';
import { REPO_ROOT } from '../support/fixtures.js';

const FAUCET = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const GENESIS = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';

const MINIMAL = `
xrpl:
  servers: [wss://s.altnet.rippletest.net:51233]
accounts:
  - address: ${FAUCET}
`;

function valid(yaml: string, env: Record<string, string | undefined> = {}): Config {
  const result = parseConfig(yaml, env);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatConfigErrors(result.errors)}`);
  return result.config;
}

function errors(yaml: string, env: Record<string, string | undefined> = {}): string[] {
  const result = parseConfig(yaml, env);
  if (result.ok) throw new Error('expected errors, the config is valid');
  return result.errors;
}

const withRules = (rules: string) => `${MINIMAL}
email:
  smtp: {host: smtp.example.com}
  from: alerts@example.com
  to: [ops@example.com]
rules:
${rules}`;

describe('parseConfig', () => {
  test('a minimal config gets every default', () => {
    expect(valid(MINIMAL)).toEqual({
      xrpl: {
        servers: ['wss://s.altnet.rippletest.net:51233'],
        apiVersion: 2,
        staleAfterMs: 30_000,
        requestTimeoutMs: 20_000,
        explorerUrl: null,
        fullStreamThreshold: 10_000,
        networkId: null,
      },
      accounts: [{ address: FAUCET, name: FAUCET, group: null, since: null }],
      state: { path: null, maxBackfillLedgers: 100_000 },
      verification: { intervalMs: 600_000 },
      metrics: { paymentSizeBucketsXrp: [1, 10, 100, 1000, 10000, 100000, 1000000], aggregateBy: 'account' },
      email: null,
      alertmanager: null,
      rules: [],
    });
  });

  test('alertmanager defaults; rules notify every configured sink unless they say otherwise', () => {
    const config = valid(`${MINIMAL}
email:
  smtp: {host: smtp.example.com}
  from: alerts@example.com
  to: [ops@example.com]
alertmanager:
  urls: [http://am1.example:9093, http://am2.example:9093/]
rules:
  - { name: both, kind: payment, threshold: 1, currency: XRP, labels: { severity: page, team: 7 } }
  - { name: mail, kind: payment, threshold: 1, currency: XRP, notify: [email] }
  - { name: am, kind: silence, window: 1h, notify: [alertmanager] }`);
    expect(config.alertmanager).toEqual({
      urls: ['http://am1.example:9093', 'http://am2.example:9093/'],
      resendIntervalMs: 60_000,
      timeoutMs: 10_000,
      basicAuth: null,
    });
    expect(config.rules.map((r) => [r.name, r.notify, r.labels])).toEqual([
      ['both', ['email', 'alertmanager'], { severity: 'page', team: '7' }],
      ['mail', ['email'], {}],
      ['am', ['alertmanager'], {}],
    ]);
  });

  test('rules without an email section are fine when alertmanager is configured', () => {
    const config = valid(`${MINIMAL}
alertmanager:
  urls: [http://127.0.0.1:9093]
  resend_interval: 30s
  timeout: 2s
  basic_auth: { username: u, password: p }
rules:
  - { name: big, kind: payment, threshold: 1, currency: XRP }`);
    expect(config.email).toBeNull();
    expect(config.alertmanager).toMatchObject({
      resendIntervalMs: 30_000,
      timeoutMs: 2_000,
      basicAuth: { username: 'u', password: 'p' },
    });
    expect(config.rules[0]?.notify).toEqual(['alertmanager']);
  });

  test('an amount keeps every digit (never a float)', () => {
    const config = valid(
      withRules(`  - name: tiny
    kind: payment
    currency: XRP
    threshold: 0.1000000000000000055511151231257827
  - name: huge
    kind: total
    window: 1d
    currency: USD
    threshold: "99999999999999999999999.000000000000000000001"
  - name: exponent
    kind: payment
    currency: USD
    threshold: 1e-81`),
    );
    expect(config.rules.map((r) => r.threshold?.toFixed())).toEqual([
      '0.1000000000000000055511151231257827',
      '99999999999999999999999.000000000000000000001',
      `0.${'0'.repeat(80)}1`,
    ]);
    expect(config.rules[0]?.threshold).toBeInstanceOf(Big);
  });

  test('rule accounts given by name or address resolve to addresses, without repeats', () => {
    const config = valid(`${MINIMAL}  - address: ${GENESIS}
    name: genesis
email:
  smtp: {host: smtp.example.com}
  from: alerts@example.com
  to: [ops@example.com]
rules:
  - name: quiet
    kind: silence
    window: 1h
    accounts: [genesis, ${FAUCET}, ${GENESIS}]
`);
    expect(config.rules[0]?.accounts).toEqual([GENESIS, FAUCET]);
  });

  test('rule fields and defaults', () => {
    const [payment, count] = valid(
      withRules(`  - name: tagged
    kind: payment
    threshold: 5
    currency: 524c555344000000000000000000000000000000
    issuer: rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B
    from: [${GENESIS}]
    destination_tag: 4294967295
    to: ["Treasury <treasury@example.com>"]
  - name: burst
    kind: count
    threshold: 3
    window: 1h30m
    destination_tag: missing
    cooldown: 0`),
    ).rules;
    expect(payment).toMatchObject({
      kind: 'payment',
      currency: '524C555344000000000000000000000000000000',
      issuer: 'rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B',
      accounts: null,
      from: [GENESIS],
      destinationTag: 4294967295,
      windowMs: null,
      cooldownMs: 15 * 60_000,
      to: ['Treasury <treasury@example.com>'],
      notify: ['email'],
      labels: {},
    });
    expect(count).toMatchObject({
      kind: 'count',
      windowMs: 5_400_000,
      destinationTag: 'missing',
      cooldownMs: 0,
    });
    expect(count?.threshold?.eq(3)).toBe(true);
  });

  test('smtp port defaults to 587, or 465 with implicit TLS', () => {
    const smtp = (extra: string) =>
      valid(
        `${MINIMAL}email:\n  smtp: {host: h.example${extra}}\n  from: a@example.com\n  to: [b@example.com]\n`,
      ).email?.smtp;
    expect(smtp('')).toEqual({ host: 'h.example', port: 587, secure: false, user: null, password: null });
    expect(smtp(', secure: true')?.port).toBe(465);
    expect(smtp(', secure: true, port: 2465')?.port).toBe(2465);
  });

  test('environment variables fill strings; unquoted results are typed as YAML types them', () => {
    const config = valid(
      `${MINIMAL}email:
  smtp:
    host: \${SMTP_HOST}
    port: \${SMTP_PORT:-2525}
    secure: \${SMTP_SECURE:-false}
    user: "\${SMTP_USER}"
    password: \${SMTP_PASSWORD:-}
  from: "alerts+\${ENVIRONMENT:-prod}@example.com"
  to: ["$\${not-a-variable}@example.com"]
`,
      { SMTP_HOST: 'mail.example.com', SMTP_USER: '12345', ENVIRONMENT: 'staging' },
    );
    expect(config.email).toEqual({
      smtp: { host: 'mail.example.com', port: 2525, secure: false, user: '12345', password: null },
      from: 'alerts+staging@example.com',
      to: ['${not-a-variable}@example.com'],
    });
  });

  test('a quoted substitution stays a string, so a number field refuses it', () => {
    expect(
      errors(
        `${MINIMAL}email:\n  smtp: {host: h, port: "\${P}"}\n  from: a@example.com\n  to: [b@example.com]\n`,
        {
          P: '25',
        },
      ),
    ).toEqual(['email.smtp.port: expected a number, got a string']);
  });

  test('every unset variable is reported with its path', () => {
    expect(
      errors(
        `xrpl:\n  servers:\n    - \${RIPPLED_URL}\naccounts:\n  - address: \${ACCOUNT}\n    name: \${NAME:-main}\n`,
      ),
    ).toEqual([
      'xrpl.servers[0]: environment variable RIPPLED_URL is not set (write ${RIPPLED_URL:-default} for a default)',
      'accounts[0].address: environment variable ACCOUNT is not set (write ${ACCOUNT:-default} for a default)',
    ]);
  });

  test('an unset variable is reported with every other error of the file, in file order', () => {
    expect(
      errors(
        [
          'xrpl:',
          '  servers: [wss://a.example]',
          '  stale_afer: 30s',
          '  request_timeout: ${TIMEOUT}',
          'accounts: []',
          'email:',
          '  smtp:',
          '    host: smtp.example.com',
          '    user: u',
          '    password: ${SMTP_PASSWORD}',
          '  from: alerts@example.com',
          '  to: [ops@example.com]',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'xrpl.stale_afer: unknown key (did you mean stale_after?)',
      'xrpl.request_timeout: environment variable TIMEOUT is not set (write ${TIMEOUT:-default} for a default)',
      'accounts: must not be empty',
      'email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
    ]);
  });

  test('a value that could not be read is not also reported as missing or mistyped', () => {
    // Without its variable the address is null, which the schema alone would call "required".
    expect(errors(`${MINIMAL.replace(/address: \S+/, 'address: ${ACCOUNT}')}`)).toEqual([
      'accounts[0].address: environment variable ACCOUNT is not set (write ${ACCOUNT:-default} for a default)',
    ]);
  });

  test('an unknown key gets a suggestion only when one known key of that mapping is close', () => {
    const yaml = [
      'xrpl:',
      '  servers: [wss://a.example]',
      '  Stale-After: 30s', // case and - for _ are free
      '  timeout: 20s', // request_timeout is too far
      'acounts:',
      `  - address: ${FAUCET}`,
      'state: { paht: x }',
      'rules: [{ name: r, kind: silence, window: 1h, acounts: [x] }]',
      '',
    ].join('\n');
    expect(errors(yaml)).toEqual([
      'xrpl.Stale-After: unknown key (did you mean stale_after?)',
      'xrpl.timeout: unknown key',
      'acounts: unknown key (did you mean accounts?)',
      'state.paht: unknown key (did you mean path?)',
      'rules[0].acounts: unknown key (did you mean accounts?)',
      'accounts: required',
      'email: required when rules are configured and there is no alertmanager section',
    ]);
  });

  test('an empty file lists the required keys', () => {
    expect(errors('')).toEqual(['xrpl: required', 'accounts: required']);
    expect(errors('# only a comment\n')).toEqual(['xrpl: required', 'accounts: required']);
  });

  test('aggregate_by group with every account grouped', () => {
    const config = valid(`${MINIMAL}    group: faucets\nmetrics:\n  aggregate_by: group\n`);
    expect(config.metrics.aggregateBy).toBe('group');
    expect(config.accounts[0]?.group).toBe('faucets');
  });

  test('a key named __proto__ is an unknown key, not a prototype change', () => {
    expect(errors(`${MINIMAL}__proto__: {polluted: true}\n`)).toEqual(['__proto__: unknown key']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a number where a mapping belongs is a type error, not a mapping with odd keys', () => {
    expect(errors(`${MINIMAL}state: 5\n`)).toEqual(['state: expected a mapping, got a number']);
    expect(errors('5')).toEqual(['(root): expected a mapping, got a number']);
  });

  test('a bucket must be a finite number', () => {
    expect(errors(`${MINIMAL}metrics:\n  payment_size_buckets_xrp: [1, 1e400, .inf]\n`)).toEqual([
      'metrics.payment_size_buckets_xrp[1]: must be a finite decimal number',
      'metrics.payment_size_buckets_xrp[2]: must be a finite decimal number',
    ]);
  });

  test('a byte order mark and CRLF line ends are fine', () => {
    expect(valid(`\uFEFF${MINIMAL.replaceAll('\n', '\r\n')}`).accounts[0]?.address).toBe(FAUCET);
  });

  test('an alias to a node that contains it is refused', () => {
    // With the other problems of the file: they are all reported at once.
    expect(errors('a: &a\n  b: *a\n')).toEqual([
      'a: unknown key',
      'a.b: an alias may not refer to a node that contains it',
      'xrpl: required',
      'accounts: required',
    ]);
  });

  test('an alias bomb is refused instead of expanding', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    expect(errors(`${levels.join('\n')}\n`)).toContainEqual(expect.stringMatching(/more than 1000 aliases$/));
  });
});

describe('the result is deeply frozen', () => {
  function expectDeepFrozen(value: unknown, at: string): void {
    if (typeof value !== 'object' || value === null) return;
    expect(Object.isFrozen(value), at).toBe(true);
    for (const key of Reflect.ownKeys(value)) {
      expectDeepFrozen((value as Record<PropertyKey, unknown>)[key], `${at}.${String(key)}`);
    }
  }

  test('config, arrays, rules and big.js amounts', async () => {
    const result = await loadConfigFile(path.join(REPO_ROOT, 'examples/config-full.yaml'), {
      SMTP_PASSWORD: 'x',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expectDeepFrozen(result.config, 'config');
    expect(() => (result.config.accounts as unknown as unknown[]).push('x')).toThrow(TypeError);
    // Arithmetic on a frozen amount still works (it returns new values).
    expect(result.config.rules[0]?.threshold?.plus(1).toFixed()).toBe('1001');
  });
});

describe('shipped configs', () => {
  test('config.yaml loads: testnet servers, the faucet account, no rules, no SMTP', async () => {
    const result = await loadConfigFile(path.join(REPO_ROOT, 'config.yaml'), {});
    expect(result.ok && result.config).toMatchObject({
      xrpl: {
        servers: ['wss://s.altnet.rippletest.net:51233', 'wss://testnet.xrpl-labs.com'],
        apiVersion: 2,
        explorerUrl: 'https://testnet.xrpl.org/transactions/{hash}',
      },
      accounts: [{ address: FAUCET, name: 'testnet-faucet', group: null, since: null }],
      metrics: { paymentSizeBucketsXrp: [1, 10, 100, 1000, 10000, 100000, 1000000] },
      email: null,
      rules: [],
    });
  });

  test('examples/config-full.yaml loads with SMTP_PASSWORD set and uses every rule kind', async () => {
    const result = await loadConfigFile(path.join(REPO_ROOT, 'examples/config-full.yaml'), {
      SMTP_PASSWORD: 's3cret',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.email?.smtp).toMatchObject({
      host: 'smtp.example.com',
      port: 587,
      password: 's3cret',
    });
    expect(new Set(result.config.rules.map((r) => r.kind))).toEqual(
      new Set(['payment', 'total', 'count', 'silence']),
    );
    expect(result.config.metrics.aggregateBy).toBe('group');
    expect(result.config.accounts.map((a) => a.since)).toEqual([
      { kind: 'time', unixSeconds: 1767225600, text: '2026-01-01T00:00:00Z' },
      { kind: 'ledger', index: 93000000 },
      null,
      // examples/deposit-accounts.csv (accounts_files): a file account has no since.
      null,
      null,
      null,
    ]);
  });

  test('examples/config-full.yaml without SMTP_PASSWORD says which variable is missing', async () => {
    const result = await loadConfigFile(path.join(REPO_ROOT, 'examples/config-full.yaml'), {});
    expect(result).toEqual({
      ok: false,
      errors: [
        'email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
      ],
    });
  });
});

describe('loadConfigFile and formatConfigErrors', () => {
  test('a missing file is an error naming the path', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'config-test-'));
    try {
      const missing = path.join(dir, 'nope.yaml');
      expect(await loadConfigFile(missing, {})).toEqual({
        ok: false,
        errors: [`${missing}: cannot read config file: no such file`],
      });
      expect(await loadConfigFile(dir, {})).toEqual({
        ok: false,
        errors: [`${dir}: cannot read config file: it is a directory`],
      });
      const file = path.join(dir, 'ok.yaml');
      await writeFile(file, MINIMAL);
      expect((await loadConfigFile(file, {})).ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  test('formatConfigErrors lists every error, one per line, as the spec shows them', () => {
    expect(formatConfigErrors(['xrpl: required', 'accounts: required'])).toBe(
      'xrpl: required\naccounts: required',
    );
  });
});
