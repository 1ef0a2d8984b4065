import { createHash } from 'node:crypto';
import { encodeAccountID } from 'ripple-address-codec';

/** `count` distinct, checksum-valid classic addresses, the same on every run. */
export function generatedAddresses(count: number, seed = 'rippled-client-test'): string[] {
  return Array.from({ length: count }, (_, i) =>
    encodeAccountID(createHash('sha256').update(`${seed}:${i}`).digest().subarray(0, 20)),
  );
}
