/**
 * The status page's browser script, served from `static/status.js` (CSP `script-src 'self'`). Plain
 * ES2020, no framework, and no renderer of its own:
 * - it refreshes the page by fetching the page itself and swapping in each `data-live` element (by id)
 *   from the parsed answer, keeping open "more" lines open. The markup is the server's, escaped there;
 *   DOMParser runs no script and loads nothing, so the page shows what it would show without JavaScript;
 * - it makes the copy buttons work (they are hidden until it runs): the Clipboard API where the page is
 *   a secure context (https, localhost), else a selected text area and execCommand('copy').
 */
export const STATUS_SCRIPT = `'use strict';
(function () {
  document.documentElement.classList.add('js');
  var interval = Number(document.body.getAttribute('data-refresh-ms')) || 5000;

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.className = 'offscreen';
      document.body.appendChild(area);
      area.select();
      var copied = false;
      try {
        copied = document.execCommand('copy');
      } catch (e) {
        copied = false;
      }
      area.remove();
      if (copied) resolve();
      else reject(new Error('copy refused'));
    });
  }

  function flash(button, className) {
    button.classList.add(className);
    setTimeout(function () {
      button.classList.remove(className);
    }, 1500);
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest('button.copy') : null;
    if (!button) return;
    copyText(button.getAttribute('data-copy') || '').then(
      function () { flash(button, 'copied'); },
      function () { flash(button, 'copy-failed'); }
    );
  });

  function openKeys() {
    var keys = new Set();
    document.querySelectorAll('details[open][data-key]').forEach(function (d) {
      keys.add(d.getAttribute('data-key'));
    });
    return keys;
  }

  function swap(text) {
    var fresh = new DOMParser().parseFromString(text, 'text/html');
    var open = openKeys();
    document.querySelectorAll('[data-live][id]').forEach(function (old) {
      var next = fresh.getElementById(old.id);
      if (next) old.replaceWith(document.adoptNode(next));
    });
    document.querySelectorAll('details[data-key]').forEach(function (d) {
      if (open.has(d.getAttribute('data-key'))) d.open = true;
    });
  }

  function refresh() {
    fetch(location.pathname + location.search, {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { Accept: 'text/html' },
    })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(swap)
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
