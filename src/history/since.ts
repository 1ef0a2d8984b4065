/**
 * A point in the ledger's history, as a user writes it in `accounts[].since` or `report --since/--until`:
 * a ledger index, or an ISO 8601 date-time that the servers resolve to a ledger by close time.
 */
export type HistoryPoint =
  | { readonly kind: 'ledger'; readonly index: number }
  /** `unixSeconds` may carry a fraction (milliseconds in the text); ledger close times are whole seconds. */
  | { readonly kind: 'time'; readonly unixSeconds: number; readonly text: string };

/** `2026-01-01`, or a date-time with seconds optional, a fraction optional and a zone required. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?$/i;

/** Validated ledgers start at 1; indexes are 32-bit on the ledger. */
const MAX_LEDGER_INDEX = 0xffffffff;

/**
 * Parses a ledger index (a whole number, 1 or more) or an ISO 8601 date-time. A date alone means
 * 00:00:00 UTC that day; a date-time must name its zone (`Z` or `+01:00`), so a value never depends on
 * the machine's time zone.
 */
export function parseHistoryPoint(
  text: string,
): { ok: true; point: HistoryPoint } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const index = Number(trimmed);
    if (index < 1 || index > MAX_LEDGER_INDEX) {
      return { ok: false, error: `ledger index must be from 1 to ${MAX_LEDGER_INDEX}, got ${trimmed}` };
    }
    return { ok: true, point: { kind: 'ledger', index } };
  }
  const match = DATE_TIME.exec(trimmed);
  const bad = {
    ok: false as const,
    error: `expected a ledger index or an ISO 8601 date-time such as 2026-01-01T00:00:00Z, got "${trimmed}"`,
  };
  if (!match) return bad;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  if (hour !== undefined && zone === undefined) return bad;
  const ms = Date.parse(
    `${year}-${month}-${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}.${(fraction ?? '0').padEnd(3, '0').slice(0, 3)}${zone?.toUpperCase() ?? 'Z'}`,
  );
  // Date.parse accepts 2026-02-30 by rolling over: compare the calendar date back.
  const utcDay = new Date(Date.parse(`${year}-${month}-${day}T00:00:00Z`));
  if (
    Number.isNaN(ms) ||
    Number.isNaN(utcDay.getTime()) ||
    utcDay.getUTCMonth() + 1 !== Number(month) ||
    utcDay.getUTCDate() !== Number(day) ||
    Number(hour ?? 0) > 23 ||
    Number(minute ?? 0) > 59 ||
    Number(second ?? 0) > 59
  ) {
    return { ok: false, error: `"${trimmed}" is not a valid date-time` };
  }
  return { ok: true, point: { kind: 'time', unixSeconds: ms / 1000, text: trimmed } };
}

/** How the point reads in logs, errors and the state file. */
export function formatHistoryPoint(point: HistoryPoint): string {
  return point.kind === 'ledger' ? `ledger ${point.index}` : point.text;
}

/** The inverse of parseHistoryPoint, for the state file: the text the user wrote (or the ledger index). */
export function historyPointText(point: HistoryPoint): string {
  return point.kind === 'ledger' ? String(point.index) : point.text;
}
