import { asRecord } from '../json.js';
import type { AccountsFile } from './accounts-file/index.js';
import { type ConfigPath, formatPath } from './path.js';
import { parseAddress, parseAmount } from './values.js';
import { YamlNumber } from './yaml-tree.js';

/**
 * Checks across values, on the raw YAML data so they run even when other parts of the file are
 * invalid (every error is reported at once). A value with the wrong type is skipped here: the schema
 * already reports it.
 */
export interface CrossIssue {
  readonly path: ConfigPath;
  readonly message: string;
  /** A problem inside an accounts file: shown as `file:line: message` instead of the path. */
  readonly source?: { readonly file: string; readonly line: number };
}

type Raw = Record<string, unknown>;

const asList = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const validAddress = (value: unknown): string | null => {
  const parsed = parseAddress(value);
  return parsed.ok ? parsed.value : null;
};

/** One watched account wherever it is written: an `accounts[i]` mapping or a row of an accounts file. */
interface AccountEntry {
  /** The address when it is a valid one (checked once: the checksum costs two SHA-256 hashes). */
  readonly address: string | null;
  readonly name: unknown;
  readonly group: unknown;
  /** `accounts[i]`, or `accounts_files[k]` for a file row (for ordering the errors). */
  readonly path: ConfigPath;
  /** For a file row: the file as listed and the row's line. */
  readonly file: string | null;
  readonly line: number;
}

/**
 * `files`: the accounts files read for this config, matched to `accounts_files` by path.
 * `accountsRequired`: false when the command names its accounts itself (`report --account`).
 */
export function crossCheck(
  root: unknown,
  files: readonly AccountsFile[],
  accountsRequired = true,
): CrossIssue[] {
  const doc = asRecord(root);
  // Not a mapping: the schema says so, and there is nothing to relate.
  if (doc === null || root instanceof YamlNumber) return [];
  const read = readFiles(doc, files);
  const accounts = [...yamlAccounts(doc), ...read.accounts];
  const noAccounts =
    read.listed && accounts.length === 0 && read.issues.length === 0
      ? [{ path: ['accounts_files'], message: 'the files hold no accounts (only a header row)' }]
      : [];
  return [
    ...checkServers(doc),
    ...read.issues,
    ...noAccounts,
    ...checkAccounts(doc, accounts, read.listed || !accountsRequired),
    ...checkEmail(doc),
    ...checkRules(doc, accounts),
  ];
}

/** The `accounts` items that are mappings (the schema reports the others). */
function yamlAccounts(doc: Raw): AccountEntry[] {
  return asList(doc.accounts).flatMap((item, index) => {
    const account = asRecord(item);
    if (account === null) return [];
    const { name, group } = account;
    return [
      { address: validAddress(account.address), name, group, path: ['accounts', index], file: null, line: 0 },
    ];
  });
}

/** The rows of the files that `accounts_files` lists, and the files' own problems, in list order. */
function readFiles(
  doc: Raw,
  files: readonly AccountsFile[],
): { accounts: AccountEntry[]; issues: CrossIssue[]; listed: boolean } {
  const accounts: AccountEntry[] = [];
  const issues: CrossIssue[] = [];
  const seen = new Map<string, number>();
  const listed = asList(doc.accounts_files);
  listed.forEach((path, index) => {
    if (typeof path !== 'string' || path === '') return;
    const at: ConfigPath = ['accounts_files', index];
    const first = seen.get(path);
    if (first !== undefined) {
      issues.push({ path: at, message: `duplicate of accounts_files[${first}]` });
      return;
    }
    seen.set(path, index);
    const file = files.find((f) => f.path === path);
    if (file === undefined) {
      issues.push({ path: at, message: `"${path}" was not read (only a config file's accounts files are)` });
      return;
    }
    for (const { line, message } of file.problems)
      issues.push({ path: at, message, source: { file: path, line } });
    // The reader kept only rows with a valid address.
    for (const { address, name, group, line } of file.accounts)
      accounts.push({ address, name, group, path: at, file: path, line });
  });
  return { accounts, issues, listed: listed.length > 0 };
}

function checkServers(doc: Raw): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const seen = new Map<string, number>();
  asList(asRecord(doc.xrpl)?.servers).forEach((server, index) => {
    if (typeof server !== 'string') return;
    const first = seen.get(server);
    if (first === undefined) seen.set(server, index);
    else issues.push({ path: ['xrpl', 'servers', index], message: `duplicate of xrpl.servers[${first}]` });
  });
  return issues;
}

/** Where an account is written, as errors name it: `accounts[3]` or `deposits.csv:1042`. */
function placeOf(entry: AccountEntry): string {
  return entry.file === null ? formatPath(entry.path) : `${entry.file}:${entry.line}`;
}

/** A problem with one key of an account: `accounts[3].name: …` or `deposits.csv:1042: name …`. */
function accountIssue(entry: AccountEntry, key: 'address' | 'name' | 'group', message: string): CrossIssue {
  if (entry.file === null) return { path: [...entry.path, key], message };
  const source = { file: entry.file, line: entry.line };
  return { path: entry.path, message: key === 'address' ? message : `${key} ${message}`, source };
}

function checkAccounts(doc: Raw, accounts: readonly AccountEntry[], givenElsewhere: boolean): CrossIssue[] {
  const issues: CrossIssue[] = [];
  if (!isSet(doc.accounts) && !givenElsewhere) issues.push({ path: ['accounts'], message: 'required' });
  const byAddress = new Map<string, AccountEntry>();
  for (const account of accounts) {
    const { address } = account;
    if (address === null) continue;
    const first = byAddress.get(address);
    if (first === undefined) byAddress.set(address, account);
    else issues.push(accountIssue(account, 'address', `duplicate of ${placeOf(first)}`));
  }
  const byName = new Map<string, AccountEntry>();
  for (const account of accounts) {
    const { name } = account;
    if (typeof name !== 'string' || name === '') continue;
    const owner = byAddress.get(name);
    if (owner !== undefined && owner !== account) {
      issues.push(accountIssue(account, 'name', `"${name}" is the address of ${placeOf(owner)}`));
      continue;
    }
    const first = byName.get(name);
    if (first === undefined) byName.set(name, account);
    else issues.push(accountIssue(account, 'name', `"${name}" is already used by ${placeOf(first)}`));
  }
  if (asRecord(doc.metrics)?.aggregate_by === 'group') {
    for (const account of accounts) {
      if (!isSet(account.group))
        issues.push(accountIssue(account, 'group', 'required when metrics.aggregate_by is "group"'));
    }
  }
  return issues;
}

function checkEmail(doc: Raw): CrossIssue[] {
  const issues: CrossIssue[] = [];
  if (asList(doc.rules).length > 0 && !isSet(doc.email) && !isSet(doc.alertmanager)) {
    issues.push({
      path: ['email'],
      message: 'required when rules are configured and there is no alertmanager section',
    });
  }
  const smtp = asRecord(asRecord(doc.email)?.smtp);
  if (smtp !== null && isSet(smtp.password) && smtp.password !== '' && !isSet(smtp.user)) {
    issues.push({ path: ['email', 'smtp', 'password'], message: 'requires email.smtp.user' });
  }
  return issues;
}

/** Which keys each rule kind needs and refuses (spec "Configuration", rules). */
const KIND_KEYS: Record<string, { required: readonly string[]; forbidden: readonly string[] }> = {
  payment: { required: ['threshold', 'currency'], forbidden: ['window', 'cooldown'] },
  total: { required: ['threshold', 'currency', 'window'], forbidden: [] },
  count: { required: ['threshold', 'window'], forbidden: [] },
  silence: { required: ['window'], forbidden: ['threshold'] },
};

function checkRules(doc: Raw, accounts: readonly AccountEntry[]): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const accountRefs = new Set<string>();
  for (const account of accounts) {
    for (const ref of [account.address, account.name]) if (typeof ref === 'string') accountRefs.add(ref);
  }
  const byName = new Map<string, number>();
  asList(doc.rules).forEach((item, index) => {
    const rule = asRecord(item);
    if (rule === null) return;
    const at = (key: string | number, ...rest: (string | number)[]): ConfigPath => [
      'rules',
      index,
      key,
      ...rest,
    ];
    if (typeof rule.name === 'string' && rule.name !== '') {
      const first = byName.get(rule.name);
      if (first === undefined) byName.set(rule.name, index);
      else issues.push({ path: at('name'), message: `"${rule.name}" is already used by rules[${first}]` });
    }
    const kind = typeof rule.kind === 'string' ? rule.kind : '';
    const keys = KIND_KEYS[kind];
    if (keys !== undefined) {
      for (const key of keys.required) {
        if (!isSet(rule[key])) issues.push({ path: at(key), message: `required for kind "${kind}"` });
      }
      for (const key of keys.forbidden) {
        if (isSet(rule[key])) issues.push({ path: at(key), message: `not allowed for kind "${kind}"` });
      }
      const thresholdProblem = checkThreshold(kind, rule.threshold);
      if (thresholdProblem !== null) issues.push({ path: at('threshold'), message: thresholdProblem });
    }
    if (rule.currency === 'XRP' && isSet(rule.issuer)) {
      issues.push({ path: at('issuer'), message: 'not allowed with currency XRP' });
    }
    issues.push(...checkRuleSinks(doc, rule, index));
    asList(rule.accounts).forEach((ref, refIndex) => {
      if (typeof ref === 'string' && ref !== '' && !accountRefs.has(ref)) {
        issues.push({
          path: at('accounts', refIndex),
          message: `"${ref}" is not a configured account name or address`,
        });
      }
    });
  });
  return issues;
}

/** The labels every Alertmanager alert of a rule carries already; `rules[].labels` may not redefine them. */
export const ALERT_LABELS = [
  'alertname',
  'rule',
  'kind',
  'account',
  'name',
  'currency',
  'issuer',
  'tx_hash',
] as const;

// Prometheus label names (https://prometheus.io/docs/concepts/data_model/); `__` is reserved for internal use.
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function checkRuleSinks(doc: Raw, rule: Raw, ruleIndex: number): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const at = (...rest: (string | number)[]): ConfigPath => ['rules', ruleIndex, ...rest];
  const seen = new Map<unknown, number>();
  asList(rule.notify).forEach((sink, index) => {
    if (sink !== 'email' && sink !== 'alertmanager') return;
    const first = seen.get(sink);
    if (first !== undefined) {
      issues.push({
        path: at('notify', index),
        message: `duplicate of rules[${ruleIndex}].notify[${first}]`,
      });
      return;
    }
    seen.set(sink, index);
    if (!isSet(doc[sink])) issues.push({ path: at('notify', index), message: `needs an ${sink} section` });
  });
  const labels = asRecord(rule.labels);
  for (const name of Object.keys(labels ?? {})) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      issues.push({
        path: at('labels', name),
        message: 'invalid label name (letters, digits and _, not starting with a digit or __)',
      });
    } else if ((ALERT_LABELS as readonly string[]).includes(name)) {
      issues.push({ path: at('labels', name), message: 'is set by the exporter and cannot be overridden' });
    }
  }
  return issues;
}

function checkThreshold(kind: string, value: unknown): string | null {
  if (!isSet(value) || kind === 'silence') return null;
  const amount = parseAmount(value);
  if (!amount.ok) return null;
  if (kind === 'count') {
    const whole = amount.value.gt(0) && amount.value.eq(amount.value.round(0, 0));
    return whole ? null : 'must be a whole number greater than 0 for kind "count"';
  }
  if (kind === 'total') return amount.value.gt(0) ? null : 'must be greater than 0';
  return amount.value.lt(0) ? 'must not be negative' : null;
}
