/**
 * Remembers which (transaction hash, account) pairs were already counted in ledgers above the
 * checkpoint. Anything at or below the checkpoint is complete by definition and is dropped before it
 * gets here, so the memory is bounded by the ledgers in flight, not by history.
 */
export class DedupeWindow {
  private readonly byLedger = new Map<number, Set<string>>();

  /** True when the pair is new (and records it); false when it was already counted. */
  claim(ledgerIndex: number, hash: string, account: string): boolean {
    let keys = this.byLedger.get(ledgerIndex);
    if (!keys) {
      keys = new Set();
      this.byLedger.set(ledgerIndex, keys);
    }
    const key = `${hash}:${account}`;
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  /** Forgets every ledger at or below the checkpoint. */
  prune(checkpoint: number): void {
    for (const ledger of this.byLedger.keys()) if (ledger <= checkpoint) this.byLedger.delete(ledger);
  }

  get size(): number {
    let n = 0;
    for (const keys of this.byLedger.values()) n += keys.size;
    return n;
  }

  snapshot(): Array<[number, string[]]> {
    return [...this.byLedger].map(([ledger, keys]) => [ledger, [...keys]]);
  }

  static restore(entries: unknown): DedupeWindow {
    const window = new DedupeWindow();
    if (!Array.isArray(entries)) return window;
    for (const entry of entries) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'number' || !Array.isArray(entry[1])) continue;
      const keys = new Set<string>(entry[1].filter((k: unknown): k is string => typeof k === 'string'));
      window.byLedger.set(entry[0], keys);
    }
    return window;
  }
}
