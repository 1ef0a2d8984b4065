import { describe, expect, test } from 'vitest';
import { formatDuration, formatRelative, formatTime, shortHash } from '../../src/server/format.js';
import { escapeHtml, html, SafeHtml, safeHref } from '../../src/server/html.js';

describe('html', () => {
  test('escapes every interpolated string, including inside attributes', () => {
    const hostile = `"><img src=x onerror='alert(1)'>&`;
    expect(html`<td title="${hostile}">${hostile}</td>`.text).toBe(
      '<td title="&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;">&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;</td>',
    );
  });

  test('nests SafeHtml and arrays without double escaping; null and undefined render nothing', () => {
    const rows = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${rows}${null}${undefined}${0}</ul>`.text).toBe('<ul><li>&lt;a&gt;</li><li>b</li>0</ul>');
    expect(html`${new SafeHtml('<b>')}`.text).toBe('<b>');
  });

  test('escapeHtml covers the five characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  test.each([
    ['https://testnet.xrpl.org/transactions/ABC', 'https://testnet.xrpl.org/transactions/ABC'],
    ['http://localhost:8080/x', 'http://localhost:8080/x'],
    ['javascript:alert(1)', null],
    [' JavaScript:alert(1)', null],
    ['data:text/html,<script>', null],
    ['/relative', null],
    ['', null],
    [null, null],
  ])('safeHref(%j) = %j', (url, expected) => {
    expect(safeHref(url)).toBe(expected);
  });
});

describe('format', () => {
  test.each([
    [0, '0s'],
    [59.9, '59s'],
    [60, '1m 0s'],
    [125, '2m 5s'],
    [3600, '1h 0m'],
    [86399, '23h 59m'],
    [90000, '1d 1h'],
    [-5, '0s'],
  ])('formatDuration(%d) = %s', (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  test('formatRelative says ago for the past and in for the future', () => {
    expect(formatRelative(100, 130)).toBe('30s ago');
    expect(formatRelative(130, 130)).toBe('0s ago');
    expect(formatRelative(190, 130)).toBe('in 1m 0s');
  });

  test('formatTime is UTC to the second', () => {
    expect(formatTime(1_790_000_000)).toBe('2026-09-21 14:13:20 UTC');
    expect(formatTime(Number.NaN)).toBe('?');
  });

  test('shortHash keeps twelve characters', () => {
    expect(shortHash('ABCDEF0123456789')).toBe('ABCDEF012345…');
    expect(shortHash('ABC')).toBe('ABC');
  });
});
