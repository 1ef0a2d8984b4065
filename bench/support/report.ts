/** Figures are printed, never asserted: a target line says met, or missed by how much. */
export type Log = (line: string) => void;

/** The q-quantile (0..1) of samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "target <= 1.5x: met" or "target <= 1.5x: MISSED by 0.4x (27%)". */
export function atMost(value: number, limit: number, unit: (v: number) => string, what = ''): string {
  const label = `target ${what}<= ${unit(limit)}`;
  if (value <= limit) return `${label}: met`;
  return `${label}: MISSED by ${unit(value - limit)} (${(((value - limit) / limit) * 100).toFixed(0)}% over)`;
}

export function atLeast(value: number, floor: number, unit: (v: number) => string, what = ''): string {
  const label = `target ${what}>= ${unit(floor)}`;
  if (value >= floor) return `${label}: met`;
  return `${label}: MISSED by ${unit(floor - value)} (${(((floor - value) / floor) * 100).toFixed(0)}% under)`;
}

export const ratio = (v: number): string => `${v.toFixed(2)}x`;

export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
