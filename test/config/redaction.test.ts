import path from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  type Config,
  formatConfigErrors,
  loadConfigFile,
  maskUrlSecrets,
  maskUrlsInText,
  parseConfig,
  redactedConfig,
  redactedYaml,
  renderCheckConfigSummary,
} from '../../src/config/index.js';
import { REPO_ROOT } from '../support/fixtures.js';

const SECRET = 'hunter2-Sup3rSecret';

const FULL = `
xrpl:
  servers: [wss://s.altnet.rippletest.net:51233, "wss://user:${SECRET}@rippled.example.com:6006"]
  explorer_url: https://testnet.xrpl.org/transactions/{hash}
accounts:
  - address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe
    name: faucet
    group: test
state:
  path: ./data/state.json
email:
  smtp:
    host: smtp.example.com
    secure: true
    user: alerts@example.com
    password: \${SMTP_PASSWORD}
  from: "XRPL alerts <alerts@example.com>"
  to: [ops@example.com]
alertmanager:
  urls: [http://am1:9093, "https://am:${SECRET}@am2.example.com/prefix"]
  basic_auth: { username: exporter, password: "\${SMTP_PASSWORD}" }
rules:
  - name: big
    kind: payment
    threshold: 0.1000000000000000055511151231257827
    currency: XRP
    accounts: [faucet]
    destination_tag: missing
    labels: { severity: page, team: 7 }
  - name: inflow
    kind: total
    threshold: 250000.5
    window: 1h30m
    currency: USD
    issuer: rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B
    cooldown: 0
    to: [treasury@example.com]
`;

function load(): Config {
  const result = parseConfig(FULL, { SMTP_PASSWORD: SECRET });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

describe('redactedConfig', () => {
  test('snake_case keys, file notation, secrets replaced', () => {
    const config = load();
    expect(config.email?.smtp.password).toBe(SECRET);
    expect(redactedConfig(config)).toEqual({
      xrpl: {
        servers: ['wss://s.altnet.rippletest.net:51233', 'wss://user:<secret>@rippled.example.com:6006'],
        api_version: 2,
        stale_after: '30s',
        request_timeout: '20s',
        explorer_url: 'https://testnet.xrpl.org/transactions/{hash}',
        full_stream_threshold: 10000,
        network_id: null,
      },
      accounts: [{ address: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', name: 'faucet', group: 'test' }],
      state: { path: './data/state.json', max_backfill_ledgers: 100000 },
      verification: { interval: '10m' },
      metrics: {
        payment_size_buckets_xrp: [1, 10, 100, 1000, 10000, 100000, 1000000],
        aggregate_by: 'account',
      },
      email: {
        smtp: {
          host: 'smtp.example.com',
          port: 465,
          secure: true,
          user: 'alerts@example.com',
          password: '<secret>',
        },
        from: 'XRPL alerts <alerts@example.com>',
        to: ['ops@example.com'],
      },
      alertmanager: {
        urls: ['http://am1:9093', 'https://am:<secret>@am2.example.com/prefix'],
        resend_interval: '1m',
        timeout: '10s',
        basic_auth: { username: 'exporter', password: '<secret>' },
      },
      rules: [
        {
          name: 'big',
          kind: 'payment',
          threshold: '0.1000000000000000055511151231257827',
          currency: 'XRP',
          accounts: ['rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe'],
          destination_tag: 'missing',
          notify: ['email', 'alertmanager'],
          labels: { severity: 'page', team: '7' },
        },
        {
          name: 'inflow',
          kind: 'total',
          threshold: '250000.5',
          window: '1h30m',
          currency: 'USD',
          issuer: 'rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59B',
          cooldown: '0s',
          to: ['treasury@example.com'],
          notify: ['email', 'alertmanager'],
        },
      ],
    });
  });

  test('its YAML parses back to the same config, apart from the secrets', () => {
    const config = load();
    const yaml = redactedYaml(config);
    expect(yaml).toContain('  to: [ops@example.com]\n');
    const again = parseConfig(yaml, {});
    if (!again.ok) throw new Error(again.errors.join('\n'));
    const withoutSecrets = (c: Config) => ({
      ...c,
      xrpl: { ...c.xrpl, servers: c.xrpl.servers.slice(0, 1) },
      email: c.email && { ...c.email, smtp: { ...c.email.smtp, password: null } },
      alertmanager: c.alertmanager && { ...c.alertmanager, urls: [], basicAuth: null },
    });
    expect(again.config.email?.smtp.password).toBe('<secret>');
    expect(withoutSecrets(again.config)).toEqual(withoutSecrets(config));
  });
});

test('the full example survives the same round trip', async () => {
  const result = await loadConfigFile(path.join(REPO_ROOT, 'examples/config-full.yaml'), {
    SMTP_PASSWORD: SECRET,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const again = parseConfig(redactedYaml(result.config), {});
  if (!again.ok) throw new Error(again.errors.join('\n'));
  expect(redactedYaml(again.config)).toBe(redactedYaml(result.config));
  const withoutSecrets = (c: Config) => ({
    ...c,
    email: null,
    alertmanager: c.alertmanager && { ...c.alertmanager, basicAuth: null },
  });
  expect(withoutSecrets(again.config)).toEqual(withoutSecrets(result.config));
  expect(again.config.alertmanager?.basicAuth?.password).toBe('<secret>');
});

describe('renderCheckConfigSummary', () => {
  test('a short summary, then the redacted YAML; the password appears nowhere', () => {
    const summary = renderCheckConfigSummary(load());
    expect(summary).not.toContain(SECRET);
    expect(summary.split('\n').slice(0, 7)).toEqual([
      '  servers:      wss://s.altnet.rippletest.net:51233, wss://user:<secret>@rippled.example.com:6006',
      '  api version:  2',
      '  accounts:     1',
      '  rules:        2 (big, inflow)',
      '  smtp:         smtp.example.com:465 (implicit TLS)',
      '  alertmanager: http://am1:9093, https://am:<secret>@am2.example.com/prefix',
      '',
    ]);
    expect(summary).toContain('    password: <secret>\n');
    expect(summary).toContain('threshold: "0.1000000000000000055511151231257827"');
  });

  test('without email it says so', () => {
    const result = parseConfig(
      'xrpl: {servers: [ws://localhost:6006]}\naccounts: [{address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe}]',
      {},
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(renderCheckConfigSummary(result.config)).toContain('  smtp:         none\n');
    expect(renderCheckConfigSummary(result.config)).toContain('  alertmanager: none\n');
  });
});

describe('error messages never echo a secret', () => {
  const smtp = (passwordLine: string) => `
xrpl:
  servers: [wss://a.example]
accounts:
  - address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe
email:
  smtp:
    host: smtp.example.com
${passwordLine}
  from: alerts@example.com
  to: [ops@example.com]
`;
  test.each([
    ['a list', `    user: u\n    password: [${SECRET}]`],
    ['a mapping', `    user: u\n    password: {value: ${SECRET}}`],
    ['a number', '    user: u\n    password: 86753091234'],
    ['no user', `    password: ${SECRET}`],
    ['an unterminated quote (YAML syntax error)', `    user: u\n    password: "${SECRET}`],
    ['a bad indentation (YAML syntax error)', `    user: u\n   password: ${SECRET}`],
    ['an unterminated reference', `    user: u\n    password: ${SECRET}\${X`],
    ['a bad variable name', `    user: u\n    password: \${${SECRET}}`],
    ['a misspelt key', `    user: u\n    passwd: ${SECRET}`],
    ['a secret key under the wrong section', `    user: u\n    password: ok\n  secret: ${SECRET}`],
  ])('password given as %s', (_, line) => {
    const result = parseConfig(smtp(line), {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.length).toBeGreaterThan(0);
    expect(formatConfigErrors(result.errors)).not.toContain(SECRET);
    expect(formatConfigErrors(result.errors)).not.toContain('86753091234');
  });

  test('a password in an invalid server URL is masked', () => {
    const result = parseConfig(
      `xrpl:\n  servers: ["https://user:${SECRET}@rippled.example.com"]\naccounts: [{address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe}]`,
      {},
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'xrpl.servers[0]: "https://user:<secret>@rippled.example.com" is not a ws/wss URL (use ws:// or wss://)',
      ],
    });
  });
});

describe('URL secrets: the userinfo password and every query-string value', () => {
  test.each([
    ['wss://host/?api_key=KEY-123', 'wss://host/?api_key=<secret>'],
    ['wss://host?api_key=KEY-123', 'wss://host?api_key=<secret>'],
    ['wss://host:51233/path?a=1&token=KEY-123#frag', 'wss://host:51233/path?a=<secret>&token=<secret>#frag'],
    ['wss://user:pw@host/?api_key=KEY-123', 'wss://user:<secret>@host/?api_key=<secret>'],
    ['wss://user:pw@host', 'wss://user:<secret>@host'],
    // A name without a value, or an empty value, holds no secret.
    ['wss://host/?flag&empty=', 'wss://host/?flag&empty='],
    ['wss://host:6006', 'wss://host:6006'],
    ['not a url ?x=1', 'not a url ?x=1'],
  ])('%s', (url, masked) => {
    expect(maskUrlSecrets(url)).toBe(masked);
  });

  test('in free text: the known URLs verbatim, and any other URL (a library may normalise it)', () => {
    const known = 'wss://host?api_key=KEY-123';
    const text = `cannot connect to ${known}: Unexpected server response from wss://host/?api_key=KEY-123, 503`;
    expect(maskUrlsInText(text, [known])).toBe(
      'cannot connect to wss://host?api_key=<secret>: Unexpected server response from wss://host/?api_key=<secret>, 503',
    );
    expect(
      maskUrlsInText('servers wss://a/?k=KEY-1,wss://b/?k=KEY-2', ['wss://a/?k=KEY-1', 'wss://b/?k=KEY-2']),
    ).toBe('servers wss://a/?k=<secret>,wss://b/?k=<secret>');
  });

  test('check-config, the redacted YAML and an invalid URL message mask query values', () => {
    const yaml = `xrpl:\n  servers: ["wss://rippled.example.com/?api_key=${SECRET}"]\naccounts: [{address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe}]`;
    const result = parseConfig(yaml, {});
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const summary = renderCheckConfigSummary(result.config);
    expect(summary).toContain('wss://rippled.example.com/?api_key=<secret>');
    expect(`${summary}${redactedYaml(result.config)}`).not.toContain(SECRET);
    const invalid = parseConfig(yaml.replace('wss://', 'https://'), {});
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.errors.join('\n')).not.toContain(SECRET);
  });
});
