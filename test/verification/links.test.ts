import { describe, expect, it } from 'vitest';
import { openEnvelope } from '../../src/accounting/envelope.js';
import { accountRootIndex, mptokenIndex, rippleStateIndex } from '../../src/ledger-keys.js';
import { entryTouches, transactionIndex, WatchIndex } from '../../src/verification/links.js';
import { loadFixture, transactionCases } from '../support/fixtures.js';

function metaOf(file: string): Record<string, unknown> {
  return openEnvelope(loadFixture(file)).meta!;
}

interface FixtureFields {
  LowLimit: { issuer: string };
  HighLimit: { issuer: string };
  Balance: { currency: string };
  MPTokenIssuanceID: string;
}
interface FixtureNode {
  LedgerIndex: string;
  FinalFields?: FixtureFields;
  NewFields?: FixtureFields;
}

const ISSUER = 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q';
const HOLDER = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';

describe('entryTouches on real metadata', () => {
  it.each([
    // A trust line created: no previous link on the CreatedNode; both owners' AccountRoots are threaded,
    // the issuer's only by threadOwners (a ModifiedNode with no FinalFields, known by its LedgerIndex).
    {
      file: 'xrpl.js/utils/trustlineCreate.json',
      watch: [ISSUER, HOLDER],
      expected: [
        `${ISSUER} AccountRoot modified CA4BD65D@10483128 drops=null`,
        `${HOLDER} RippleState created none drops=null`,
        `${ISSUER} RippleState created none drops=null`,
        `${HOLDER} AccountRoot modified 8A3F4CA1@10482869 drops=99740302`,
      ],
    },
    // A trust line deleted: the DeletedNode's link is in FinalFields.
    {
      file: 'xrpl.js/utils/trustlineDelete.json',
      watch: [HOLDER],
      expected: [
        `${HOLDER} RippleState deleted CA491349@10482862 drops=null`,
        `${HOLDER} AccountRoot modified CA491349@10482862 drops=99752302`,
      ],
    },
    // A token receipt that leaves the receiver's AccountRoot untouched: only its trust line proves it.
    {
      file: 'xrpl.js/utils/paymentToken.json',
      watch: [HOLDER],
      expected: [`${HOLDER} RippleState modified DC061E6F@10459364 drops=null`],
    },
    // An MPT receipt: the holder's MPToken is threaded like any entry.
    {
      file: 'explorer/Payment/PaymentMPT.json',
      watch: ['rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu'],
      expected: ['rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu MPToken modified 60F99C8A@967 drops=null'],
    },
    // A channel closed: the Destination's AccountRoot is threaded with no FinalFields.
    {
      file: 'explorer/PaymentChannelClaim/PaymentChannelClaimClosed.json',
      watch: ['rH11fDGhbVH5NVXNXkGAMTmfWhUHjCtA3B'],
      expected: ['rH11fDGhbVH5NVXNXkGAMTmfWhUHjCtA3B AccountRoot modified EA314442@66064741 drops=76726544'],
    },
  ])('$file', ({ file, watch, expected }) => {
    const touches = entryTouches(metaOf(file), new WatchIndex(watch));
    expect(
      touches.map(
        (t) =>
          `${t.account} ${t.type} ${t.kind} ${t.previous ? `${t.previous.tx.slice(0, 8)}@${t.previous.ledger}` : 'none'} drops=${t.xrpDropsAfter}`,
      ),
    ).toEqual(expected);
  });

  it('recognises a thread-only AccountRoot by its LedgerIndex', () => {
    const meta = metaOf('xrpl.js/utils/trustlineCreate.json');
    const [touch] = entryTouches(meta, new WatchIndex([ISSUER]));
    expect(touch?.entry).toBe(accountRootIndex(ISSUER));
  });

  it('keys every touch by the LedgerIndex rippled derives for the entry (all fixtures)', () => {
    let checked = 0;
    for (const c of transactionCases()) {
      if (c.file === 'xrpl.js/rippled/tx/payment.json') continue; // hand-edited (fixtures README)
      const meta = openEnvelope(c.input).meta;
      if (!meta) continue;
      const accounts = new Set<string>();
      JSON.stringify(meta).replace(/"(r[1-9A-HJ-NP-Za-km-z]{24,34})"/g, (_, a: string) => {
        accounts.add(a);
        return '';
      });
      const nodes = (meta.AffectedNodes as Array<Record<string, FixtureNode>>).map(
        (w) => Object.values(w)[0]!,
      );
      for (const t of entryTouches(meta, new WatchIndex(accounts))) {
        const node = nodes.find((n) => n.LedgerIndex === t.entry)!;
        const f = (node.FinalFields ?? node.NewFields)!;
        const expected =
          t.type === 'AccountRoot'
            ? accountRootIndex(t.account)
            : t.type === 'RippleState'
              ? rippleStateIndex(f.LowLimit.issuer, f.HighLimit.issuer, f.Balance.currency)
              : mptokenIndex(f.MPTokenIssuanceID, t.account);
        expect(t.entry, c.name).toBe(expected);
        // Only created entries (and nodes of old fixtures without the fields) lack a previous link.
        if (t.kind !== 'created') expect(t.previous, `${c.name} ${t.entry}`).not.toBeNull();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('never throws on hostile metadata', () => {
    const watch = new WatchIndex([HOLDER]);
    for (const meta of [{}, { AffectedNodes: 5 }, { AffectedNodes: [null, 1, { ModifiedNode: 'x' }] }]) {
      expect(entryTouches(meta, watch)).toEqual([]);
    }
    expect(
      entryTouches(
        {
          AffectedNodes: [
            {
              ModifiedNode: {
                LedgerEntryType: 'AccountRoot',
                LedgerIndex: accountRootIndex(HOLDER),
                PreviousTxnID: 7,
              },
            },
          ],
        },
        watch,
      )[0]?.previous,
    ).toBeNull();
  });

  it('reads TransactionIndex', () => {
    expect(transactionIndex(metaOf('xrpl.js/utils/paymentToken.json'))).toBeGreaterThanOrEqual(0);
    expect(transactionIndex({})).toBe(-1);
  });
});
