/* Checks for plain JSON read back from the state file, which is outside our control. */

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
