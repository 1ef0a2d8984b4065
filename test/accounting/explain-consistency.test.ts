import { describe, expect, test } from 'vitest';
import { analyzeTransaction, explainJson } from '../../src/accounting/index.js';
import { normalizeEnvelope } from '../../src/simulator/fake-rippled/tx-shapes.js';
import { transactionCases } from '../support/fixtures.js';

/**
 * spec "explain, made consistent": `received` lists what is counted, so it is empty whenever `counted`
 * is false (not validated, failed, nothing positive); `balance_changes` still shows the metadata.
 */
describe('explain: received is empty whenever counted is false', () => {
  const cases = transactionCases().flatMap((c) => {
    const normalized = normalizeEnvelope(c.input);
    if (!normalized) return [];
    const envelope = { tx: normalized.tx, meta: normalized.meta, hash: normalized.hash };
    return [
      { name: `${c.name} (validated)`, input: { ...envelope, validated: true } },
      { name: `${c.name} (not validated)`, input: { ...envelope, validated: false } },
    ];
  });

  test.each(cases)('$name', ({ input }) => {
    for (const account of explainJson(analyzeTransaction(input, 'all')).accounts) {
      if (account.counted) expect(account.received.length, account.account).toBeGreaterThan(0);
      else expect(account.received, `${account.account}: ${account.reason}`).toEqual([]);
    }
  });

  test('the table holds uncounted accounts whose balance changes are positive (the test can fail)', () => {
    const positiveButUncounted = cases.filter(({ input }) =>
      explainJson(analyzeTransaction(input, 'all')).accounts.some(
        (a) => !a.counted && a.balance_changes.some((b) => !b.value.startsWith('-') && b.value !== '0'),
      ),
    );
    expect(positiveButUncounted.length).toBeGreaterThan(20);
    expect(positiveButUncounted.some((c) => c.name.endsWith('(not validated)'))).toBe(true);
  });
});
