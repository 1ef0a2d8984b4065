import {
  datasourceVariable,
  layoutPanels,
  type PanelSpec,
  queryVariable,
  type RowSpec,
  tableTransformations,
} from './grafana.js';

/**
 * The shipped dashboard, `grafana/dashboards/xrpl-payments.json`. Regenerate the JSON after editing:
 * `UPDATE_DASHBOARD=1 npx vitest run test/ops/dashboard.test.ts && npx biome format --write grafana/dashboards`.
 */
export const DASHBOARD_UID = 'xrpl-payments-exporter';
export const DASHBOARD_PATH = 'grafana/dashboards/xrpl-payments.json';

const TARGET = 'job=~"$job", instance=~"$instance"';
const ACCOUNT = `${TARGET}, account=~"$account"`;
const ASSET = `${ACCOUNT}, currency=~"$currency"`;

function sel(metric: string, matchers: string = TARGET): string {
  return `${metric}{${matchers}}`;
}

/**
 * What a counter gained over the dashboard's time range, exactly: the counter's value at the end minus
 * its value at the start. `increase()` would extrapolate to the range edges (100 XRP can read 100.07),
 * which is wrong for money. A series born during the range (a first payment in a new currency) counts
 * in full; a series that was reset during the range (a restart without `state.path`) falls back to
 * Prometheus' estimate, `increase()`.
 */
export function overRange(selector: string): string {
  return (
    `(${selector} - ${selector} offset $__range unless resets(${selector}[$__range]) > 0)` +
    ` or (${selector} unless ${selector} offset $__range)` +
    ` or increase(${selector}[$__range])`
  );
}

const UP_DOWN = [
  {
    options: {
      '0': { color: 'red', index: 0, text: 'Down' },
      '1': { color: 'green', index: 1, text: 'Up' },
    },
    type: 'value',
  },
];

const received: RowSpec = {
  title: 'Received',
  panels: [
    {
      type: 'table',
      title: 'Received over the selected range',
      description:
        'Value received by each watched account over the selected time range, per currency and issuer ' +
        '(XRP in XRP, tokens and MPTs in their own units; never add different currencies). Exact: the ' +
        "counter's value at the end of the range minus its value at the start.",
      unit: 'none',
      w: 12,
      targets: [
        {
          expr: `sum by (account, name, currency, issuer) (${overRange(sel('xrpl_received_amount_total', ASSET))})`,
          instant: true,
        },
      ],
      transformations: tableTransformations('Received'),
    },
    {
      type: 'table',
      title: 'Incoming payments over the selected range',
      description:
        'Number of incoming value transfers per account and transaction type over the selected range ' +
        '(a transaction delivering two assets counts once per asset).',
      unit: 'none',
      w: 12,
      decimals: 0,
      targets: [
        {
          expr: `sum by (account, name, type) (${overRange(sel('xrpl_payments_received_total', ASSET))})`,
          instant: true,
        },
      ],
      transformations: tableTransformations('Payments'),
    },
    {
      type: 'timeseries',
      title: 'Incoming payments per minute by type',
      description:
        'Validated incoming value transfers per minute, by transaction type (Payment, CheckCash, ' +
        'EscrowFinish, ...), for the selected accounts and currencies.',
      unit: 'cpm',
      w: 12,
      targets: [
        {
          expr: `sum by (type) (rate(${sel('xrpl_payments_received_total', ASSET)}[$__rate_interval])) * 60`,
          legendFormat: '{{type}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Received per interval',
      description:
        'Value received per graph interval, per account, currency and issuer. Each currency is in its ' +
        'own unit; use the currency variable to compare like with like.',
      unit: 'none',
      w: 12,
      custom: { drawStyle: 'bars', fillOpacity: 60, lineWidth: 1 },
      targets: [
        {
          expr: `sum by (name, currency, issuer) (increase(${sel('xrpl_received_amount_total', ASSET)}[$__rate_interval]))`,
          legendFormat: '{{name}} {{currency}} {{issuer}}',
        },
      ],
    },
  ],
};

const lastPayment: RowSpec = {
  title: 'Last payment',
  panels: [
    {
      type: 'table',
      title: 'Last payment amount',
      description: 'The amount of the most recent incoming payment per account, currency and issuer.',
      unit: 'none',
      w: 12,
      targets: [{ expr: sel('xrpl_last_received_amount', ASSET), instant: true }],
      transformations: tableTransformations('Last amount', ['job', 'instance']),
    },
    {
      type: 'stat',
      title: 'Time since last payment',
      description:
        'Age of the most recent incoming payment per account, measured from the close time of the ' +
        'ledger that validated it. Accounts that never received anything are not shown.',
      unit: 's',
      w: 12,
      targets: [
        {
          expr: `time() - (${sel('xrpl_last_received_timestamp_seconds', ACCOUNT)} > 0)`,
          legendFormat: '{{name}}',
        },
      ],
      options: {
        colorMode: 'none',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        textMode: 'value_and_name',
      },
    },
  ],
};

const balances: RowSpec = {
  title: 'Balances',
  panels: [
    {
      type: 'table',
      title: 'Balances',
      description:
        'Current balance of each watched account per asset (XRP in XRP, tokens and MPTs in their own ' +
        'units), as of the last validated transaction or account_info answer.',
      unit: 'none',
      w: 12,
      targets: [{ expr: sel('xrpl_balance', ASSET), instant: true }],
      transformations: tableTransformations('Balance', ['job', 'instance']),
    },
    {
      type: 'timeseries',
      title: 'XRP balance',
      description: 'XRP balance of each selected account over time, in XRP.',
      unit: 'none',
      w: 12,
      targets: [
        {
          expr: sel('xrpl_balance', `${ACCOUNT}, currency="XRP"`),
          legendFormat: '{{name}}',
        },
      ],
    },
  ],
};

const paymentSizes: RowSpec = {
  title: 'Payment sizes',
  panels: [
    {
      type: 'heatmap',
      title: 'XRP payment size distribution',
      description:
        'How many incoming XRP payments fell into each size bucket (upper bound in XRP) per interval, ' +
        'from the xrpl_received_payment_size_xrp histogram.',
      unit: 'short',
      w: 16,
      targets: [
        {
          expr: `sum by (le) (increase(${sel('xrpl_received_payment_size_xrp_bucket', ACCOUNT)}[$__rate_interval]))`,
          format: 'heatmap',
          legendFormat: '{{le}}',
        },
      ],
      options: {
        calculate: false,
        cellGap: 1,
        color: {
          exponent: 0.5,
          fill: 'dark-orange',
          mode: 'scheme',
          scale: 'exponential',
          scheme: 'Oranges',
          steps: 64,
        },
        legend: { show: true },
        rowsFrame: { layout: 'auto', value: 'Payments' },
        tooltip: { mode: 'single', showColorScale: false, yHistogram: false },
        yAxis: { axisLabel: 'XRP', axisPlacement: 'left', reverse: false, unit: 'none' },
      },
    },
    {
      type: 'bargauge',
      title: 'XRP payments up to each size over the selected range',
      description:
        'Cumulative count of incoming XRP payments at or below each bucket bound (in XRP) over the ' +
        'selected range; the +Inf bar is the number of XRP payments.',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        {
          expr: `sum by (le) (${overRange(sel('xrpl_received_payment_size_xrp_bucket', ACCOUNT))})`,
          instant: true,
          format: 'time_series',
          legendFormat: '≤ {{le}} XRP',
        },
      ],
    },
  ],
};

const partialPayments: RowSpec = {
  title: 'Partial payments',
  panels: [
    {
      type: 'stat',
      title: 'Partial payments over the selected range',
      description:
        'Incoming payments with the tfPartialPayment flag, per account, over the selected range. They are ' +
        'counted at their delivered amount (never the Amount field); a spike can be a partial-payment attack.',
      unit: 'none',
      decimals: 0,
      w: 12,
      thresholds: [
        { color: 'green', value: null },
        { color: 'orange', value: 1 },
      ],
      targets: [
        {
          expr: `sum by (account, name) (${overRange(sel('xrpl_partial_payments_received_total', ACCOUNT))})`,
          instant: true,
          format: 'time_series',
          legendFormat: '{{name}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Partial payments per minute',
      description: 'Incoming partial payments per minute, per account.',
      unit: 'cpm',
      w: 12,
      targets: [
        {
          expr: `sum by (name) (rate(${sel('xrpl_partial_payments_received_total', ACCOUNT)}[$__rate_interval])) * 60`,
          legendFormat: '{{name}}',
        },
      ],
    },
  ],
};

const health: RowSpec = {
  title: 'Exporter health',
  panels: [
    upDownStat('Exporter scraped', 'Whether Prometheus can scrape the exporter (the `up` series).', 'up'),
    upDownStat(
      'Ledger stream',
      'xrpl_up: 1 while the exporter is connected, subscribed and receiving fresh validated ledgers.',
      'xrpl_up',
    ),
    {
      type: 'stat',
      title: 'Connected server',
      description: 'The rippled/Clio WebSocket server the exporter is currently connected to.',
      unit: 'none',
      w: 8,
      h: 4,
      targets: [{ expr: `${sel('xrpl_stream_connected')} == 1`, legendFormat: '{{server}}' }],
      options: statOptions('name'),
    },
    {
      type: 'stat',
      title: 'Validated ledger',
      description: 'Index of the last validated ledger the exporter has seen.',
      unit: 'none',
      decimals: 0,
      w: 4,
      h: 4,
      targets: [{ expr: sel('xrpl_validated_ledger_index'), legendFormat: '{{instance}}' }],
      options: statOptions('value'),
    },
    {
      type: 'stat',
      title: 'Ledger age',
      description:
        'Seconds since the close time of the last validated ledger. The XRP Ledger closes one every 3-5 s; ' +
        'a growing age means the stream is stale.',
      unit: 's',
      w: 4,
      h: 4,
      thresholds: [
        { color: 'green', value: null },
        { color: 'orange', value: 30 },
        { color: 'red', value: 60 },
      ],
      targets: [
        {
          expr: `time() - ${sel('xrpl_validated_ledger_close_timestamp_seconds')}`,
          legendFormat: '{{instance}}',
        },
      ],
      options: statOptions('value'),
    },
    {
      type: 'state-timeline',
      title: 'Ledger stream history',
      description: 'xrpl_up over time: when the exporter had a fresh validated ledger stream.',
      unit: 'none',
      w: 12,
      h: 5,
      mappings: UP_DOWN,
      custom: { fillOpacity: 80, lineWidth: 0 },
      targets: [{ expr: sel('xrpl_up'), legendFormat: '{{instance}}' }],
    },
    {
      type: 'stat',
      title: 'Watched accounts and configuration',
      description:
        'How many accounts the exporter watches, and whether the last configuration (re)load succeeded ' +
        '(1 = yes, 0 = the running configuration is an older one).',
      unit: 'none',
      w: 12,
      h: 5,
      targets: [
        { expr: sel('xrpl_watched_accounts'), legendFormat: 'Watched accounts' },
        {
          expr: sel('xrpl_exporter_config_last_reload_successful'),
          legendFormat: 'Last config reload successful',
        },
      ],
      options: statOptions('value_and_name'),
    },
    {
      type: 'timeseries',
      title: 'Reconnects and failed connection attempts',
      description:
        'Per graph interval and server: WebSocket reconnects (failover and stale-stream recovery), and ' +
        'attempts to connect that failed (refused, timed out, TLS or HTTP error). Failed attempts with no ' +
        'reconnect mean a server that cannot be reached; the status page shows its last error.',
      unit: 'short',
      w: 8,
      targets: [
        {
          expr: `sum by (server) (increase(${sel('xrpl_reconnects_total')}[$__rate_interval]))`,
          legendFormat: '{{server}} reconnects',
        },
        {
          expr: `sum by (server) (increase(${sel('xrpl_connection_attempts_failed_total')}[$__rate_interval]))`,
          legendFormat: '{{server}} failed attempts',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Backfill and invalid messages',
      description:
        'Per graph interval: transactions recovered by backfill after a reconnect or a ledger gap, and ' +
        'messages from the server that could not be understood.',
      unit: 'short',
      w: 8,
      targets: [
        {
          expr: `sum(increase(${sel('xrpl_backfilled_transactions_total')}[$__rate_interval]))`,
          legendFormat: 'Backfilled transactions',
        },
        {
          expr: `sum(increase(${sel('xrpl_invalid_messages_total')}[$__rate_interval]))`,
          legendFormat: 'Invalid messages',
        },
      ],
    },
    {
      type: 'stat',
      title: 'Ledger gaps, backfill and invalid messages over the selected range',
      description:
        'Uncovered ledger gaps (ranges no server could backfill: payments in them may be missing), ' +
        'backfilled transactions and invalid messages over the selected range.',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        {
          expr: `sum(${overRange(sel('xrpl_ledger_gaps_total'))})`,
          instant: true,
          format: 'time_series',
          legendFormat: 'Ledger gaps',
        },
        {
          expr: `sum(${overRange(sel('xrpl_backfilled_transactions_total'))})`,
          instant: true,
          format: 'time_series',
          legendFormat: 'Backfilled transactions',
        },
        {
          expr: `sum(${overRange(sel('xrpl_invalid_messages_total'))})`,
          instant: true,
          format: 'time_series',
          legendFormat: 'Invalid messages',
        },
      ],
      options: statOptions('value_and_name'),
    },
    {
      type: 'table',
      title: 'Exporter build',
      description: 'Version, revision and Node.js version of each exporter instance.',
      unit: 'none',
      w: 24,
      h: 4,
      targets: [{ expr: sel('xrpl_exporter_build_info'), instant: true }],
      transformations: tableTransformations('Info', ['Value']),
    },
  ],
};

const alerting: RowSpec = {
  title: 'Alerting',
  panels: [
    {
      type: 'table',
      title: 'Alert emails over the selected range',
      description:
        'Alert emails sent and failed send attempts per rule over the selected range. A failed attempt is ' +
        'retried from the outbox; the email is not lost unless it was refused for good (see below).',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        { expr: `sum by (rule) (${overRange(sel('xrpl_alert_emails_sent_total'))})`, instant: true },
        { expr: `sum by (rule) (${overRange(sel('xrpl_alert_email_failures_total'))})`, instant: true },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: {},
            renameByName: { 'Value #A': 'Sent', 'Value #B': 'Failed attempts' },
          },
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Alert emails per interval',
      description: 'Alert emails sent and failed send attempts per graph interval, per rule.',
      unit: 'short',
      w: 8,
      targets: [
        {
          expr: `sum by (rule) (increase(${sel('xrpl_alert_emails_sent_total')}[$__rate_interval]))`,
          legendFormat: 'sent {{rule}}',
        },
        {
          expr: `sum by (rule) (increase(${sel('xrpl_alert_email_failures_total')}[$__rate_interval]))`,
          legendFormat: 'failed {{rule}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Notifications queued',
      description:
        'Alert emails and Alertmanager alerts (one per Alertmanager URL) waiting in the outboxes. They ' +
        'should drain to 0; a growing queue means SMTP or an Alertmanager is failing.',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        { expr: sel('xrpl_alert_emails_queued'), legendFormat: 'email {{instance}}' },
        { expr: sel('xrpl_alertmanager_alerts_queued'), legendFormat: 'alertmanager {{instance}}' },
      ],
    },
    {
      type: 'table',
      title: 'Alertmanager alerts over the selected range',
      description:
        'Alerts accepted by an Alertmanager per rule over the selected range, one per Alertmanager URL ' +
        '(window and silence alerts count each re-send).',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        { expr: `sum by (rule) (${overRange(sel('xrpl_alertmanager_alerts_sent_total'))})`, instant: true },
      ],
      transformations: tableTransformations('Sent'),
    },
    {
      type: 'timeseries',
      title: 'Alertmanager deliveries per interval',
      description:
        'Alerts accepted per rule, and alerts whose delivery failed per Alertmanager URL (each is retried), ' +
        'per graph interval.',
      unit: 'short',
      w: 8,
      targets: [
        {
          expr: `sum by (rule) (increase(${sel('xrpl_alertmanager_alerts_sent_total')}[$__rate_interval]))`,
          legendFormat: 'sent {{rule}}',
        },
        {
          expr: `sum by (url) (increase(${sel('xrpl_alertmanager_errors_total')}[$__rate_interval]))`,
          legendFormat: 'failed {{url}}',
        },
      ],
    },
    {
      type: 'timeseries',
      title: 'Notifications refused for good',
      description:
        'Notifications given up after a permanent refusal (SMTP 5xx, Alertmanager 400) per sink and rule, ' +
        'and email recipients refused for good per rule. The status page lists them with the answer.',
      unit: 'short',
      w: 8,
      targets: [
        {
          expr: `sum by (sink, rule) (increase(${sel('xrpl_alert_dead_letters_total')}[$__rate_interval]))`,
          legendFormat: '{{sink}} {{rule}}',
        },
        {
          expr: `sum by (rule) (increase(${sel('xrpl_alert_email_recipients_refused_total')}[$__rate_interval]))`,
          legendFormat: 'recipient of {{rule}}',
        },
      ],
    },
  ],
};

function upDownStat(title: string, description: string, metric: string): PanelSpec {
  return {
    type: 'stat',
    title,
    description,
    unit: 'none',
    w: 4,
    h: 4,
    mappings: UP_DOWN,
    thresholds: [
      { color: 'red', value: null },
      { color: 'green', value: 1 },
    ],
    targets: [{ expr: sel(metric), legendFormat: '{{instance}}' }],
    options: { ...statOptions('value'), colorMode: 'background' },
  };
}

function statOptions(textMode: string): Record<string, unknown> {
  return {
    colorMode: 'value',
    graphMode: 'none',
    justifyMode: 'auto',
    orientation: 'auto',
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    textMode,
  };
}

const verification: RowSpec = {
  title: 'Verification',
  panels: [
    {
      type: 'table',
      title: 'Thread verification per account',
      description:
        'Per account: the last ledger up to which its transaction thread (the PreviousTxnID links of its ' +
        'AccountRoot, trust lines and MPTokens) is proved complete, whether a break is unrepaired (1: ' +
        'payments in the ledger range the status page names may be missing), and the breaks found over ' +
        'the selected range.',
      unit: 'none',
      decimals: 0,
      w: 16,
      targets: [
        { expr: sel('xrpl_account_verified_ledger', ACCOUNT), instant: true },
        { expr: sel('xrpl_account_unverified', ACCOUNT), instant: true },
        { expr: overRange(sel('xrpl_verification_breaks_total', ACCOUNT)), instant: true },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, job: true, instance: true },
            indexByName: {},
            renameByName: { 'Value #A': 'Verified ledger', 'Value #B': 'Unverified', 'Value #C': 'Breaks' },
          },
        },
      ],
    },
    {
      type: 'stat',
      title: 'Repairs and refused servers over the selected range',
      description:
        'Missing transactions fetched from the configured servers and processed to repair breaks, and ' +
        'servers refused because they report another network, over the selected range.',
      unit: 'none',
      decimals: 0,
      w: 8,
      targets: [
        {
          expr: `sum(${overRange(sel('xrpl_verification_repaired_transactions_total'))})`,
          instant: true,
          format: 'time_series',
          legendFormat: 'Repaired transactions',
        },
        {
          expr: `sum(${overRange(sel('xrpl_servers_refused_total'))}) or vector(0)`,
          instant: true,
          format: 'time_series',
          legendFormat: 'Servers refused',
        },
      ],
      options: statOptions('value_and_name'),
    },
  ],
};

export function buildDashboard(): Record<string, unknown> {
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description:
      'Validated incoming value transfers to watched XRP Ledger accounts, and the health of xrpl-payments-exporter.',
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: layoutPanels([
      received,
      lastPayment,
      balances,
      paymentSizes,
      partialPayments,
      health,
      alerting,
      verification,
    ]),
    refresh: '30s',
    schemaVersion: 42,
    tags: ['xrpl', 'payments', 'xrpl-payments-exporter'],
    templating: {
      list: [
        datasourceVariable(),
        queryVariable({
          name: 'job',
          label: 'Job',
          query: 'label_values(xrpl_exporter_build_info, job)',
          allValue: '.+',
        }),
        queryVariable({
          name: 'instance',
          label: 'Instance',
          query: 'label_values(xrpl_exporter_build_info{job=~"$job"}, instance)',
          allValue: '.+',
        }),
        queryVariable({
          name: 'account',
          label: 'Account',
          query: `label_values(${sel('xrpl_payments_received_total')}, account)`,
          allValue: '.+',
        }),
        queryVariable({
          name: 'currency',
          label: 'Currency',
          query: `label_values(${sel('xrpl_payments_received_total', ACCOUNT)}, currency)`,
          allValue: '.+',
        }),
      ],
    },
    time: { from: 'now-24h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: 'XRPL payments',
    uid: DASHBOARD_UID,
    version: 1,
  };
}
