import fc from 'fast-check';
import { expect, test } from 'vitest';
import { SmallMap } from '../../src/metrics/small-map.js';

/** More keys than the array form holds, so the Map form and the switch are exercised too. */
const KEYS = 'abcdefghijkl'.split('');

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.constantFrom(...KEYS),
    value: fc.integer(),
  }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

test('behaves as a Map (insertion order included) under any sequence of changes', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const map = new Map<string, number>();
      const small = new SmallMap<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          map.set(o.key, o.value);
          small.set(o.key, o.value);
        } else if (o.kind === 'delete') {
          expect(small.delete(o.key)).toBe(map.delete(o.key));
        } else {
          map.clear();
          small.clear();
        }
        expect([...small]).toEqual([...map]);
        expect([...small.values()]).toEqual([...map.values()]);
        expect(small.size).toBe(map.size);
        for (const key of KEYS) {
          expect(small.get(key)).toBe(map.get(key));
          expect(small.has(key)).toBe(map.has(key));
        }
      }
      expect([...new SmallMap(map)]).toEqual([...map]);
    }),
  );
});
