import type { ConfigPath } from './path.js';
import { parseAddress, parseAmount } from './values.js';

/**
 * Checks across values, on the raw YAML data so they run even when other parts of the file are
 * invalid (every error is reported at once). A value with the wrong type is skipped here: the schema
 * already reports it.
 */
export interface CrossIssue {
  readonly path: ConfigPath;
  readonly message: string;
}

type Raw = Record<string, unknown>;

const asRecord = (value: unknown): Raw | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : null;
const asList = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const isSet = (value: unknown): boolean => value !== undefined && value !== null;
const validAddress = (value: unknown): string | null => {
  const parsed = parseAddress(value);
  return parsed.ok ? parsed.value : null;
};

export function crossCheck(root: unknown): CrossIssue[] {
  const doc = asRecord(root) ?? {};
  return [...checkServers(doc), ...checkAccounts(doc), ...checkEmail(doc), ...checkRules(doc)];
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

function checkAccounts(doc: Raw): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const accounts = asList(doc.accounts).map(asRecord);
  const byAddress = new Map<string, number>();
  accounts.forEach((account, index) => {
    const address = validAddress(account?.address);
    if (address === null) return;
    const first = byAddress.get(address);
    if (first === undefined) byAddress.set(address, index);
    else issues.push({ path: ['accounts', index, 'address'], message: `duplicate of accounts[${first}]` });
  });
  const byName = new Map<string, number>();
  accounts.forEach((account, index) => {
    const name = account?.name;
    if (typeof name !== 'string' || name === '') return;
    const owner = byAddress.get(name);
    if (owner !== undefined && owner !== index) {
      issues.push({
        path: ['accounts', index, 'name'],
        message: `"${name}" is the address of accounts[${owner}]`,
      });
      return;
    }
    const first = byName.get(name);
    if (first === undefined) byName.set(name, index);
    else
      issues.push({
        path: ['accounts', index, 'name'],
        message: `"${name}" is already used by accounts[${first}]`,
      });
  });
  if (asRecord(doc.metrics)?.aggregate_by === 'group') {
    accounts.forEach((account, index) => {
      if (account !== null && !isSet(account.group)) {
        issues.push({
          path: ['accounts', index, 'group'],
          message: 'required when metrics.aggregate_by is "group"',
        });
      }
    });
  }
  return issues;
}

function checkEmail(doc: Raw): CrossIssue[] {
  const issues: CrossIssue[] = [];
  if (asList(doc.rules).length > 0 && !isSet(doc.email)) {
    issues.push({ path: ['email'], message: 'required when rules are configured' });
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

function checkRules(doc: Raw): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const accountRefs = new Set<string>();
  for (const account of asList(doc.accounts).map(asRecord)) {
    for (const ref of [account?.address, account?.name]) if (typeof ref === 'string') accountRefs.add(ref);
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
