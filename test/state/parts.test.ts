import Big from 'big.js';
import { describe, expect, it } from 'vitest';
import { ReceiptTotals } from '../../src/metrics/index.js';
import { DedupeWindow } from '../../src/pipeline/dedupe.js';
import { decodeStateFile, encodeStateFile } from '../../src/state/document.js';
import { stateToSave } from '../../src/state/parts.js';

const ACCOUNT = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

function owners() {
  const totals = new ReceiptTotals({ paymentSizeBucketsXrp: [1, 10] });
  totals.recordReceipts({
    account: ACCOUNT,
    txType: 'Payment',
    partial: false,
    closeTime: 1_700_000_000,
    received: [{ asset: { kind: 'xrp' }, value: new Big('12.5') }],
  });
  const dedupe = new DedupeWindow();
  dedupe.claim(8, 'ABC', ACCOUNT);
  const cursor = { checkpoint: 7 as number | null };
  return {
    cursor,
    totals,
    dedupe,
    alerting: { snapshot: () => ({ outbox: { pending: ['mail'] }, rules: { windows: { big: 1 } } }) },
    history: { snapshot: () => ({ imports: [ACCOUNT] }) },
    verification: { snapshot: () => ({ threads: { [ACCOUNT]: 'F00D' } }) },
    network: { recorded: 21337 },
  };
}

describe('stateToSave', () => {
  it('puts every owner part under its own key, and the file it makes reads back as version 1', () => {
    const parts = owners();
    const decoded = decodeStateFile(encodeStateFile(stateToSave(parts)));
    expect(decoded).toEqual({
      version: 1,
      checkpoint: 7,
      totals: parts.totals.snapshot(),
      dedupe: [[8, [`ABC:${ACCOUNT}`]]],
      outbox: { pending: ['mail'] },
      rules: { windows: { big: 1 } },
      history: { imports: [ACCOUNT] },
      verification: { threads: { [ACCOUNT]: 'F00D' } },
      networkId: 21337,
    });
  });

  it('reads the parts when called, not when the owners were given', () => {
    const parts = owners();
    parts.cursor.checkpoint = 9;
    expect(stateToSave(parts).checkpoint).toBe(9);
  });
});
