/** Up to this many entries are kept in the array; a larger map becomes a Map (hot wallets hold hundreds of lines). */
const MAX_SCANNED = 8;

/**
 * An insertion-ordered map for a handful of entries, kept as one array of alternating keys and values
 * until it grows past MAX_SCANNED, then as a Map. A Map costs about 280 bytes even when empty or holding
 * one entry; the array about 80. With 100,000 accounts, each with a map of balances, of received assets
 * and of counts per transaction type, that is tens of megabytes.
 */
export class SmallMap<K, V> implements Iterable<[K, V]> {
  private items: unknown[] = [];
  private map: Map<K, V> | null = null;

  constructor(entries?: Iterable<readonly [K, V]>) {
    if (entries) for (const [key, value] of entries) this.set(key, value);
  }

  get size(): number {
    return this.map ? this.map.size : this.items.length / 2;
  }

  get(key: K): V | undefined {
    if (this.map) return this.map.get(key);
    const at = this.indexOf(key);
    return at < 0 ? undefined : (this.items[at + 1] as V);
  }

  has(key: K): boolean {
    return this.map ? this.map.has(key) : this.indexOf(key) >= 0;
  }

  set(key: K, value: V): this {
    if (this.map) {
      this.map.set(key, value);
      return this;
    }
    const at = this.indexOf(key);
    if (at >= 0) this.items[at + 1] = value;
    // concat makes an array of exactly the entries; push (and spreading) reserve room for 17 at the
    // first, about 120 bytes more per map.
    else if (this.items.length < MAX_SCANNED * 2) this.items = this.items.concat([key, value]);
    else {
      this.map = new Map([...this, [key, value]]);
      this.items = [];
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.map) return this.map.delete(key);
    const at = this.indexOf(key);
    if (at < 0) return false;
    this.items.splice(at, 2);
    return true;
  }

  clear(): void {
    this.items = [];
    this.map = null;
  }

  *values(): IterableIterator<V> {
    if (this.map) yield* this.map.values();
    else for (let i = 1; i < this.items.length; i += 2) yield this.items[i] as V;
  }

  *[Symbol.iterator](): IterableIterator<[K, V]> {
    if (this.map) yield* this.map;
    else for (let i = 0; i < this.items.length; i += 2) yield [this.items[i] as K, this.items[i + 1] as V];
  }

  private indexOf(key: K): number {
    for (let i = 0; i < this.items.length; i += 2) if (this.items[i] === key) return i;
    return -1;
  }
}
