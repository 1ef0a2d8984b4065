import { describe, expect, it } from 'vitest';
import type { BackfillResult } from '../../src/backfill/index.js';
import { silentLogger } from '../../src/log.js';
import { LedgerCursor } from '../../src/pipeline/cursor.js';
import { StreamSequencer } from '../../src/pipeline/sequencer.js';
import { RIPPLE_EPOCH_OFFSET } from '../../src/ripple-time.js';

/** The ledger a history import's watch start is taken from: the session's trusted starting ledger. */
function sequencer(checkpoint: number | null) {
  return new StreamSequencer({
    cursor: new LedgerCursor(checkpoint),
    maxBackfillLedgers: 1000,
    process: () => {},
    backfill: () => new Promise<BackfillResult>(() => {}),
    onLedger: () => {},
    onCheckpoint: () => {},
    onGap: () => {},
    onInvalid: () => {},
    onUntrusted: () => {},
    logger: silentLogger,
  });
}

const closeTime = (n: number) => 800_000_000 + n * 4 + RIPPLE_EPOCH_OFFSET;

describe('StreamSequencer.sessionStart', () => {
  it('is the subscribed ledger, also while the catch-up from an older checkpoint runs', () => {
    const s = sequencer(100);
    expect(s.sessionStart).toBeNull();
    s.onSubscribed({ subscribe: { index: 150, closeTime: closeTime(150) }, serverInfo: null });
    expect(s.sessionStart).toBe(150);
    expect(s.checkpoint).toBe(100);
    s.onDisconnected();
    expect(s.sessionStart).toBeNull();
  });

  it('is null for a session whose claims are not trusted', () => {
    const s = sequencer(100);
    s.onSubscribed({
      subscribe: { index: 150, closeTime: closeTime(150) },
      serverInfo: { index: 4_000_000_000, closeTime: null },
    });
    expect(s.sessionStart).toBeNull();
  });
});
