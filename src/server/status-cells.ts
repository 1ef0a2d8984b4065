import { isCurrencyId, shortId } from './format.js';
import { html, type SafeHtml, safeHref } from './html.js';
import type { AccountStatus, AssetValue } from './status.js';

/**
 * The status page's cells that carry ledger data in a compact form: long ids shortened with a copy
 * button, an account's assets (balance and received total on one line per asset), the receipts sparkline.
 * Every value goes through `html`, which escapes it.
 */

/** An account row lists this many assets; the rest fold into a "more" line. */
const ASSETS_SHOWN = 5;

function link(url: string | null | undefined, text: string, title: string): SafeHtml {
  const href = safeHref(url);
  return href
    ? html`<a href="${href}" rel="noreferrer" title="${title}">${text}</a>`
    : html`<span title="${title}">${text}</span>`;
}

/**
 * A long id shortened in the middle, the whole of it in the title and behind a copy button (shown
 * once the script runs: it does the copying).
 */
export function id(value: string, href?: string | null): SafeHtml {
  if (value === '') return html`<span class="muted">—</span>`;
  return html`<span class="id">${link(href, shortId(value), value)}<button type="button" class="copy" data-copy="${value}" title="Copy ${value}" aria-label="Copy ${value}"></button></span>`;
}

/** A currency as its label shows it: a name stays, a hex code or MPT issuance id is an id. */
export function currency(label: string): SafeHtml {
  return isCurrencyId(label) ? id(label) : html`<span class="currency">${label}</span>`;
}

/** One asset: currency, and the issuer once. */
function assetName(a: { readonly currency: string; readonly issuer: string }): SafeHtml {
  return html`${currency(a.currency)}${a.issuer ? html` <span class="issuer">${id(a.issuer)}</span>` : ''}`;
}

interface AssetLine {
  readonly currency: string;
  readonly issuer: string;
  balance: string | null;
  received: { value: string; count: number } | null;
}

/** Balances and received totals joined per asset: XRP first, then the most often received. */
function assetLines(account: AccountStatus): AssetLine[] {
  const lines = new Map<string, AssetLine>();
  const line = (a: AssetValue): AssetLine => {
    const key = `${a.currency}\u0000${a.issuer}`;
    let found = lines.get(key);
    if (!found) {
      found = { currency: a.currency, issuer: a.issuer, balance: null, received: null };
      lines.set(key, found);
    }
    return found;
  };
  for (const b of account.balances) line(b).balance = b.value;
  for (const r of account.received) line(r).received = { value: r.value, count: r.count };
  const xrpFirst = (l: AssetLine) => (l.currency === 'XRP' && l.issuer === '' ? 0 : 1);
  return [...lines.values()].sort(
    (a, b) => xrpFirst(a) - xrpFirst(b) || (b.received?.count ?? 0) - (a.received?.count ?? 0),
  );
}

function assetRow(l: AssetLine): SafeHtml {
  const received = l.received
    ? html`${l.received.value} <span class="muted count">in ${l.received.count}</span>`
    : html`<span class="muted">—</span>`;
  return html`<tr><th scope="row">${assetName(l)}</th><td>${l.balance ?? html`<span class="muted">—</span>`}</td><td>${received}</td></tr>`;
}

export function assetsCell(account: AccountStatus): SafeHtml | string {
  const lines = assetLines(account);
  if (lines.length === 0) return html`<span class="muted">—</span>`;
  const head = html`<thead><tr><th>Asset</th><th>Balance</th><th>Received</th></tr></thead>`;
  const first = lines.slice(0, ASSETS_SHOWN).map(assetRow);
  const rest = lines.slice(ASSETS_SHOWN);
  const more =
    rest.length > 0
      ? html`<details data-key="assets-${account.address}"><summary>${rest.length} more ${rest.length === 1 ? 'asset' : 'assets'}</summary><table class="assets">${rest.map(assetRow)}</table></details>`
      : '';
  return html`<table class="assets">${head}<tbody>${first}</tbody></table>${more}`;
}

/** Bars of receipts per minute, drawn from numbers only; the total beside them. */
export function sparkline(perMinute: readonly number[] | null): SafeHtml {
  if (perMinute === null || perMinute.length === 0) return html`<span class="muted">none</span>`;
  const height = 20;
  const counts = perMinute.map((n) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0));
  const max = Math.max(1, ...counts);
  const total = counts.reduce((a, b) => a + b, 0);
  const bars = counts
    .map((n, i) =>
      n === 0 ? '' : `M${i} ${height}v-${Math.max(2, Math.round((n / max) * height))}h0.8V${height}z`,
    )
    .join('');
  const label = `${total} ${total === 1 ? 'receipt' : 'receipts'} in the last hour, at most ${max} in a minute`;
  return html`<span class="trend"><svg class="spark" viewBox="0 0 ${counts.length} ${height}" preserveAspectRatio="none" role="img" aria-label="${label}"><title>${label}</title><path class="base" d="M0 ${height - 0.25}H${counts.length}"/><path d="${bars}"/></svg> <span class="muted">${total}</span></span>`;
}
