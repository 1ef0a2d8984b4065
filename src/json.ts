/* Reading JSON the exporter does not control (server messages, the state file, a parsed config tree):
 * nothing is assumed about its shape until checked. */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON number that is a number (JSON.parse gives no NaN, but a hand-edited state file is not JSON.parse's). */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The object, or null for anything else. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return isRecord(value) ? value : null;
}

/** The object, or one without fields: a field read from anything else is undefined, like a missing one. */
export function fieldsOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/**
 * Equal as JSON, key order included: enough for two values built the same way (two parsed configs),
 * where a changed key order cannot happen without a changed value.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
