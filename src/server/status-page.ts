import {
  describeHistoryImport,
  formatClock,
  formatDuration,
  formatRelative,
  formatTime,
  formatTimeAndRelative,
} from './format.js';
import { html, type SafeHtml } from './html.js';
import type {
  AccountListStatus,
  AccountStatus,
  ConnectionStatus,
  DeadLetterStatus,
  HealthAlert,
  HealthItem,
  HistoryImportStatus,
  LedgerStatus,
  PaymentStatus,
  RuleStatus,
  ServerStatus,
  SinkTargetStatus,
  StatusSnapshot,
} from './status.js';
import { assetsCell, currency, id, sparkline } from './status-cells.js';

/**
 * The server-side status page, complete without JavaScript. `static/status.js` refreshes it by fetching
 * this same page and swapping in every element marked `data-live` (matched by id), so this is the only
 * renderer: a new section needs its markup here and a `data-live` id, nothing in the script. Every URL
 * is relative so the page also works behind a reverse proxy that mounts the exporter under a path prefix.
 *
 * Every value is interpolated through `html`, which escapes it: ledger and config text stays text.
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
  const now = status.now;
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
<header><h1>${APP_NAME}</h1><nav>${links.map(([href, text, note]) => html`<a href="${href}" title="${note}">${text}</a>`)}</nav><span class="version">version ${options.version} (revision ${options.revision})</span></header>
<main>
<div class="jump"><p id="updated" class="muted" data-live>${updatedText(now)}</p><nav aria-label="Sections"><a href="#accounts">Accounts</a> · <a href="#payments">Recent payments</a> · <a href="#connection-section">Connection</a> · <a href="#rules">Rules</a> · <a href="#sinks">Sinks</a></nav></div>
<section aria-label="Health"><ul id="health" class="health" data-live>${status.health.map((item) => healthTile(item, now))}</ul></section>
<ul id="warnings" class="warnings" data-live>${status.warnings.map((w) => html`<li>${w}</li>`)}</ul>
<section id="accounts"><h2>Accounts</h2>
<form class="search" method="get" action=""><input type="search" name="account" value="${status.accountList.search ?? ''}" placeholder="Name or address" aria-label="Find accounts by name or address"> <button type="submit">Find</button></form>
<p id="accounts-note" class="muted" data-live>${accountsNote(status.accountList, status.accounts.length)}</p>
<div class="table-box"><table class="cards accounts"><thead><tr><th>Account</th><th>Assets</th><th>Last hour</th><th>Last payment</th></tr></thead>
<tbody id="accounts-body" data-live>${rowsOrEmpty(
    status.accounts.map((a) => accountRow(a, now)),
    4,
    status.accountList.search === null ? 'No accounts configured.' : 'No account matches.',
  )}</tbody></table></div></section>
<section id="payments"><h2>Recent payments</h2>
<div class="table-box"><table class="cards payments"><thead><tr><th>Time (UTC)</th><th>Account</th><th>Amount</th><th>From</th><th>Type</th><th>Memo</th><th>Transaction</th></tr></thead>
<tbody id="payments-body" data-live>${rowsOrEmpty(
    status.recentPayments.map((p) => paymentRow(p, now)),
    7,
    'No payments received yet.',
  )}</tbody></table></div></section>
<section id="connection-section"><h2>Connection</h2>
<dl id="connection" data-live>${connectionItems(status.connection, status.ledger, now)}</dl>
<div class="table-box"><table class="cards servers"><thead><tr><th>Server</th><th>Connected</th><th>Last error</th><th>Next attempt</th></tr></thead>
<tbody id="servers-body" data-live>${status.connection.servers.map((s) => serverRow(s, now))}</tbody></table></div></section>
<section id="rules"><h2>Rules</h2>
<div class="table-box"><table class="cards rules"><thead><tr><th>Name</th><th>Kind</th><th>State</th><th>Last email</th><th>Next email allowed</th></tr></thead>
<tbody id="rules-body" data-live>${rowsOrEmpty(
    status.rules.map((r) => ruleRow(r, now)),
    5,
    'No rules configured.',
  )}</tbody></table></div></section>
<section id="sinks"><h2>Notification sinks</h2>
<div class="table-box"><table class="cards sinks"><thead><tr><th>Sink</th><th>Target</th><th>Queued</th><th>Last success</th><th>Last error</th></tr></thead>
<tbody id="sinks-body" data-live>${rowsOrEmpty(
    status.sinks.targets.map((t) => sinkRow(t, now)),
    5,
    'No email or alertmanager section configured.',
  )}</tbody></table></div>
<h3>Not delivered (refused for good)</h3>
<div class="table-box"><table class="cards dead"><thead><tr><th>Time</th><th>Sink</th><th>Rule</th><th>Notification</th><th>Recipient or target</th><th>Error</th></tr></thead>
<tbody id="dead-body" data-live>${rowsOrEmpty(status.sinks.deadLetters.map(deadLetterRow), 6, 'None.')}</tbody></table></div></section>
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

const LEVEL_WORDS: Readonly<Record<string, string>> = {
  ok: 'OK',
  warning: 'Warning',
  critical: 'Critical',
  off: 'Off',
};

/** Class names come from this whitelist, never from data. */
function levelClass(level: string): string {
  return level in LEVEL_WORDS ? level : 'off';
}

function healthTile(item: HealthItem, now: number): SafeHtml {
  const level = levelClass(item.level);
  const lines = [
    ...item.details.map((d) => html`<li>${d}</li>`),
    ...item.alerts.map((a) => alertLine(a, now)),
  ];
  return html`<li class="tile level-${level}" data-area="${item.area}"><div class="tile-head"><h3>${item.title}</h3><span class="level">${LEVEL_WORDS[level]}</span></div><p>${item.summary}</p>${
    lines.length > 0 ? html`<ul>${lines}</ul>` : ''
  }</li>`;
}

/** "XRPLStreamDown pending for 45s (fires after 2m 0s)". */
function alertLine(a: HealthAlert, now: number): SafeHtml {
  const about = Object.values(a.labels);
  const subject = about.length > 0 ? ` (${about.join(', ')})` : '';
  const held = formatDuration(now - a.since);
  const text =
    a.state === 'firing'
      ? `${a.alert}${subject} firing, for ${held}`
      : `${a.alert}${subject} pending for ${held} (fires after ${formatDuration(a.forSeconds)})`;
  return html`<li class="alert alert-${a.state === 'firing' ? 'firing' : 'pending'}">${text}</li>`;
}

function accountsNote(list: AccountListStatus, shown: number): string {
  const found = list.search === null ? '' : ` matching "${list.search}"`;
  if (shown === list.matching) {
    return list.search === null
      ? `${list.total} ${list.total === 1 ? 'account' : 'accounts'}.`
      : `${list.matching} of ${list.total} accounts${found}.`;
  }
  return `Showing ${shown} of ${list.matching} accounts${found}: those needing attention first, then the most recently paid. Search to find any other.`;
}

function connectionItems(connection: ConnectionStatus, ledger: LedgerStatus | null, now: number): SafeHtml {
  const item = (term: string, value: SafeHtml | string) => html`<dt>${term}</dt><dd>${value}</dd>`;
  return html`${item('State', html`<span class="badge state-${connectionClass(connection.state)}">${connection.state}</span>`)}${item(
    'Server',
    connection.server ?? 'none',
  )}${item('API version', String(connection.apiVersion))}${item('xrpl_up', connection.up ? '1' : '0')}${item(
    'Last validated ledger',
    ledger ? String(ledger.index) : 'none yet',
  )}${item('Ledger closed', ledger ? formatTimeAndRelative(ledger.closeTime, now) : '—')}`;
}

function serverRow(server: ServerStatus, now: number): SafeHtml {
  const error =
    server.lastError === null || server.lastErrorAt === null
      ? 'none'
      : `${server.lastError} (${formatRelative(server.lastErrorAt, now)})`;
  const next = server.nextAttemptAt === null ? '—' : formatTimeAndRelative(server.nextAttemptAt, now);
  return html`<tr><td data-label="Server" class="mono wrap">${server.url}</td><td data-label="Connected">${server.connected ? 'yes' : 'no'}</td><td data-label="Last error" class="wrap">${error}</td><td data-label="Next attempt">${next}</td></tr>`;
}

/** Class names come from this whitelist, never from data. */
function connectionClass(state: string): string {
  return state === 'connected' || state === 'connecting' ? state : 'disconnected';
}

function rowsOrEmpty(rows: readonly SafeHtml[], columns: number, emptyText: string): SafeHtml {
  if (rows.length > 0) return html`${rows}`;
  return html`<tr><td colspan="${columns}" class="muted">${emptyText}</td></tr>`;
}

function accountRow(account: AccountStatus, now: number): SafeHtml {
  const last = account.lastPayment;
  const lastCell = last
    ? html`<div>${last.amount} ${currency(last.currency)}</div><div class="muted">${formatRelative(last.time, now)}</div><div>${id(last.hash, last.explorerLink)}</div>`
    : html`<span class="muted">none yet</span>`;
  return html`<tr><td data-label="Account"><div class="name">${account.name}</div><div>${id(account.address, account.explorerUrl)}</div>${verificationLine(account)}${historyLine(account.history)}</td><td data-label="Assets">${assetsCell(
    account,
  )}</td><td data-label="Last hour">${sparkline(account.trend ?? null)}</td><td data-label="Last payment">${lastCell}</td></tr>`;
}

/** Red with the ledger ranges while a break is unrepaired; else the ledger the thread is proved to. */
function verificationLine(account: AccountStatus): SafeHtml | string {
  const v = account.verification;
  if (!v) return '';
  if (v.unverifiedRanges.length > 0) {
    return html`<div class="wrap"><span class="badge state-disconnected">unverified</span> <span class="mono">ledgers ${v.unverifiedRanges.join(', ')}</span></div>`;
  }
  return html`<div class="muted">verified to ledger ${v.verifiedLedger}</div>`;
}

/** The account's history import, in words; nothing when it has none. */
function historyLine(history: HistoryImportStatus | null | undefined): SafeHtml | string {
  return history ? html`<div class="muted history">${describeHistoryImport(history)}</div>` : '';
}

function paymentRow(p: PaymentStatus, now: number): SafeHtml {
  const partial = p.partial ? html` <span class="badge partial">partial</span>` : '';
  const issuer = p.issuer ? html`<div class="issuer">${id(p.issuer)}</div>` : '';
  const memo = p.memo ?? '';
  return html`<tr><td data-label="Time" class="nowrap"><span title="${formatTime(p.time)}">${formatClock(p.time)}</span><div class="muted">${formatRelative(p.time, now)}</div></td><td data-label="Account"><div class="name">${p.accountName}</div>${id(p.accountAddress)}</td><td data-label="Amount"><span class="amount">${p.amount}</span> ${currency(p.currency)}${partial}${issuer}</td><td data-label="From">${id(p.sender)}</td><td data-label="Type">${p.type}</td><td data-label="Memo">${memo === '' ? '' : html`<div class="memo" title="${memo}">${memo}</div>`}</td><td data-label="Transaction">${id(p.hash, p.link)}</td></tr>`;
}

function ruleRow(rule: RuleStatus, now: number): SafeHtml {
  const state = rule.state === 'firing' ? 'firing' : 'ok';
  const last = rule.lastEmailAt === null ? 'never' : formatTimeAndRelative(rule.lastEmailAt, now);
  const next =
    rule.nextEmailAllowedAt === null || rule.nextEmailAllowedAt <= now
      ? 'now'
      : `${formatTime(rule.nextEmailAllowedAt)} (in ${formatDuration(rule.nextEmailAllowedAt - now)})`;
  return html`<tr><td data-label="Name" class="wrap">${rule.name}</td><td data-label="Kind">${rule.kind}</td><td data-label="State"><span class="badge state-${state}">${state}</span></td><td data-label="Last email">${last}</td><td data-label="Next email">${next}</td></tr>`;
}

function sinkRow(t: SinkTargetStatus, now: number): SafeHtml {
  const last = t.lastSuccessAt === null ? 'never' : formatTimeAndRelative(t.lastSuccessAt, now);
  const error = t.lastError === null ? '—' : `${formatTime(t.lastError.at)}: ${t.lastError.message}`;
  return html`<tr><td data-label="Sink">${t.sink}</td><td data-label="Target" class="mono wrap">${t.target}</td><td data-label="Queued">${String(t.queued)}</td><td data-label="Last success">${last}</td><td data-label="Last error" class="wrap">${error}</td></tr>`;
}

function deadLetterRow(d: DeadLetterStatus): SafeHtml {
  return html`<tr><td data-label="Time" class="nowrap">${formatTime(d.at)}</td><td data-label="Sink">${d.sink}</td><td data-label="Rule" class="wrap">${d.rule}</td><td data-label="Notification" class="wrap">${d.what}</td><td data-label="Recipient" class="mono wrap">${d.recipient ?? d.target}</td><td data-label="Error" class="wrap">${d.error}</td></tr>`;
}
