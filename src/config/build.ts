import type { AccountsFile } from './accounts-file/index.js';
import {
  type ConfigDocument,
  DEFAULT_BUCKETS,
  DEFAULT_MAX_BACKFILL_LEDGERS,
  DEFAULT_VERIFICATION_INTERVAL_MS,
} from './schema.js';
import type { AccountConfig, Config, RuleConfig, SinkName } from './types.js';

/**
 * The validated document (snake_case, defaults filled) -> the frozen camelCase Config. Runs only when
 * the schema and the cross-checks found nothing, so references (rule accounts) resolve.
 */
export function buildConfig(doc: ConfigDocument, accountsFiles: readonly AccountsFile[]): Config {
  const accounts: AccountConfig[] = (doc.accounts ?? []).map((a) => ({
    address: a.address,
    name: a.name ?? a.address,
    group: a.group,
    since: a.since,
  }));
  // Then each listed file's rows, in list order (the cross-checks refused duplicates).
  for (const path of new Set(doc.accounts_files ?? [])) {
    for (const a of accountsFiles.find((f) => f.path === path)?.accounts ?? []) {
      // The CSV header is address[,name][,group] (spec): a file account has no since.
      accounts.push({ address: a.address, name: a.name ?? a.address, group: a.group, since: null });
    }
  }
  const addressOf = new Map<string, string>();
  // Addresses first, then names: a name equal to another account's address is refused by the cross-checks.
  for (const a of accounts) addressOf.set(a.address, a.address);
  for (const a of accounts) addressOf.set(a.name, a.address);

  const smtp = doc.email?.smtp;
  const configuredSinks: SinkName[] = [];
  if (doc.email) configuredSinks.push('email');
  if (doc.alertmanager) configuredSinks.push('alertmanager');
  const config: Config = {
    xrpl: {
      servers: doc.xrpl.servers,
      apiVersion: doc.xrpl.api_version,
      staleAfterMs: doc.xrpl.stale_after,
      requestTimeoutMs: doc.xrpl.request_timeout,
      explorerUrl: doc.xrpl.explorer_url,
      fullStreamThreshold: doc.xrpl.full_stream_threshold,
      networkId: doc.xrpl.network_id,
    },
    verification: { intervalMs: doc.verification?.interval ?? DEFAULT_VERIFICATION_INTERVAL_MS },
    accounts,
    state: {
      path: doc.state?.path ?? null,
      maxBackfillLedgers: doc.state?.max_backfill_ledgers ?? DEFAULT_MAX_BACKFILL_LEDGERS,
    },
    metrics: {
      paymentSizeBucketsXrp: doc.metrics?.payment_size_buckets_xrp ?? [...DEFAULT_BUCKETS],
      aggregateBy: doc.metrics?.aggregate_by ?? 'account',
    },
    email:
      doc.email && smtp
        ? {
            smtp: {
              host: smtp.host,
              // 465 is SMTP over implicit TLS (RFC 8314), 587 submission with STARTTLS.
              port: smtp.port ?? (smtp.secure ? 465 : 587),
              secure: smtp.secure,
              user: smtp.user,
              password: smtp.password,
            },
            from: doc.email.from,
            to: doc.email.to,
          }
        : null,
    alertmanager: doc.alertmanager
      ? {
          urls: doc.alertmanager.urls,
          resendIntervalMs: doc.alertmanager.resend_interval,
          timeoutMs: doc.alertmanager.timeout,
          basicAuth: doc.alertmanager.basic_auth ?? null,
        }
      : null,
    rules: (doc.rules ?? []).map(
      (r): RuleConfig => ({
        name: r.name,
        kind: r.kind,
        threshold: r.threshold,
        windowMs: r.window,
        currency: r.currency,
        issuer: r.issuer,
        accounts:
          r.accounts === null ? null : [...new Set(r.accounts.map((ref) => addressOf.get(ref) ?? ref))],
        from: r.from,
        destinationTag: r.destination_tag,
        cooldownMs: r.cooldown,
        to: r.to,
        notify: r.notify === null ? configuredSinks : [...new Set(r.notify)],
        labels: r.labels ?? {},
      }),
    ),
  };
  return deepFreeze(config);
}

/**
 * Freezes own properties all the way down, big.js values (and their digit arrays) included. big.js
 * arithmetic never writes to its operands except `x.mod(y)`, which flips `x.s` for a moment: use
 * `new Big(x).mod(y)` on a config amount.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
