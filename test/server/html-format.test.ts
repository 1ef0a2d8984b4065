import { describe, expect, test } from 'vitest';
import {
  formatClock,
  formatDuration,
  formatRelative,
  formatTime,
  isCurrencyId,
  shortId,
} from '../../src/server/format.js';
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

  test.each([
    ['0044E4C9FB70ADC1A604A5792643A38CA5887219C21C8C0000000000021C8C', '0044E4…21C8C'],
    ['rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', 'rPT1Sj…bpAYe'],
    ['0123456789ABCD', '0123456789ABCD'],
    ['0123456789ABCDE', '012345…ABCDE'],
    ['USD', 'USD'],
  ])('shortId(%s) = %s', (id, expected) => {
    expect(shortId(id)).toBe(expected);
  });

  test.each([
    ['0000000000000000000000005553440000000000', true],
    ['00000001365FEC4C03F5B3D9FD06C6EBCEA05A5B04BEDAFC', true],
    ['USD', false],
    ['RLUSD', false],
    ['03930d02208264e2e40ec1b0c09e4db96ee197b1', false],
  ])('isCurrencyId(%s) = %s', (currency, expected) => {
    expect(isCurrencyId(currency)).toBe(expected);
  });

  test('formatClock is the UTC time of day', () => {
    expect(formatClock(1_790_000_000)).toBe('14:13:20');
    expect(formatClock(Number.NaN)).toBe('?');
  });
});
