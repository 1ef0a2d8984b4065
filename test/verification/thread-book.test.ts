import { describe, expect, it } from 'vitest';
import { openEnvelope } from '../../src/accounting/envelope.js';
import { accountRootIndex } from '../../src/ledger-keys.js';
import { type EntryTouch, entryTouches, WatchIndex } from '../../src/verification/links.js';
import { ThreadBook } from '../../src/verification/thread-book.js';
import { loadFixture } from '../support/fixtures.js';

const HOLDER = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';
const ROOT = accountRootIndex(HOLDER);
const h = (n: number) => n.toString(16).toUpperCase().padStart(64, '0');

/** The holder's AccountRoot touch from a real fixture, re-linked to a scripted previous transaction. */
function rootTouch(previous: { tx: string; ledger: number } | null, drops = 100n): EntryTouch {
  const meta = openEnvelope(loadFixture('xrpl.js/utils/trustlineDelete.json')).meta!;
  const real = entryTouches(meta, new WatchIndex([HOLDER])).find((t) => t.type === 'AccountRoot')!;
  return { ...real, previous, xrpDropsAfter: drops };
}

function book(watchStart = 100): ThreadBook {
  const b = new ThreadBook();
  b.watch(HOLDER, watchStart);
  return b;
}

describe('ThreadBook.observe (the live and backfill path)', () => {
  it('accepts a first touch whose previous transaction is before the watch start, then a linked chain', () => {
    const b = book();
    expect(b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 })).toBeNull();
    expect(b.observe(rootTouch({ tx: h(2), ledger: 101 }), { hash: h(3), ledger: 105, index: 3 })).toBeNull();
    expect(b.status(HOLDER)?.breaks).toEqual([]);
  });

  it('reports a link to an unprocessed transaction as a break between the two ledgers', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    const brk = b.observe(rootTouch({ tx: h(9), ledger: 103 }), { hash: h(3), ledger: 105, index: 0 });
    expect(brk).toMatchObject({
      entry: ROOT,
      after: 101,
      through: 103,
      missing: { tx: h(9), ledger: 103 },
      known: h(2),
    });
    expect(b.status(HOLDER)?.breaks).toHaveLength(1);
    // The thread goes on from the transaction that revealed the break.
    expect(b.observe(rootTouch({ tx: h(3), ledger: 105 }), { hash: h(4), ledger: 106, index: 0 })).toBeNull();
  });

  it('reports an unseen entry last modified after the watch start', () => {
    const brk = book().observe(rootTouch({ tx: h(7), ledger: 120 }), { hash: h(8), ledger: 130, index: 0 });
    expect(brk).toMatchObject({ after: 100, through: 120, known: null });
  });

  it('is idempotent and files an older (repaired) transaction without a break', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    b.observe(rootTouch({ tx: h(9), ledger: 103 }), { hash: h(3), ledger: 105, index: 0 });
    expect(b.observe(rootTouch({ tx: h(9), ledger: 103 }), { hash: h(3), ledger: 105, index: 0 })).toBeNull();
    expect(
      b.observe(rootTouch({ tx: h(2), ledger: 101 }, 50n), { hash: h(9), ledger: 103, index: 0 }),
    ).toBeNull();
    expect(b.versionAt(HOLDER, ROOT, 104)).toMatchObject({ tx: h(9), xrpDrops: 50n });
  });

  it('ignores ledgers at or before the watch start and accounts it does not watch', () => {
    const b = book();
    expect(b.observe(rootTouch({ tx: h(1), ledger: 1 }), { hash: h(2), ledger: 100, index: 0 })).toBeNull();
    expect(
      new ThreadBook().observe(rootTouch({ tx: h(1), ledger: 150 }), { hash: h(2), ledger: 200, index: 0 }),
    ).toBeNull();
  });

  it('accepts a creation, with or without the deletion before it', () => {
    const b = book();
    const created = { ...rootTouch(null), kind: 'created' as const };
    expect(b.observe(created, { hash: h(1), ledger: 101, index: 0 })).toBeNull();
    expect(
      b.observe(
        { ...rootTouch({ tx: h(1), ledger: 101 }), kind: 'deleted' },
        { hash: h(2), ledger: 102, index: 0 },
      ),
    ).toBeNull();
    expect(b.observe(created, { hash: h(3), ledger: 103, index: 0 })).toBeNull();
    expect(b.observe(created, { hash: h(4), ledger: 104, index: 0 })).toBeNull();
  });
});

describe('ThreadBook.compare (account_info / account_objects at a validated ledger)', () => {
  const observed = (tx: string, ledger: number, xrpDrops: bigint | null = 100n) => ({
    entry: ROOT,
    type: 'AccountRoot' as const,
    previous: { tx, ledger },
    xrpDrops,
  });

  it('agrees when the last processed transaction and the Balance match at that ledger', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    b.observe(rootTouch({ tx: h(2), ledger: 101 }, 70n), { hash: h(3), ledger: 110, index: 0 });
    // At ledger 105 the exporter's view is h(2) with 100 drops, even though it has processed ledger 110.
    expect(b.compare(HOLDER, 105, [observed(h(2), 101)], true)).toEqual([]);
    expect(b.compare(HOLDER, 110, [observed(h(3), 110, 70n)], true)).toEqual([]);
    expect(b.verified(HOLDER, 110)).toBe(true);
    expect(b.status(HOLDER)?.verifiedLedger).toBe(110);
  });

  it('catches a missing last transaction that no later one links to', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    const [brk] = b.compare(HOLDER, 120, [observed(h(5), 115, 60n)], true);
    expect(brk).toMatchObject({ after: 101, through: 115, missing: { tx: h(5) }, known: h(2) });
    expect(b.verified(HOLDER, 120)).toBe(false);
  });

  it('catches a Balance that differs from the derived one', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    expect(b.compare(HOLDER, 120, [observed(h(2), 101, 99n)], true)[0]?.reason).toMatch(
      /Balance is 99 drops/,
    );
  });

  it('takes an entry untouched since before the watch start as the baseline', () => {
    const b = book();
    expect(b.compare(HOLDER, 120, [observed(h(1), 50)], true)).toEqual([]);
    expect(b.observe(rootTouch({ tx: h(1), ledger: 50 }), { hash: h(2), ledger: 121, index: 0 })).toBeNull();
  });

  it('reports an entry the server no longer holds when the answer was complete', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    expect(b.compare(HOLDER, 120, [], false)).toEqual([]);
    expect(b.compare(HOLDER, 120, [], true)[0]).toMatchObject({ after: 101, through: 120, missing: null });
  });
});

describe('ThreadBook persistence and pruning', () => {
  it('round-trips through its snapshot and ignores malformed accounts', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    b.observe(rootTouch({ tx: h(9), ledger: 103 }), { hash: h(3), ledger: 105, index: 0 });
    const restored = ThreadBook.restore(
      JSON.parse(JSON.stringify({ ...b.snapshot(), rBad: { watchStart: 'x' } })),
    );
    expect(restored.status(HOLDER)).toEqual(b.status(HOLDER));
    expect(restored.isWatched('rBad')).toBe(false);
    expect(
      restored.observe(rootTouch({ tx: h(3), ledger: 105 }), { hash: h(4), ledger: 106, index: 0 }),
    ).toBeNull();
    expect(ThreadBook.restore(undefined).isWatched(HOLDER)).toBe(false);
  });

  it('keeps what an unfinished repair processed across a restart, and forgets it once no break is open', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    const brk = b.observe(rootTouch({ tx: h(9), ledger: 103 }), { hash: h(3), ledger: 105, index: 0 })!;
    b.recordRepaired(HOLDER, h(9), 103);
    b.observe(rootTouch({ tx: h(8), ledger: 102 }), { hash: h(9), ledger: 103, index: 0 });
    // Processed by the repair, but the hole below it (h(8)) is still open: no place to stop a walk.
    expect(b.knows(HOLDER, h(9))).toBe(true);
    expect(b.joinsThread(HOLDER, h(9))).toBe(false);
    expect(b.joinsThread(HOLDER, h(2))).toBe(true);
    const restored = ThreadBook.restore(JSON.parse(JSON.stringify(b.snapshot())));
    expect(restored.wasRepaired(HOLDER, h(9))).toBe(true);
    // A state file written before repairs were persisted still restores.
    const { repaired: _, ...older } = b.snapshot()[HOLDER]!;
    expect(ThreadBook.restore({ [HOLDER]: older }).status(HOLDER)).toEqual(b.status(HOLDER));
    b.close(brk);
    expect(b.wasRepaired(HOLDER, h(9))).toBe(false);
    expect(b.joinsThread(HOLDER, h(9))).toBe(true);
  });

  it('still knows, while a break is open, what the normal path processed after it opened (pruned or restarted)', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    // h(4) arrives before h(3) (a reordered stream): a break, then h(3) on the normal path, counted.
    const brk = b.observe(rootTouch({ tx: h(3), ledger: 102 }), { hash: h(4), ledger: 103, index: 0 })!;
    expect(brk.missing?.tx).toBe(h(3));
    b.observe(rootTouch({ tx: h(2), ledger: 101 }), { hash: h(3), ledger: 102, index: 0 });
    // The checkpoint passes the break: a repair walking back from h(3) must still see it counted.
    b.prune(110);
    expect(b.knows(HOLDER, h(3))).toBe(true);
    expect(b.joinsThread(HOLDER, h(3))).toBe(true);
    const restored = ThreadBook.restore(JSON.parse(JSON.stringify(b.snapshot())));
    expect(restored.knows(HOLDER, h(3))).toBe(true);
    expect(restored.versionAt(HOLDER, ROOT, 103)?.tx).toBe(h(4));
    expect(restored.versionAt(HOLDER, ROOT, 102)?.tx).toBe(h(3));
    // Once no break is open, nothing walks back there any more: the usual pruning and persistence.
    b.close(brk);
    b.prune(110);
    expect(b.knows(HOLDER, h(3))).toBe(false);
    expect(ThreadBook.restore(JSON.parse(JSON.stringify(b.snapshot()))).knows(HOLDER, h(3))).toBe(false);
  });

  it('prunes versions no pending check can ask about', () => {
    const b = book();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), { hash: h(2), ledger: 101, index: 0 });
    b.observe(rootTouch({ tx: h(2), ledger: 101 }), { hash: h(3), ledger: 110, index: 0 });
    b.prune(110);
    expect(b.versionAt(HOLDER, ROOT, 105)).toBeUndefined();
    expect(b.versionAt(HOLDER, ROOT, 110)?.tx).toBe(h(3));
  });
});

describe('ThreadBook with a history import feeding the thread', () => {
  /** Watched from ledger 200 on, with an import of ledgers 100-200 (since resolved to ledger 100). */
  function importing(): ThreadBook {
    const b = new ThreadBook();
    b.watch(HOLDER, 200, 200);
    b.importFrom(HOLDER, 99);
    return b;
  }
  const at = (n: number, ledger: number) => ({ hash: h(n), ledger, index: 0 });

  it('proves the import in order, and joins the stream’s first link to the import’s end', () => {
    const b = importing();
    // The stream runs ahead: its first link into the import's range waits; its copy of an imported
    // ledger is left to the import.
    expect(b.observe(rootTouch({ tx: h(5), ledger: 150 }), at(6, 205))).toBeNull();
    expect(b.observe(rootTouch({ tx: h(4), ledger: 120 }), at(5, 150))).toBeNull();
    expect(b.knows(HOLDER, h(5))).toBe(false);
    expect(b.observe(rootTouch({ tx: h(1), ledger: 90 }), at(4, 120), 'import')).toBeNull();
    // While importing, the state check has nothing to compare and proves nothing.
    expect(b.compare(HOLDER, 210, [], true)).toEqual([]);
    expect(b.verified(HOLDER, 210)).toBe(false);
    // A restart in the middle keeps the import's part, the stream's part and the waiting link.
    const restored = ThreadBook.restore(JSON.parse(JSON.stringify(b.snapshot())));
    for (const book of [b, restored]) {
      expect(book.observe(rootTouch({ tx: h(4), ledger: 120 }), at(5, 150), 'import')).toBeNull();
      expect(book.finishImport(HOLDER)).toEqual([]);
      expect(book.isImporting(HOLDER)).toBe(false);
      expect(book.verified(HOLDER, 210)).toBe(true);
      expect(book.status(HOLDER)).toEqual({ watchStart: 99, verifiedLedger: 210, breaks: [] });
    }
  });

  it('reports what the import’s server left out, and a stream link the import’s end does not meet', () => {
    const b = importing();
    expect(b.observe(rootTouch({ tx: h(8), ledger: 180 }), at(9, 205))).toBeNull();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), at(4, 120), 'import');
    expect(b.observe(rootTouch({ tx: h(5), ledger: 150 }), at(6, 160), 'import')).toMatchObject({
      after: 120,
      through: 150,
      missing: { tx: h(5), ledger: 150 },
      known: h(4),
    });
    expect(b.finishImport(HOLDER)).toMatchObject([
      { after: 160, through: 180, missing: { tx: h(8), ledger: 180 }, known: h(6), seenAt: at(9, 205) },
    ]);
    expect(b.status(HOLDER)?.breaks).toHaveLength(2);
  });

  it('takes an entry the import never touched as unchanged since before the import’s start', () => {
    const b = importing();
    b.observe(rootTouch({ tx: h(1), ledger: 90 }), at(2, 210));
    expect(b.finishImport(HOLDER)).toEqual([]);
    const late = importing();
    late.observe(rootTouch({ tx: h(1), ledger: 110 }), at(2, 210));
    expect(late.finishImport(HOLDER)).toMatchObject([{ after: 99, through: 110, known: null }]);
  });
});
