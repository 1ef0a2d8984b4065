import { describe, expect, it } from 'vitest';
import { ImportBook } from '../../src/history/progress.js';

const A = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const B = 'rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt';
const C = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';

describe('ImportBook', () => {
  it('begins imports only for accounts with since and no state', () => {
    const book = new ImportBook();
    const begun = book.beginNew(
      [
        { address: A, since: { kind: 'ledger', index: 100 } },
        { address: B, since: { kind: 'time', unixSeconds: 1, text: '1970-01-01T00:00:01Z' } },
        { address: C, since: null },
      ],
      () => false,
    );
    expect(begun).toEqual([A, B]);
    expect(book.get(A)).toEqual({ since: '100', from: 100, to: null, next: 100, done: false });
    expect(book.get(B)).toEqual({
      since: '1970-01-01T00:00:01Z',
      from: null,
      to: null,
      next: null,
      done: false,
    });
    expect(book.beginNew([{ address: A, since: { kind: 'ledger', index: 5 } }], () => false)).toEqual([]);
    const other = new ImportBook();
    expect(other.beginNew([{ address: A, since: { kind: 'ledger', index: 5 } }], (a) => a === A)).toEqual([]);
  });

  it('splits the ledgers at the watch start: the stream leaves everything up to it to the import', () => {
    const book = new ImportBook();
    book.beginNew([{ address: A, since: { kind: 'ledger', index: 100 } }], () => false);
    // Before the watch start is fixed, every ledger of the account belongs to the import.
    expect(book.coveredByHistory(A, 10_000)).toBe(true);
    expect(book.coveredByHistory(B, 50)).toBe(false);
    expect(book.fixWatchStart(199)).toEqual([A]);
    expect(book.fixWatchStart(500)).toEqual([]);
    expect(book.coveredByHistory(A, 199)).toBe(true);
    expect(book.coveredByHistory(A, 200)).toBe(false);
    expect([book.remaining(A), book.percent(A)]).toEqual([100, 0]);
    book.advance(A, 149);
    expect([book.remaining(A), book.percent(A)]).toEqual([50, 50]);
    book.advance(A, 120); // never backwards
    expect(book.remaining(A)).toBe(50);
    book.advance(A, 199);
    expect(book.get(A)?.done).toBe(true);
    expect([book.remaining(A), book.percent(A), book.unfinished()]).toEqual([0, 100, []]);
    // Done, the split still holds (a backfill after a restart may still reach those ledgers).
    expect(book.coveredByHistory(A, 150)).toBe(true);
  });

  it('a since after the watch start is done at once', () => {
    const book = new ImportBook();
    book.beginNew(
      [{ address: A, since: { kind: 'time', unixSeconds: 9e9, text: '2255-01-01' } }],
      () => false,
    );
    book.fixWatchStart(1000);
    expect(book.get(A)?.done).toBe(false);
    book.resolved(A, 1001);
    expect(book.get(A)).toMatchObject({ from: 1001, next: 1001, to: 1000, done: true });
  });

  it('round-trips through its snapshot, and ignores what it cannot read', () => {
    const book = new ImportBook();
    book.beginNew([{ address: A, since: { kind: 'ledger', index: 100 } }], () => false);
    book.fixWatchStart(300);
    book.advance(A, 180);
    const restored = ImportBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(restored.snapshot()).toEqual(book.snapshot());
    expect(restored.remaining(A)).toBe(120);
    for (const junk of [
      undefined,
      null,
      'x',
      { version: 2, accounts: {} },
      { version: 1, accounts: { [A]: 5 } },
    ]) {
      expect(ImportBook.restore(junk).unfinished()).toEqual([]);
    }
  });
});
