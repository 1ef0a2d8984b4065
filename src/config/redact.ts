import { Document, isScalar, isSeq, visit } from 'yaml';
import { historyPointText } from '../history/since.js';
import { formatDuration } from './duration.js';
import type { Config, RuleConfig } from './types.js';
import { maskUrlSecrets, maskUrlsInText, SECRET_PLACEHOLDER } from './url-secrets.js';

export { SECRET_PLACEHOLDER };

const SECRET_KEY = /password|secret/i;

/**
 * The effective config as a YAML-ready object with the file's snake_case keys, defaults filled in,
 * durations and amounts in the file's notation, and every secret replaced by `<secret>`. Parsing its
 * YAML gives the same config back (except the secrets).
 */
export function redactedConfig(config: Config): object {
  const { xrpl, state, metrics, email, alertmanager } = config;
  return redactSecretKeys({
    xrpl: {
      servers: xrpl.servers.map(maskUrlSecrets),
      api_version: xrpl.apiVersion,
      stale_after: formatDuration(xrpl.staleAfterMs),
      request_timeout: formatDuration(xrpl.requestTimeoutMs),
      ...(xrpl.explorerUrl === null ? {} : { explorer_url: xrpl.explorerUrl }),
      full_stream_threshold: xrpl.fullStreamThreshold,
      // Printed even when unset (null loads as unset): what the exporter does without it is a choice.
      network_id: xrpl.networkId,
    },
    accounts: config.accounts.map((a) => ({
      address: a.address,
      name: a.name,
      ...(a.group === null ? {} : { group: a.group }),
      ...(a.since === null ? {} : { since: historyPointText(a.since) }),
    })),
    state: {
      ...(state.path === null ? {} : { path: state.path }),
      max_backfill_ledgers: state.maxBackfillLedgers,
    },
    verification: { interval: formatDuration(config.verification.intervalMs) },
    metrics: {
      payment_size_buckets_xrp: [...metrics.paymentSizeBucketsXrp],
      aggregate_by: metrics.aggregateBy,
    },
    ...(email === null
      ? {}
      : {
          email: {
            smtp: {
              host: email.smtp.host,
              port: email.smtp.port,
              secure: email.smtp.secure,
              ...(email.smtp.user === null ? {} : { user: email.smtp.user }),
              ...(email.smtp.password === null ? {} : { password: SECRET_PLACEHOLDER }),
            },
            from: email.from,
            to: [...email.to],
          },
        }),
    ...(alertmanager === null
      ? {}
      : {
          alertmanager: {
            urls: alertmanager.urls.map(maskUrlSecrets),
            resend_interval: formatDuration(alertmanager.resendIntervalMs),
            timeout: formatDuration(alertmanager.timeoutMs),
            ...(alertmanager.basicAuth === null
              ? {}
              : { basic_auth: { username: alertmanager.basicAuth.username, password: SECRET_PLACEHOLDER } }),
          },
        }),
    rules: config.rules.map(redactedRule),
  }) as object;
}

function redactedRule(rule: RuleConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { name: rule.name, kind: rule.kind };
  if (rule.threshold !== null) out.threshold = rule.threshold.toFixed();
  if (rule.windowMs !== null) out.window = formatDuration(rule.windowMs);
  if (rule.currency !== null) out.currency = rule.currency;
  if (rule.issuer !== null) out.issuer = rule.issuer;
  if (rule.accounts !== null) out.accounts = [...rule.accounts];
  if (rule.from !== null) out.from = [...rule.from];
  if (rule.destinationTag !== null) out.destination_tag = rule.destinationTag;
  // A payment rule sends one email per payment: cooldown does not apply and the file may not set it.
  if (rule.kind !== 'payment') out.cooldown = formatDuration(rule.cooldownMs);
  if (rule.to !== null) out.to = [...rule.to];
  out.notify = [...rule.notify];
  if (Object.keys(rule.labels).length > 0) out.labels = { ...rule.labels };
  return out;
}

/** Defence in depth: any key named like a secret is masked, whatever section it is in. */
function redactSecretKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecretKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) && inner !== null && inner !== undefined
        ? SECRET_PLACEHOLDER
        : redactSecretKeys(inner),
    ]),
  );
}

/**
 * What `check-config` prints on success, under a heading such as `config.yaml: configuration is valid`:
 * a short human summary, then the redacted YAML.
 */
export function renderCheckConfigSummary(config: Config): string {
  const { xrpl, email, alertmanager, rules } = config;
  const smtp =
    email === null
      ? 'none'
      : `${email.smtp.host}:${email.smtp.port} (${email.smtp.secure ? 'implicit TLS' : 'STARTTLS when offered'})`;
  const ruleNames = rules.length === 0 ? '' : ` (${rules.map((r) => r.name).join(', ')})`;
  const lines = [
    `  servers:      ${xrpl.servers.map(maskUrlSecrets).join(', ')}`,
    `  api version:  ${xrpl.apiVersion}`,
    `  accounts:     ${config.accounts.length}`,
    `  rules:        ${rules.length}${ruleNames}`,
    `  smtp:         ${smtp}`,
    `  alertmanager: ${alertmanager === null ? 'none' : alertmanager.urls.map(maskUrlSecrets).join(', ')}`,
    '',
    redactedYaml(config).trimEnd(),
  ];
  return lines.join('\n');
}

/** The redacted config as YAML; lists of plain values print on one line, as config.yaml writes them. */
export function redactedYaml(config: Config): string {
  const doc = new Document(redactedConfig(config));
  if (config.xrpl.networkId === null) {
    const node = doc.getIn(['xrpl', 'network_id'], true);
    if (isScalar(node)) node.comment = ' unset: the first network a server reports is recorded and required';
  }
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Masks every secret of the config wherever it shows up in a text (defence in depth for logs): passwords
 * and query-string values in server and Alertmanager URLs (any URL in the text), and the SMTP and Alertmanager passwords themselves.
 */
export function secretRedactor(config: Config): (text: string) => string {
  const urls = [...config.xrpl.servers, ...(config.alertmanager?.urls ?? [])];
  const secrets = [config.email?.smtp.password, config.alertmanager?.basicAuth?.password].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
  return (text) => {
    let out = maskUrlsInText(text, urls);
    for (const secret of secrets) out = out.split(secret).join(SECRET_PLACEHOLDER);
    return out;
  };
}
