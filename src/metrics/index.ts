import { gunzipSync } from 'node:zlib';
import type Big from 'big.js';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Asset, AssetAmount } from '../accounting/types.js';
import type { AccountConfig } from '../config/types.js';
import { GroupAggregator, type UnitView } from './group-view.js';
import { deflateSegment, gzipMember } from './gzip.js';
import { AssetLabeler, escapeLabelValue } from './labels.js';
import { type BuildInfo, declareOperationalMetrics, syncLabelValues } from './operational.js';
import { type ExposedUnit, PAYMENT_FAMILIES, PaymentExposition } from './payment-exposition.js';
import { type ReceiptEvent, ReceiptTotals } from './totals.js';
import {
  declareVerificationMetrics,
  VERIFICATION_FAMILIES,
  type VerificationMetrics,
} from './verification.js';

export type { BuildInfo } from './operational.js';
export type { ReceiptEvent, TotalsSnapshot } from './totals.js';
export { ReceiptTotals } from './totals.js';

/** The exposition content type, exactly (Prometheus 3 rejects scrapes without a valid one). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** prom-client declares these gauges with a `_total` suffix, which `promtool check metrics` rejects. */
const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/** The parts of the configuration that decide which series exist. */
export interface MetricsTopology {
  readonly accounts: readonly Pick<AccountConfig, 'address' | 'name' | 'group'>[];
  /** Names of the rules that notify email. */
  readonly rules: readonly string[];
  /** Names of the rules that notify Alertmanager. @default [] */
  readonly alertmanagerRules?: readonly string[];
  /** Alertmanager URLs, passwords masked. @default [] */
  readonly alertmanagerUrls?: readonly string[];
  readonly servers: readonly string[];
  readonly paymentSizeBucketsXrp: readonly number[];
  /**
   * `group`: payment metrics carry a `group` label instead of `account` and `name`, with exact sums
   * over the group's accounts; totals stay per account. @default 'account'
   */
  readonly aggregateBy?: 'account' | 'group';
}

export interface MetricsOptions extends MetricsTopology {
  readonly build: BuildInfo;
  /** Totals restored from the state file. @default empty */
  readonly totals?: ReceiptTotals;
  /** prom-client's process_* and nodejs_* metrics. @default true */
  readonly processMetrics?: boolean;
}

export interface ExporterMetrics {
  /** The exact totals behind the payment metrics (snapshot them for the state file). */
  readonly totals: ReceiptTotals;
  /** Thread verification and refused servers. */
  readonly verification: VerificationMetrics;
  recordReceipts(e: ReceiptEvent): void;
  setBalance(account: string, asset: Asset, value: Big): void;
  /** An account is no longer watched: its balances are unknown (not exposed) until read again. */
  forgetBalances(account: string): void;
  /** AccountEffect.balancesAfter of one transaction; see ReceiptTotals.applyBalancesAfter. */
  applyBalancesAfter(account: string, balances: readonly AssetAmount[]): void;
  setUp(up: boolean): void;
  setStreamConnected(server: string, connected: boolean): void;
  incReconnects(server: string): void;
  incConnectFailures(server: string): void;
  setValidatedLedger(index: number, closeTimeSeconds: number | null): void;
  incLedgerGaps(n?: number): void;
  incBackfilled(n: number): void;
  incHistoryImported(n: number): void;
  /** Ledgers left in an account's history import; null removes the series (import finished). */
  setHistoryRemaining(account: string, name: string, ledgers: number | null): void;
  incInvalidMessages(n?: number): void;
  emailSent(rule: string): void;
  emailFailed(rule: string): void;
  setEmailsQueued(n: number): void;
  emailRecipientRefused(rule: string): void;
  deadLetter(sink: 'email' | 'alertmanager', rule: string): void;
  alertmanagerSent(rule: string): void;
  alertmanagerError(url: string): void;
  setAlertmanagerQueued(n: number): void;
  setConfigReload(ok: boolean, nowSeconds: number): void;
  /** The state file was written (true) or a write failed (false). */
  stateWrite(ok: boolean, nowSeconds: number): void;
  /** Hot reload: new accounts, servers and rules appear at 0; removed ones disappear (totals are kept). */
  reconfigure(topology: MetricsTopology): void;
  render(): Promise<{ contentType: string; body: string }>;
  /**
   * What /metrics serves: render() as UTF-8 bytes, gzip-compressed (one gzip member) when `gzip`,
   * built from the cached compressed blocks.
   */
  renderForScrape(gzip: boolean): Promise<ScrapeBody>;
  /** One account's totals for the status page, with the same currency/issuer text as the metrics. */
  accountStatus(account: string): AccountStatus;
  /** Every metric family name this exporter exposes (histogram base name, no _bucket/_sum/_count). */
  familyNames(): string[];
  /**
   * The current series of these operational metrics (not the payment families), as a scrape would show
   * them: what the status page evaluates the shipped alerts on. Unknown names are left out, and so are
   * the 0 series of per-account gauges (xrpl_account_unverified: only its 1s).
   */
  sample(names: readonly string[]): Promise<Map<string, SampledSeries[]>>;
}

export interface SampledSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface ScrapeBody {
  readonly contentType: string;
  /** The body in parts, to be written in order (see gzipMember). */
  readonly body: readonly Buffer[];
  readonly encoding: 'gzip' | 'identity';
}

/** Exact values as decimal strings (no exponent); `currency`/`issuer` as in the metric labels. */
export interface AccountStatus {
  readonly received: readonly {
    readonly currency: string;
    readonly issuer: string;
    readonly value: string;
    readonly count: number;
  }[];
  readonly balances: readonly {
    readonly currency: string;
    readonly issuer: string;
    readonly value: string;
  }[];
  readonly partialCount: number;
  /** Ledger close time of the newest receipt, Unix seconds. */
  readonly lastReceivedAt: number | null;
  readonly lastReceived: {
    readonly currency: string;
    readonly issuer: string;
    readonly value: string;
  } | null;
}

/**
 * The exporter's metrics on a private registry (spec.md "Metrics").
 *
 * Payment families are rendered from ReceiptTotals (exact) rather than kept in prom-client
 * metrics: floats exist only at exposition. Series at 0 from start-up, per configured account (or
 * group): payments_received_total{currency="XRP",type="Payment"}, received_amount_total,
 * last_received_amount (XRP), partial_payments_received_total, last_received_timestamp_seconds
 * (0 = never) and the payment-size histogram; the XRP balance once it is known (absent, not 0, until
 * account_info or metadata says). That is 6 + (buckets + 3) series per account, 16 with the default 7
 * buckets (about 1.8 kB of text), plus
 * 3 per other received asset, 1 per extra transaction type and 1 per held token or MPT.
 * With aggregate_by: group the same budget applies per group instead of per account.
 *
 * prom-client's nodejs_active_{handles,requests,resources}_total gauges are dropped (promtool rejects
 * `_total` on a gauge); the per-type nodejs_active_handles/_requests/_resources gauges remain and
 * sum() to the same numbers.
 */
export function createMetrics(options: MetricsOptions): ExporterMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }
  const ops = declareOperationalMetrics(registry, options.build);
  const verification = declareVerificationMetrics(registry);
  const totals = options.totals ?? new ReceiptTotals(options);
  totals.setPaymentSizeBuckets(options.paymentSizeBucketsXrp);
  const labeler = new AssetLabeler();
  const groups = new GroupAggregator(totals);
  totals.onTouch((account) => groups.touched(account));
  let topology: MetricsTopology = { accounts: [], rules: [], servers: [], paymentSizeBucketsXrp: [] };
  let exposition = new PaymentExposition(labeler, options.paymentSizeBucketsXrp);
  let exposedUnits: readonly ExposedUnit[] = [];
  /** account -> the `name` label its import gauge carries, so a renamed account leaves no stale series. */
  const importNames = new Map<string, string>();
  // Label values with series, per family: a notification of a rule removed by a reload may still leave
  // an outbox; it is counted and its series dropped on the next reload.
  let emailRules = new Set<string>();
  let alertmanagerRules = new Set<string>();
  let alertmanagerUrls = new Set<string>();
  let deadLetterLabels = new Map<string, { sink: string; rule: string }>();

  const reconfigure = (next: MetricsTopology): void => {
    syncLabelValues(ops.streamConnected, 'server', topology.servers, next.servers);
    syncLabelValues(ops.reconnects, 'server', topology.servers, next.servers);
    syncLabelValues(ops.connectFailures, 'server', topology.servers, next.servers);
    const previousRules = [...emailRules];
    syncLabelValues(ops.emailsSent, 'rule', previousRules, next.rules);
    syncLabelValues(ops.emailFailures, 'rule', previousRules, next.rules);
    syncLabelValues(ops.emailRecipientsRefused, 'rule', previousRules, next.rules);
    emailRules = new Set(next.rules);
    const nextAmRules = next.alertmanagerRules ?? [];
    syncLabelValues(ops.alertmanagerSent, 'rule', [...alertmanagerRules], nextAmRules);
    alertmanagerRules = new Set(nextAmRules);
    const nextUrls = next.alertmanagerUrls ?? [];
    syncLabelValues(ops.alertmanagerErrors, 'url', [...alertmanagerUrls], nextUrls);
    alertmanagerUrls = new Set(nextUrls);
    const nextDead = new Map(
      [
        ...next.rules.map((rule) => ({ sink: 'email', rule })),
        ...nextAmRules.map((rule) => ({ sink: 'alertmanager', rule })),
      ].map((labels) => [`${labels.sink}/${labels.rule}`, labels]),
    );
    for (const [key, labels] of deadLetterLabels) if (!nextDead.has(key)) ops.deadLetters.remove(labels);
    for (const labels of nextDead.values()) ops.deadLetters.inc(labels, 0);
    deadLetterLabels = nextDead;
    ops.watchedAccounts.set(next.accounts.length);
    verification.setAccounts(next.accounts);
    totals.setPaymentSizeBuckets(next.paymentSizeBucketsXrp);
    exposition = new PaymentExposition(labeler, next.paymentSizeBucketsXrp);
    const members = next.aggregateBy === 'group' ? membersByGroup(next) : new Map<string, string[]>();
    groups.setGroups(members);
    exposedUnits = next.aggregateBy === 'group' ? groupUnits(members, groups) : accountUnits(next, totals);
    topology = next;
  };
  reconfigure(options);

  /**
   * The whole exposition as one gzip member: the cached segments of the per-unit families (payments,
   * then verification), then prom-client's.
   */
  const gzipped = async (): Promise<Buffer[]> => {
    const rest = deflateSegment(Buffer.from(`\n\n${await registry.metrics()}`));
    return gzipMember([...exposition.segments(exposedUnits), ...verification.segments(), rest]);
  };

  /** The exposition as plain text: decompressed from the gzip member, the only form kept. */
  const plain = async (): Promise<Buffer> => gunzipSync(Buffer.concat(await gzipped()));

  /**
   * Per-account gauges read from their source rather than the registry: at 100,000 accounts a read of
   * every series costs about half a second. Only the series that are not 0 are given.
   */
  const sparseSeries: Readonly<Record<string, () => SampledSeries[]>> = {
    xrpl_account_unverified: () => verification.unverifiedSeries(),
  };

  const countRule = (rule: string): void => {
    emailRules.add(rule);
  };

  return {
    totals,
    verification,
    recordReceipts: (e) => totals.recordReceipts(e),
    setBalance: (account, asset, value) => totals.setBalance(account, asset, value),
    forgetBalances: (account) => totals.forgetBalances(account),
    applyBalancesAfter: (account, balances) => totals.applyBalancesAfter(account, balances),
    setUp: (up) => ops.up.set(up ? 1 : 0),
    setStreamConnected: (server, connected) => ops.streamConnected.set({ server }, connected ? 1 : 0),
    incReconnects: (server) => ops.reconnects.inc({ server }),
    incConnectFailures: (server) => ops.connectFailures.inc({ server }),
    setValidatedLedger: (index, closeTimeSeconds) => {
      ops.validatedLedgerIndex.set(index);
      if (closeTimeSeconds !== null) ops.validatedLedgerCloseTime.set(closeTimeSeconds);
    },
    incLedgerGaps: (n = 1) => ops.ledgerGaps.inc(n),
    incBackfilled: (n) => ops.backfilled.inc(n),
    incHistoryImported: (n) => ops.historyImported.inc(n),
    setHistoryRemaining: (account, name, ledgers) => {
      const previous = importNames.get(account);
      if (previous !== undefined && (previous !== name || ledgers === null)) {
        ops.historyRemaining.remove({ account, name: previous });
        importNames.delete(account);
      }
      if (ledgers === null) return;
      ops.historyRemaining.set({ account, name }, ledgers);
      importNames.set(account, name);
    },
    incInvalidMessages: (n = 1) => ops.invalidMessages.inc(n),
    emailSent: (rule) => {
      countRule(rule);
      ops.emailsSent.inc({ rule });
    },
    emailFailed: (rule) => {
      countRule(rule);
      ops.emailFailures.inc({ rule });
    },
    setEmailsQueued: (n) => ops.emailsQueued.set(n),
    emailRecipientRefused: (rule) => {
      countRule(rule);
      ops.emailRecipientsRefused.inc({ rule });
    },
    deadLetter: (sink, rule) => {
      deadLetterLabels.set(`${sink}/${rule}`, { sink, rule });
      ops.deadLetters.inc({ sink, rule });
    },
    alertmanagerSent: (rule) => {
      alertmanagerRules.add(rule);
      ops.alertmanagerSent.inc({ rule });
    },
    alertmanagerError: (url) => {
      alertmanagerUrls.add(url);
      ops.alertmanagerErrors.inc({ url });
    },
    setAlertmanagerQueued: (n) => ops.alertmanagerQueued.set(n),
    setConfigReload: (ok, nowSeconds) => {
      ops.configReloadSuccessful.set(ok ? 1 : 0);
      if (ok) ops.configReloadSuccessTime.set(nowSeconds);
    },
    stateWrite: (ok, nowSeconds) => {
      if (ok) ops.stateLastWriteSuccess.set(nowSeconds);
      else ops.stateWriteFailures.inc();
    },
    reconfigure,
    render: async () => ({ contentType: METRICS_CONTENT_TYPE, body: (await plain()).toString() }),
    renderForScrape: async (gzip) =>
      gzip
        ? { contentType: METRICS_CONTENT_TYPE, body: await gzipped(), encoding: 'gzip' }
        : { contentType: METRICS_CONTENT_TYPE, body: [await plain()], encoding: 'identity' },
    accountStatus: (account) => {
      const t = totals.get(account);
      const last = totals.lastReceived(account);
      return {
        received: [...(t?.assets.values() ?? [])].map((r) => ({
          ...labeler.labels(r.asset),
          value: r.total.text,
          count: r.count,
        })),
        balances: [...(t?.balances.values() ?? [])].map((b) => ({
          ...labeler.labels(b.asset),
          value: b.value.toFixed(),
        })),
        partialCount: t?.partialCount ?? 0,
        lastReceivedAt: t?.lastReceivedAt ?? null,
        lastReceived: last && { ...labeler.labels(last.asset), value: last.value.toFixed() },
      };
    },
    familyNames: () => [
      ...Object.values(PAYMENT_FAMILIES).map((f) => f.name),
      ...Object.values(VERIFICATION_FAMILIES).map((f) => f.name),
      ...registry.getMetricsAsArray().map((m) => m.name),
    ],
    sample: async (names) => {
      const out = new Map<string, SampledSeries[]>();
      for (const name of names) {
        const sparse = sparseSeries[name];
        if (sparse) {
          out.set(name, sparse());
          continue;
        }
        const metric = registry.getSingleMetric(name);
        if (!metric) continue;
        const { values } = await metric.get();
        out.set(
          name,
          values.map((v) => ({
            labels: Object.fromEntries(Object.entries(v.labels).map(([k, l]) => [k, String(l)])),
            value: v.value,
          })),
        );
      }
      return out;
    },
  };
}

/**
 * One configured account as an exposed unit: an object rather than closures, and its label text made
 * when a block is rendered rather than kept, as there may be 100,000 of them.
 */
class AccountUnit implements ExposedUnit {
  /** ReceiptTotals keeps one object per account for good once it exists: looked up until then. */
  private found: UnitView | undefined;

  constructor(
    private readonly account: Pick<AccountConfig, 'address' | 'name'>,
    private readonly totals: ReceiptTotals,
  ) {}

  get labels(): string {
    return `account="${escapeLabelValue(this.account.address)}",name="${escapeLabelValue(this.account.name)}"`;
  }

  view(): UnitView | undefined {
    // A scrape of 100,000 accounts would otherwise make 100,000 lookups in a Map keyed by address.
    this.found ??= this.totals.get(this.account.address);
    return this.found;
  }
}

function accountUnits(topology: MetricsTopology, totals: ReceiptTotals): ExposedUnit[] {
  return topology.accounts.map((account) => new AccountUnit(account, totals));
}

/** Each group's member addresses, in configuration order. */
function membersByGroup(topology: MetricsTopology): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const account of topology.accounts) {
    // Config requires a group for every account with aggregate_by: group; "" keeps a stray one visible.
    const group = account.group ?? '';
    const list = members.get(group);
    if (list) list.push(account.address);
    else members.set(group, [account.address]);
  }
  return members;
}

function groupUnits(members: ReadonlyMap<string, unknown>, groups: GroupAggregator): ExposedUnit[] {
  return [...members.keys()].map((group) => ({
    labels: `group="${escapeLabelValue(group)}"`,
    view: () => groups.view(group),
  }));
}
