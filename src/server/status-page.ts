import { describeHistoryImport, formatDuration, formatRelative, formatTime, shortHash } from './format.js';
import { html, type SafeHtml, safeHref } from './html.js';
import type {
  AccountStatus,
  AssetValue,
  ConnectionStatus,
  DeadLetterStatus,
  HistoryImportStatus,
  LedgerStatus,
  PaymentStatus,
  ReceivedTotal,
  RuleStatus,
  ServerStatus,
  SinkTargetStatus,
  StatusSnapshot,
} from './status.js';

/**
 * The server-side status page. It is complete without JavaScript; `static/status.js` then refreshes the
 * elements with ids (warnings, connection, servers-body, accounts-body, payments-body, rules-body, sinks-body,
 * dead-body, updated) from `api/status`, building the same markup with DOM APIs. Every URL is relative so the page also works behind a
 * reverse proxy that mounts the exporter under a path prefix.
 */
export interface StatusPageOptions {
  readonly version: string;
  readonly revision: string;
  readonly telemetryPath: string;
  /** How often the browser script refreshes the page. */
  readonly refreshIntervalMs: number;
}

export const APP_NAME = 'xrpl-payments-exporter';

export function renderStatusPage(status: StatusSnapshot, options: StatusPageOptions): string {
  const links: readonly [string, string, string][] = [
    [relative(options.telemetryPath), 'Metrics', 'Prometheus exposition'],
    ['api/status', 'Status JSON', 'this page as JSON'],
    ['-/healthy', 'Health', '200 while the process runs'],
    ['-/ready', 'Readiness', '200 once connected, subscribed and fresh'],
  ];
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${APP_NAME}</title>
<link rel="stylesheet" href="static/status.css">
<script src="static/status.js" defer></script>
</head>
<body data-refresh-ms="${options.refreshIntervalMs}">
<header><h1>${APP_NAME}</h1><span class="version">version ${options.version} (revision ${options.revision})</span></header>
<main>
<p>Prometheus exporter for validated incoming transfers to XRP Ledger accounts.
<span id="updated" class="muted">${updatedText(status.now)}</span></p>
<ul class="links">${links.map(([href, text, note]) => html`<li><a href="${href}">${text}</a> <span class="muted">${note}</span></li>`)}</ul>
<ul id="warnings" class="warnings">${status.warnings.map((w) => html`<li>${w}</li>`)}</ul>
<section><h2>Connection</h2>
<dl id="connection">${connectionItems(status.connection, status.ledger, status.now)}</dl>
<table><thead><tr><th>Server</th><th>Connected</th><th>Last error</th><th>Next attempt</th></tr></thead>
<tbody id="servers-body">${status.connection.servers.map((s) => serverRow(s, status.now))}</tbody></table></section>
<section><h2>Accounts</h2>
<table><thead><tr><th>Name</th><th>Address</th><th>Balances</th><th>Received</th><th>Last payment</th><th>Verified</th></tr></thead>
<tbody id="accounts-body">${rowsOrEmpty(
    status.accounts.map((a) => accountRow(a, status.now)),
    6,
    'No accounts configured.',
  )}</tbody></table></section>
<section><h2>Recent payments</h2>
<table><thead><tr><th>Time</th><th>Account</th><th>Amount</th><th>Issuer</th><th>From</th><th>Type</th><th>Memo</th><th>Transaction</th></tr></thead>
<tbody id="payments-body">${rowsOrEmpty(status.recentPayments.map(paymentRow), 8, 'No payments received yet.')}</tbody></table></section>
<section><h2>Rules</h2>
<table><thead><tr><th>Name</th><th>Kind</th><th>State</th><th>Last email</th><th>Next email allowed</th></tr></thead>
<tbody id="rules-body">${rowsOrEmpty(
    status.rules.map((r) => ruleRow(r, status.now)),
    5,
    'No rules configured.',
  )}</tbody></table></section>
<section><h2>Notification sinks</h2>
<table><thead><tr><th>Sink</th><th>Target</th><th>Queued</th><th>Last success</th><th>Last error</th></tr></thead>
<tbody id="sinks-body">${rowsOrEmpty(
    status.sinks.targets.map((t) => sinkRow(t, status.now)),
    5,
    'No email or alertmanager section configured.',
  )}</tbody></table>
<h3>Not delivered (refused for good)</h3>
<table><thead><tr><th>Time</th><th>Sink</th><th>Rule</th><th>Notification</th><th>Recipient or target</th><th>Error</th></tr></thead>
<tbody id="dead-body">${rowsOrEmpty(status.sinks.deadLetters.map(deadLetterRow), 6, 'None.')}</tbody></table></section>
</main>
</body>
</html>
`;
  return page.text;
}

/** '/metrics' -> 'metrics': resolved against the page at '/', wherever that is mounted. */
function relative(path: string): string {
  return path.replace(/^\/+/, '');
}

function updatedText(now: number): string {
  return `Snapshot taken ${formatTime(now)}.`;
}

function connectionItems(connection: ConnectionStatus, ledger: LedgerStatus | null, now: number): SafeHtml {
  const item = (term: string, value: SafeHtml | string) => html`<dt>${term}</dt><dd>${value}</dd>`;
  return html`${item('State', html`<span class="badge state-${connectionClass(connection.state)}">${connection.state}</span>`)}${item(
    'Server',
    connection.server ?? 'none',
  )}${item('API version', String(connection.apiVersion))}${item('xrpl_up', connection.up ? '1' : '0')}${item(
    'Last validated ledger',
    ledger ? String(ledger.index) : 'none yet',
  )}${item('Ledger closed', ledger ? `${formatTime(ledger.closeTime)} (${formatRelative(ledger.closeTime, now)})` : '—')}`;
}

function serverRow(server: ServerStatus, now: number): SafeHtml {
  const error =
    server.lastError === null || server.lastErrorAt === null
      ? 'none'
      : `${server.lastError} (${formatRelative(server.lastErrorAt, now)})`;
  const next =
    server.nextAttemptAt === null
      ? '—'
      : `${formatTime(server.nextAttemptAt)} (${formatRelative(server.nextAttemptAt, now)})`;
  return html`<tr><td class="mono">${server.url}</td><td>${server.connected ? 'yes' : 'no'}</td><td>${error}</td><td>${next}</td></tr>`;
}

/** Class names come from this whitelist, never from data. */
function connectionClass(state: string): string {
  return state === 'connected' || state === 'connecting' ? state : 'disconnected';
}

function rowsOrEmpty(rows: readonly SafeHtml[], columns: number, emptyText: string): SafeHtml {
  if (rows.length > 0) return html`${rows}`;
  return html`<tr><td colspan="${columns}" class="muted">${emptyText}</td></tr>`;
}

function link(url: string | null | undefined, text: string): SafeHtml {
  const href = safeHref(url);
  return href ? html`<a href="${href}" rel="noreferrer">${text}</a>` : html`<span>${text}</span>`;
}

function asset(a: AssetValue, suffix = ''): SafeHtml {
  const issuer = a.issuer ? html` <span class="issuer">${a.issuer}</span>` : '';
  return html`<div class="asset"><span class="amount">${a.value}</span> <span class="currency">${a.currency}</span>${issuer}${suffix}</div>`;
}

function receivedLine(r: ReceivedTotal): SafeHtml {
  return asset(r, ` in ${r.count} ${r.count === 1 ? 'transfer' : 'transfers'}`);
}

function accountRow(account: AccountStatus, now: number): SafeHtml {
  const last = account.lastPayment;
  const lastCell = last
    ? html`${asset({ value: last.amount, currency: last.currency, issuer: last.issuer })}<div class="muted">${formatRelative(last.time, now)}</div><div>${link(last.explorerLink, shortHash(last.hash))}</div>`
    : 'none yet';
  return html`<tr><td>${account.name}${historyLine(account.history)}</td><td class="mono">${link(account.explorerUrl, account.address)}</td><td>${
    account.balances.length > 0 ? account.balances.map((b) => asset(b)) : '—'
  }</td><td>${account.received.length > 0 ? account.received.map(receivedLine) : '—'}</td><td>${lastCell}</td><td>${verificationCell(account)}</td></tr>`;
}

/** Red with the ledger ranges while a break is unrepaired; else the ledger the thread is proved to. */
function verificationCell(account: AccountStatus): SafeHtml | string {
  const v = account.verification;
  if (!v) return '—';
  if (v.unverifiedRanges.length > 0) {
    return html`<span class="badge state-disconnected">unverified</span> <span class="mono">ledgers ${v.unverifiedRanges.join(', ')}</span>`;
  }
  return html`<span class="badge state-ok">verified</span> <span class="muted">to ledger ${v.verifiedLedger}</span>`;
}

/** The account's history import, in words; nothing when it has none. */
function historyLine(history: HistoryImportStatus | null | undefined): SafeHtml | string {
  return history ? html`<div class="muted history">${describeHistoryImport(history)}</div>` : '';
}

function paymentRow(p: PaymentStatus): SafeHtml {
  const partial = p.partial ? html` <span class="badge partial">partial</span>` : '';
  return html`<tr><td class="nowrap">${formatTime(p.time)}</td><td>${p.accountName}<div class="mono muted">${p.accountAddress}</div></td><td><span class="amount">${p.amount}</span> <span class="currency">${p.currency}</span>${partial}</td><td class="mono">${p.issuer || '—'}</td><td class="mono">${p.sender}</td><td>${p.type}</td><td class="memo">${p.memo ?? ''}</td><td class="mono">${link(p.link, shortHash(p.hash))}</td></tr>`;
}

function ruleRow(rule: RuleStatus, now: number): SafeHtml {
  const state = rule.state === 'firing' ? 'firing' : 'ok';
  const last =
    rule.lastEmailAt === null
      ? 'never'
      : `${formatTime(rule.lastEmailAt)} (${formatRelative(rule.lastEmailAt, now)})`;
  const next =
    rule.nextEmailAllowedAt === null || rule.nextEmailAllowedAt <= now
      ? 'now'
      : `${formatTime(rule.nextEmailAllowedAt)} (in ${formatDuration(rule.nextEmailAllowedAt - now)})`;
  return html`<tr><td>${rule.name}</td><td>${rule.kind}</td><td><span class="badge state-${state}">${state}</span></td><td>${last}</td><td>${next}</td></tr>`;
}

function sinkRow(t: SinkTargetStatus, now: number): SafeHtml {
  const last =
    t.lastSuccessAt === null
      ? 'never'
      : `${formatTime(t.lastSuccessAt)} (${formatRelative(t.lastSuccessAt, now)})`;
  const error = t.lastError === null ? '—' : `${formatTime(t.lastError.at)}: ${t.lastError.message}`;
  return html`<tr><td>${t.sink}</td><td class="mono">${t.target}</td><td>${String(t.queued)}</td><td>${last}</td><td>${error}</td></tr>`;
}

function deadLetterRow(d: DeadLetterStatus): SafeHtml {
  return html`<tr><td class="nowrap">${formatTime(d.at)}</td><td>${d.sink}</td><td>${d.rule}</td><td>${d.what}</td><td class="mono">${d.recipient ?? d.target}</td><td>${d.error}</td></tr>`;
}
