import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { REPO_ROOT } from '../support/fixtures.js';

/** One invalid file per validation rule, with the exact messages a user sees (blackbox_exporter's testdata habit). */
const TESTDATA = path.join(REPO_ROOT, 'test/config/testdata');

const A = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const CURRENCY_HINT = '(use XRP, a 3-character code, a 40-hex code or a 48-hex MPT issuance id)';

const expected: Record<string, string[]> = {
  'unknown-key-top.yaml': ['bogus: unknown key'],
  'unknown-key-xrpl.yaml': ['xrpl.bogus: unknown key'],
  'unknown-key-rule.yaml': ['rules[0].treshold: unknown key (did you mean threshold?)'],
  'unknown-key-typo.yaml': ['xrpl.stale_afer: unknown key (did you mean stale_after?)'],
  'yaml-syntax.yaml': [
    'yaml: syntax error at line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  'yaml-duplicate-key.yaml': ['yaml: syntax error at line 6, column 1: Map keys must be unique'],
  'root-not-mapping.yaml': ['(root): expected a mapping, got a list'],
  'xrpl-missing.yaml': ['xrpl: required'],
  'servers-missing.yaml': ['xrpl.servers: required'],
  'servers-empty.yaml': ['xrpl.servers: must not be empty'],
  'servers-not-a-list.yaml': ['xrpl.servers: expected a list, got a string'],
  'server-http.yaml': [
    'xrpl.servers[0]: "https://s.altnet.rippletest.net:51234" is not a ws/wss URL (use ws:// or wss://)',
  ],
  'server-invalid-url.yaml': ['xrpl.servers[0]: invalid URL "s.altnet.rippletest.net" (use ws:// or wss://)'],
  'server-duplicate.yaml': ['xrpl.servers[1]: duplicate of xrpl.servers[0]'],
  'api-version.yaml': ['xrpl.api_version: must be 1 or 2'],
  'stale-after-invalid.yaml': ['xrpl.stale_after: invalid duration "30 s" (use e.g. 30s, 10m, 1h)'],
  'stale-after-too-long.yaml': ['xrpl.stale_after: must be at most 24d'],
  'request-timeout-zero.yaml': ['xrpl.request_timeout: must be greater than 0'],
  'request-timeout-number.yaml': ['xrpl.request_timeout: invalid duration "20" (use e.g. 30s, 10m, 1h)'],
  'explorer-url-no-hash.yaml': ['xrpl.explorer_url: must contain {hash}'],
  'full-stream-threshold.yaml': ['xrpl.full_stream_threshold: must be a whole number greater than 0'],
  'accounts-missing.yaml': ['accounts: required'],
  'accounts-empty.yaml': ['accounts: must not be empty'],
  'account-not-a-mapping.yaml': ['accounts[0]: expected a mapping, got a string'],
  'since-invalid.yaml': [
    'accounts[0].since: expected a ledger index or an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got "last week"',
    'accounts[1].since: ledger index must be from 1 to 4294967295, got 0',
    'accounts[2].since: expected a ledger index or an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got "2026-01-01T00:00:00"',
    'accounts[3].since: expected a ledger index or an ISO 8601 date-time, got true/false',
  ],
  'address-missing.yaml': ['accounts[0].address: required'],
  'address-checksum.yaml': [
    'accounts[0].address: invalid XRP Ledger address "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYf" (invalid checksum)',
  ],
  'address-alphabet.yaml': [
    'accounts[0].address: invalid XRP Ledger address "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAY0" (character "0" is not in the XRP Ledger base58 alphabet)',
  ],
  'address-length.yaml': ['accounts[0].address: invalid XRP Ledger address "rXXX" (wrong length)'],
  'address-not-r.yaml': [
    'accounts[0].address: invalid XRP Ledger address "bPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe" (a classic address starts with r)',
  ],
  // YAML reads 0x... as a hexadecimal number.
  'address-number.yaml': ['accounts[0].address: expected an XRP Ledger address, got a number'],
  'address-x.yaml': [
    'accounts[0].address: X-address "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ" is not supported: use the classic address "r9cZA1mLK5R5Am25ArfXFmqgNwjZgnfk59"',
  ],
  'address-duplicate.yaml': ['accounts[1].address: duplicate of accounts[0]'],
  'name-duplicate.yaml': ['accounts[1].name: "hot" is already used by accounts[0]'],
  'name-is-other-address.yaml': [`accounts[1].name: "${A}" is the address of accounts[0]`],
  'name-empty.yaml': ['accounts[0].name: must not be empty'],
  'group-required.yaml': ['accounts[1].group: required when metrics.aggregate_by is "group"'],
  'aggregate-by.yaml': ['metrics.aggregate_by: must be "account" or "group"'],
  'buckets-order.yaml': [
    'metrics.payment_size_buckets_xrp[2]: must be greater than the previous bucket (100)',
  ],
  'buckets-not-positive.yaml': ['metrics.payment_size_buckets_xrp[0]: must be greater than 0'],
  'buckets-type.yaml': ['metrics.payment_size_buckets_xrp[1]: expected a number, got a string'],
  'buckets-empty.yaml': ['metrics.payment_size_buckets_xrp: must not be empty'],
  'state-not-a-mapping.yaml': ['state: expected a mapping, got a list'],
  'max-backfill-negative.yaml': ['state.max_backfill_ledgers: must be a whole number >= 0'],
  'max-backfill-fraction.yaml': ['state.max_backfill_ledgers: must be a whole number >= 0'],
  'email-required.yaml': ['email: required when rules are configured and there is no alertmanager section'],
  'email-from-missing.yaml': ['email.from: required'],
  'email-to-empty.yaml': ['email.to: must not be empty'],
  'email-to-invalid.yaml': ['email.to[0]: invalid email address "ops"'],
  'smtp-host-missing.yaml': ['email.smtp.host: required'],
  'smtp-port.yaml': ['email.smtp.port: must be a whole number from 1 to 65535'],
  'smtp-secure-type.yaml': ['email.smtp.secure: expected true or false, got a string'],
  'smtp-password-number.yaml': ['email.smtp.password: expected a string, got a number (quote it)'],
  'smtp-password-without-user.yaml': ['email.smtp.password: requires email.smtp.user'],
  'env-unset.yaml': [
    'email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
  ],
  // An unset variable does not hide the other problems of the file.
  'env-unset-and-more.yaml': [
    'xrpl.stale_afer: unknown key (did you mean stale_after?)',
    'accounts: must not be empty',
    'email.smtp.password: environment variable SMTP_PASSWORD is not set (write ${SMTP_PASSWORD:-default} for a default)',
  ],
  'env-unterminated.yaml': ['email.smtp.host: unterminated "${" (write "$${" for a literal "${")'],
  'env-bad-name.yaml': [
    'email.smtp.host: invalid variable name in "${...}" (use letters, digits and _, not starting with a digit)',
  ],
  'rules-not-a-list.yaml': ['rules: expected a list, got a mapping'],
  'rule-name-missing.yaml': ['rules[0].name: required'],
  'rule-name-duplicate.yaml': ['rules[1].name: "quiet" is already used by rules[0]'],
  'rule-kind.yaml': ['rules[0].kind: must be one of payment, total, count, silence'],
  'rule-kind-missing.yaml': ['rules[0].kind: required'],
  'rule-window-required.yaml': ['rules[0].window: required for kind "total"'],
  'rule-window-not-allowed.yaml': ['rules[0].window: not allowed for kind "payment"'],
  'rule-window-zero.yaml': ['rules[0].window: must be greater than 0'],
  'rule-threshold-required.yaml': ['rules[0].threshold: required for kind "count"'],
  'rule-threshold-not-allowed.yaml': ['rules[0].threshold: not allowed for kind "silence"'],
  'rule-threshold-invalid.yaml': [
    'rules[0].threshold: invalid amount "1,000" (use a decimal number such as 1000 or 0.5)',
  ],
  'rule-threshold-negative.yaml': ['rules[0].threshold: must not be negative'],
  'rule-total-threshold-zero.yaml': ['rules[0].threshold: must be greater than 0'],
  'rule-count-threshold-fraction.yaml': [
    'rules[0].threshold: must be a whole number greater than 0 for kind "count"',
  ],
  'rule-currency-required.yaml': ['rules[0].currency: required for kind "payment"'],
  'rule-currency-invalid.yaml': [`rules[0].currency: invalid currency "US" ${CURRENCY_HINT}`],
  'rule-issuer-with-xrp.yaml': ['rules[0].issuer: not allowed with currency XRP'],
  'rule-issuer-invalid.yaml': [
    'rules[0].issuer: invalid XRP Ledger address "rvYAfWj5gh67oV6fW32ZzP3Aw4Eubs59C" (invalid checksum)',
  ],
  'rule-accounts-unknown.yaml': [
    'rules[0].accounts[1]: "treasury" is not a configured account name or address',
  ],
  'rule-accounts-empty.yaml': ['rules[0].accounts: must not be empty'],
  'rule-from-invalid.yaml': [
    'rules[0].from[0]: invalid XRP Ledger address "faucet" (a classic address starts with r)',
  ],
  'rule-destination-tag.yaml': [
    'rules[0].destination_tag: must be a whole number from 0 to 4294967295, or missing',
  ],
  'rule-destination-tag-word.yaml': [
    'rules[0].destination_tag: must be a whole number from 0 to 4294967295, or missing',
  ],
  'rule-cooldown-not-allowed.yaml': ['rules[0].cooldown: not allowed for kind "payment"'],
  'rule-cooldown-invalid.yaml': ['rules[0].cooldown: invalid duration "15 minutes" (use e.g. 30s, 10m, 1h)'],
  'rule-to-invalid.yaml': ['rules[0].to[0]: invalid email address "treasury.example.com"'],
  'alertmanager-urls-missing.yaml': ['alertmanager.urls: required'],
  'alertmanager-urls-empty.yaml': ['alertmanager.urls: must not be empty'],
  'alertmanager-url-scheme.yaml': [
    'alertmanager.urls[0]: "ws://am.example:9093" is not a http/https URL (use http:// or https://)',
  ],
  'alertmanager-url-query.yaml': [
    'alertmanager.urls[0]: must not have a query or fragment (the API path is appended to it)',
  ],
  'alertmanager-unknown-key.yaml': ['alertmanager.resend: unknown key'],
  'alertmanager-durations.yaml': [
    'alertmanager.resend_interval: must be greater than 0',
    'alertmanager.timeout: invalid duration "ten seconds" (use e.g. 30s, 10m, 1h)',
  ],
  'alertmanager-basic-auth.yaml': [
    'alertmanager.basic_auth.password: expected a string, got a number (quote it)',
  ],
  'alertmanager-basic-auth-username.yaml': ['alertmanager.basic_auth.username: required'],
  'rule-notify-unknown.yaml': ['rules[0].notify[0]: must be one of email, alertmanager'],
  'rule-notify-not-configured.yaml': [
    'rules[0].notify[0]: needs an email section',
    'rules[0].notify[2]: duplicate of rules[0].notify[1]',
  ],
  'rule-notify-empty.yaml': ['rules[0].notify: must not be empty'],
  'rule-labels-invalid.yaml': [
    'rules[0].labels.2fa: invalid label name (letters, digits and _, not starting with a digit or __)',
    'rules[0].labels.__meta: invalid label name (letters, digits and _, not starting with a digit or __)',
    'rules[0].labels.tx_hash: is set by the exporter and cannot be overridden',
    'rules[0].labels.team: expected a string, got a list',
  ],
  'rule-labels-not-a-mapping.yaml': ['rules[0].labels: expected a mapping, got a list'],
  // Several problems in one file: every one is reported, in file order.
  'many-errors.yaml': [
    'xrpl.servers[0]: "http://a.example" is not a ws/wss URL (use ws:// or wss://)',
    'xrpl.stale_after: invalid duration "soon" (use e.g. 30s, 10m, 1h)',
    'xrpl.colour: unknown key',
    'accounts[0].address: invalid XRP Ledger address "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYf" (invalid checksum)',
    'accounts[1].name: "faucet" is already used by accounts[0]',
    'rules[0].currency: required for kind "total"',
    'rules[0].window: required for kind "total"',
    'rules[1].name: "inflow" is already used by rules[0]',
    'rules[1].threshold: not allowed for kind "silence"',
    'rules[1].accounts[0]: "treasury" is not a configured account name or address',
    'email: required when rules are configured and there is no alertmanager section',
  ],
};

describe('invalid config files', () => {
  test('every YAML file in testdata has an expectation, and every expectation a file', () => {
    const files = readdirSync(TESTDATA).filter((name) => name.endsWith('.yaml'));
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  test.each(Object.entries(expected))('%s', async (file, messages) => {
    const result = await loadConfigFile(path.join(TESTDATA, file), {});
    expect(result).toEqual({ ok: false, errors: messages });
  });
});
