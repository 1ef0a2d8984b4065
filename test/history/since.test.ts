import { describe, expect, it } from 'vitest';
import { parseHistoryPoint } from '../../src/history/since.js';

describe('parseHistoryPoint (accounts[].since, report --since/--until)', () => {
  it.each([
    ['95000000', { kind: 'ledger', index: 95000000 }],
    [' 1 ', { kind: 'ledger', index: 1 }],
    ['2026-01-01', { kind: 'time', unixSeconds: 1767225600, text: '2026-01-01' }],
    ['2026-01-01T00:00:00Z', { kind: 'time', unixSeconds: 1767225600, text: '2026-01-01T00:00:00Z' }],
    ['2026-01-01T01:00+01:00', { kind: 'time', unixSeconds: 1767225600, text: '2026-01-01T01:00+01:00' }],
    ['2025-12-31T23:59:59.5Z', { kind: 'time', unixSeconds: 1767225599.5, text: '2025-12-31T23:59:59.5Z' }],
    ['2024-02-29T12:00:00z', { kind: 'time', unixSeconds: 1709208000, text: '2024-02-29T12:00:00z' }],
  ])('%j is %j', (text, point) => {
    expect(parseHistoryPoint(text)).toEqual({ ok: true, point });
  });

  it.each([
    ['0', /from 1 to 4294967295/],
    ['4294967296', /from 1 to 4294967295/],
    ['-5', /expected a ledger index or an ISO 8601 date-time/],
    ['2026-01-01T00:00:00', /expected a ledger index or an ISO 8601 date-time/],
    ['yesterday', /expected a ledger index or an ISO 8601 date-time/],
    ['2025-02-29', /not a valid date-time/],
    ['2026-13-01', /not a valid date-time/],
    ['2026-01-01T24:00:00Z', /not a valid date-time/],
    ['2026-01-01T10:60Z', /not a valid date-time/],
    ['1e6', /expected a ledger index/],
  ])('%j is refused', (text, message) => {
    const parsed = parseHistoryPoint(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});
