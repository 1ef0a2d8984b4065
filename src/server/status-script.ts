/**
 * The status page's browser script, served from `static/status.js` (CSP `script-src 'self'`). It polls
 * `api/status` and rebuilds the live sections with createElement/textContent only, so ledger text can
 * never become markup. It mirrors status-page.ts and format.ts; the browser test checks that a refresh of
 * an unchanged snapshot leaves the page's text unchanged. Plain ES2020, no framework.
 */
export const STATUS_SCRIPT = `'use strict';
(function () {
  var body = document.body;
  var interval = Number(body.getAttribute('data-refresh-ms')) || 5000;

  function el(tag, className, children) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    (children || []).forEach(function (child) {
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function formatDuration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
    if (s < 86400) return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
    return Math.floor(s / 86400) + 'd ' + Math.floor((s % 86400) / 3600) + 'h';
  }
  function formatRelative(time, now) {
    return time <= now ? formatDuration(now - time) + ' ago' : 'in ' + formatDuration(time - now);
  }
  function formatTime(time) {
    var date = new Date(time * 1000);
    if (isNaN(date.getTime())) return '?';
    return date.toISOString().slice(0, 19).replace('T', ' ') + ' UTC';
  }
  function describeHistoryImport(h) {
    if (h.state === 'done') return 'history imported';
    var left =
      h.ledgersLeft === null
        ? ''
        : ', ' + h.ledgersLeft + ' ledgers left' + (h.percent === null ? '' : ' (' + h.percent + '%)');
    if (h.state === 'failing') return 'history import failing' + left + ': ' + (h.error == null ? 'unknown error' : h.error);
    return 'history ' + (h.state === 'importing' ? 'importing' : 'import waiting') + left;
  }
  function shortHash(hash) {
    return hash.length > 12 ? hash.slice(0, 12) + '\\u2026' : hash;
  }
  function safeHref(url) {
    if (!url) return null;
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }
  function link(url, text) {
    var href = safeHref(url);
    if (!href) return el('span', '', [text]);
    var a = el('a', '', [text]);
    a.href = href;
    a.rel = 'noreferrer';
    return a;
  }
  function td(className, children) {
    return el('td', className, children);
  }
  function asset(a, suffix) {
    var parts = [el('span', 'amount', [a.value]), ' ', el('span', 'currency', [a.currency])];
    if (a.issuer) parts.push(' ', el('span', 'issuer', [a.issuer]));
    if (suffix) parts.push(suffix);
    return el('div', 'asset', parts);
  }
  function orDash(nodes) {
    return nodes.length > 0 ? nodes : ['\\u2014'];
  }
  function rowsOrEmpty(rows, columns, emptyText) {
    if (rows.length > 0) return rows;
    var cell = td('muted', [emptyText]);
    cell.colSpan = columns;
    return [el('tr', '', [cell])];
  }
  function badge(className, text) {
    return el('span', 'badge ' + className, [text]);
  }

  function connectionItems(c, ledger, now) {
    var state = c.state === 'connected' || c.state === 'connecting' ? c.state : 'disconnected';
    var items = [
      ['State', badge('state-' + state, String(c.state))],
      ['Server', c.server == null ? 'none' : c.server],
      ['API version', String(c.apiVersion)],
      ['xrpl_up', c.up ? '1' : '0'],
      ['Last validated ledger', ledger ? String(ledger.index) : 'none yet'],
      ['Ledger closed', ledger ? formatTime(ledger.closeTime) + ' (' + formatRelative(ledger.closeTime, now) + ')' : '\\u2014'],
    ];
    var nodes = [];
    items.forEach(function (item) {
      nodes.push(el('dt', '', [item[0]]), el('dd', '', [item[1]]));
    });
    return nodes;
  }

  function serverRow(s, now) {
    var error = s.lastError === null || s.lastErrorAt === null
      ? 'none'
      : s.lastError + ' (' + formatRelative(s.lastErrorAt, now) + ')';
    var next = s.nextAttemptAt === null
      ? '\u2014'
      : formatTime(s.nextAttemptAt) + ' (' + formatRelative(s.nextAttemptAt, now) + ')';
    return el('tr', '', [td('mono', [s.url]), td('', [s.connected ? 'yes' : 'no']), td('', [error]), td('', [next])]);
  }

  function accountRow(a, now) {
    var last = a.lastPayment;
    var lastCell = last
      ? [
          asset({ value: last.amount, currency: last.currency, issuer: last.issuer }),
          el('div', 'muted', [formatRelative(last.time, now)]),
          el('div', '', [link(last.explorerLink, shortHash(last.hash))]),
        ]
      : ['none yet'];
    var name = [a.name];
    if (a.history) name.push(el('div', 'muted history', [describeHistoryImport(a.history)]));
    return el('tr', '', [
      td('', name),
      td('mono', [link(a.explorerUrl, a.address)]),
      td('', orDash(a.balances.map(function (b) { return asset(b); }))),
      td('', orDash(a.received.map(function (r) {
        return asset(r, ' in ' + r.count + ' ' + (r.count === 1 ? 'transfer' : 'transfers'));
      }))),
      td('', lastCell),
      td('', verificationCell(a.verification)),
    ]);
  }

  function verificationCell(v) {
    if (!v) return ['\u2014'];
    if (v.unverifiedRanges.length > 0) {
      return [badge('state-disconnected', 'unverified'), ' ', el('span', 'mono', ['ledgers ' + v.unverifiedRanges.join(', ')])];
    }
    return [badge('state-ok', 'verified'), ' ', el('span', 'muted', ['to ledger ' + v.verifiedLedger])];
  }

  function paymentRow(p) {
    var amount = [el('span', 'amount', [p.amount]), ' ', el('span', 'currency', [p.currency])];
    if (p.partial) amount.push(' ', badge('partial', 'partial'));
    return el('tr', '', [
      td('nowrap', [formatTime(p.time)]),
      td('', [p.accountName, el('div', 'mono muted', [p.accountAddress])]),
      td('', amount),
      td('mono', [p.issuer || '\\u2014']),
      td('mono', [p.sender]),
      td('', [p.type]),
      td('memo', [p.memo == null ? '' : String(p.memo)]),
      td('mono', [link(p.link, shortHash(p.hash))]),
    ]);
  }

  function ruleRow(r, now) {
    var state = r.state === 'firing' ? 'firing' : 'ok';
    var last = r.lastEmailAt === null ? 'never' : formatTime(r.lastEmailAt) + ' (' + formatRelative(r.lastEmailAt, now) + ')';
    var next = r.nextEmailAllowedAt === null || r.nextEmailAllowedAt <= now
      ? 'now'
      : formatTime(r.nextEmailAllowedAt) + ' (in ' + formatDuration(r.nextEmailAllowedAt - now) + ')';
    return el('tr', '', [
      td('', [r.name]),
      td('', [r.kind]),
      td('', [badge('state-' + state, state)]),
      td('', [last]),
      td('', [next]),
    ]);
  }

  function sinkRow(t, now) {
    var last = t.lastSuccessAt === null ? 'never' : formatTime(t.lastSuccessAt) + ' (' + formatRelative(t.lastSuccessAt, now) + ')';
    var error = t.lastError === null ? '\u2014' : formatTime(t.lastError.at) + ': ' + t.lastError.message;
    return el('tr', '', [
      td('', [t.sink]),
      td('mono', [t.target]),
      td('', [String(t.queued)]),
      td('', [last]),
      td('', [error]),
    ]);
  }

  function deadLetterRow(d) {
    return el('tr', '', [
      td('nowrap', [formatTime(d.at)]),
      td('', [d.sink]),
      td('', [d.rule]),
      td('', [d.what]),
      td('mono', [d.recipient == null ? d.target : d.recipient]),
      td('', [d.error]),
    ]);
  }

  function replace(id, nodes) {
    var target = document.getElementById(id);
    if (target) target.replaceChildren.apply(target, nodes);
  }

  function render(s) {
    replace('warnings', s.warnings.map(function (w) { return el('li', '', [w]); }));
    replace('connection', connectionItems(s.connection, s.ledger, s.now));
    replace('servers-body', s.connection.servers.map(function (server) { return serverRow(server, s.now); }));
    replace('accounts-body', rowsOrEmpty(s.accounts.map(function (a) { return accountRow(a, s.now); }), 6, 'No accounts configured.'));
    replace('payments-body', rowsOrEmpty(s.recentPayments.map(paymentRow), 8, 'No payments received yet.'));
    replace('rules-body', rowsOrEmpty(s.rules.map(function (r) { return ruleRow(r, s.now); }), 5, 'No rules configured.'));
    replace('sinks-body', rowsOrEmpty(s.sinks.targets.map(function (t) { return sinkRow(t, s.now); }), 5, 'No email or alertmanager section configured.'));
    replace('dead-body', rowsOrEmpty(s.sinks.deadLetters.map(deadLetterRow), 6, 'None.'));
    var updated = document.getElementById('updated');
    if (updated) {
      updated.className = 'muted';
      updated.textContent = 'Snapshot taken ' + formatTime(s.now) + '.';
    }
  }

  function refresh() {
    fetch('api/status', { cache: 'no-store', credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        var updated = document.getElementById('updated');
        if (updated) {
          updated.className = 'stale';
          updated.textContent = 'Refresh failed (' + error.message + '); showing older data.';
        }
      })
      .finally(function () {
        setTimeout(refresh, interval);
      });
  }

  setTimeout(refresh, interval);
})();
`;
