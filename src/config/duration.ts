/**
 * Prometheus-style durations (prometheus/common model.ParseDuration): units y, w, d, h, m, s, ms, each at
 * most once, largest first, e.g. `1h30m`, `500ms`, `7d`. A year is 365 days, a week 7 days. `0` alone is
 * zero.
 */
const UNITS = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
] as const;

const PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or null when the text is not a duration or does not fit in a safe integer. */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  const match = PATTERN.exec(text);
  if (match === null) return null;
  let total = 0n;
  UNITS.forEach(([, ms], index) => {
    const digits = match[index + 1];
    if (digits !== undefined) total += BigInt(digits) * BigInt(ms);
  });
  return total <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(total) : null;
}

/** The shortest Prometheus form of a whole number of milliseconds: 5400000 -> `1h30m`, 0 -> `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
