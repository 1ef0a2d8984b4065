import type { HistoryImportStatus } from './status.js';

/** Human-readable times and ids for the status page. */

/** "0s", "45s", "3m 2s", "2h 5m", "3d 4h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** "5s ago" for a past time, "in 5s" for a future one, relative to `now` (both Unix seconds). */
export function formatRelative(time: number, now: number): string {
  return time <= now ? `${formatDuration(now - time)} ago` : `in ${formatDuration(time - now)}`;
}

/** "2026-11-26 12:34:56 UTC". */
export function formatTime(time: number): string {
  const date = new Date(time * 1000);
  if (Number.isNaN(date.getTime())) return '?';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2026-11-26 12:34:56 UTC (5s ago)". */
export function formatTimeAndRelative(time: number, now: number): string {
  return `${formatTime(time)} (${formatRelative(time, now)})`;
}

/** "13:36:00" (UTC), for rows whose day is plain from the context. */
export function formatClock(time: number): string {
  const date = new Date(time * 1000);
  return Number.isNaN(date.getTime()) ? '?' : date.toISOString().slice(11, 19);
}

/**
 * A long id (hash, address, 40-hex currency code, MPT issuance id) shortened in the middle:
 * `0044E4…21C8C`. Enough of both ends to recognise it; short texts stay whole.
 */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-5)}` : id;
}

/** A currency label that is a code rather than a name: 40-hex (not printable ASCII) or an MPT issuance id. */
export function isCurrencyId(currency: string): boolean {
  return /^(?:[0-9A-F]{40}|[0-9A-F]{48})$/.test(currency);
}

/** An account's history import in words: "history importing, 1200 ledgers left (40%)". */
export function describeHistoryImport(h: HistoryImportStatus): string {
  if (h.state === 'done') return 'history imported';
  const left =
    h.ledgersLeft === null
      ? ''
      : `, ${h.ledgersLeft} ledgers left${h.percent === null ? '' : ` (${h.percent}%)`}`;
  if (h.state === 'failing') return `history import failing${left}: ${h.error ?? 'unknown error'}`;
  return `history ${h.state === 'importing' ? 'importing' : 'import waiting'}${left}`;
}
