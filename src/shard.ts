import { createHash } from 'node:crypto';

/**
 * The shard an address belongs to, out of `count`: the first 48 bits of SHA-256 of the address, modulo
 * `count`. Stable across versions, platforms and account order, so N replicas with `--shard=i/N`
 * partition any account list exactly.
 */
export function shardOf(address: string, count: number): number {
  const digest = createHash('sha256').update(address).digest();
  return digest.readUIntBE(0, 6) % count;
}

export function inShard<T extends { readonly address: string }>(
  items: readonly T[],
  shard: { readonly index: number; readonly count: number } | null,
): T[] {
  if (!shard) return [...items];
  return items.filter((item) => shardOf(item.address, shard.count) === shard.index);
}
