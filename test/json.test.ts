import { describe, expect, it } from 'vitest';
import { asRecord, fieldsOf, isRecord, sameJson } from '../src/json.js';

describe('JSON object guards', () => {
  it.each([
    { value: { a: 1 }, object: true },
    { value: {}, object: true },
    { value: Object.create(null), object: true },
    { value: null, object: false },
    { value: undefined, object: false },
    { value: [], object: false },
    { value: [{ a: 1 }], object: false },
    { value: 'text', object: false },
    { value: 7, object: false },
    { value: true, object: false },
  ])('$value is an object: $object', ({ value, object }) => {
    expect(isRecord(value)).toBe(object);
    expect(asRecord(value)).toBe(object ? value : null);
    if (object) expect(fieldsOf(value)).toBe(value);
    else expect(fieldsOf(value)).toEqual({});
  });

  it('reads a missing chain of fields as undefined', () => {
    const answer: unknown = { result: { info: 'not an object' } };
    expect(fieldsOf(fieldsOf(fieldsOf(answer).result).info).validated_ledger).toBeUndefined();
  });
});

describe('sameJson', () => {
  it('compares values as JSON, nested and in key order', () => {
    expect(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameJson({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(sameJson(['wss://a', 'wss://b'], ['wss://b', 'wss://a'])).toBe(false);
    expect(sameJson(null, null)).toBe(true);
    expect(sameJson(null, {})).toBe(false);
  });
});
