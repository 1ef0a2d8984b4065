import type { HistoryImportStatus } from './status.js';

/**
 * Human-readable times for the status page. The browser script (status-script.ts) carries the same rules
 * in plain JavaScript; the browser test checks both render a snapshot identically.
 */

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

/** The first characters of a transaction hash, enough to tell rows apart. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
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
