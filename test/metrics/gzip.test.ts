import { randomBytes } from 'node:crypto';
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import {
  crc32Combine,
  type DeflatedSegment,
  deflateSegment,
  gzipMember as parts,
} from '../../src/metrics/gzip.js';

/** The member's parts joined, as a client receives them. */
const gzipMember = (segments: readonly DeflatedSegment[]): Buffer => Buffer.concat(parts(segments));

describe('one gzip member from separately deflated segments', () => {
  test('crc32Combine gives the CRC of the concatenation', () => {
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [5, 0],
      [1, 1],
      [1000, 70_000],
      [123_457, 3],
    ] as const) {
      const first = randomBytes(a);
      const second = randomBytes(b);
      expect(crc32Combine(crc32(first), crc32(second), b)).toBe(crc32(Buffer.concat([first, second])));
    }
  });

  test('decompresses to the segments joined, byte for byte, empty and repeated segments included', () => {
    const texts = [
      '# HELP a b\n',
      '',
      'x{account="r1"} 0\n'.repeat(5000),
      'é ü\n',
      randomBytes(40_000).toString('hex'),
    ];
    const raw = texts.map((t) => Buffer.from(t));
    const body = gzipMember(raw.map(deflateSegment));
    expect(gunzipSync(body).equals(Buffer.concat(raw))).toBe(true);
    // Compressed at all: 5,000 equal lines take a few hundred bytes.
    expect(gzipMember([deflateSegment(raw[2]!)]).length).toBeLessThan(1000);
    expect(gunzipSync(gzipMember([])).length).toBe(0);
  });

  test('a wrong CRC would be caught: the trailer is checked on decompression', () => {
    const body = gzipMember([deflateSegment(Buffer.from('hello\n'))]);
    body[body.length - 8]! ^= 1;
    expect(() => gunzipSync(body)).toThrow(/incorrect data check|invalid/i);
  });
});
