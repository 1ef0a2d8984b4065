import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { getBalanceChanges, type TransactionMetadata } from 'xrpl';
import { ACCOUNT_ID_FIELDS, getAffectedAccounts, mptIssuer } from '../../src/simulator/affected-accounts.js';
import { ENGINE_RESULT_CODES } from '../../src/simulator/fake-rippled/engine-results.js';
import { loadFixture } from '../support/fixtures.js';
import { fixtureTransactions } from '../support/history.js';

// biome-ignore lint/suspicious/noExplicitAny: tests walk fixture JSON freely; a wrong path fails the assertion.
type Json = Record<string, any>;

/** ripple-binary-codec's definitions.json, as installed with the xrpl test oracle. */
function definitions(): {
  FIELDS: Array<[string, { type: string }]>;
  TRANSACTION_RESULTS: Record<string, number>;
} {
  const fromXrpl = createRequire(createRequire(import.meta.url).resolve('xrpl'));
  return fromXrpl('ripple-binary-codec/dist/enums/definitions.json');
}

describe('copies of protocol tables', () => {
  it('ACCOUNT_ID_FIELDS lists every AccountID field of the binary codec definitions', () => {
    const fields = definitions()
      .FIELDS.filter(([, info]) => info.type === 'AccountID')
      .map(([name]) => name);
    expect([...ACCOUNT_ID_FIELDS].sort()).toEqual(fields.sort());
  });

  it('ENGINE_RESULT_CODES lists every tes/tec result with its code', () => {
    const results = Object.entries(definitions().TRANSACTION_RESULTS).filter(([name]) =>
      /^te[sc]/.test(name),
    );
    expect(ENGINE_RESULT_CODES).toEqual(Object.fromEntries(results));
  });
});

describe('getAffectedAccounts', () => {
  it('leaves out the destination of a failed payment (only the fee payer is touched)', () => {
    const failed = loadFixture<Json>('explorer/Payment/PaymentWithConvert.json');
    expect(getAffectedAccounts(failed.meta)).toEqual([failed.tx.Account]);
  });

  it('adds the issuers of TakerPays/TakerGets and of trust-line limits', () => {
    const offer = loadFixture<Json>('xrpl.js/rippled/streams/transaction.json');
    // CNY issuer: only present as TakerPays.issuer of the consumed offer.
    expect(getAffectedAccounts(offer.meta)).toContain('rJ1adrpGS3xsnQMb9Cw54tWJVFPuSdZHK');
    const token = loadFixture<Json>('xrpl.js/utils/paymentToken.json');
    expect(getAffectedAccounts(token.metadata)).toContain('rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q');
  });

  it('adds the issuer encoded in an MPTokenIssuanceID', () => {
    const mpt = loadFixture<Json>('explorer/Payment/PaymentMPT.json');
    const issuance = mpt.meta.AffectedNodes.map((n: Json) => n.ModifiedNode ?? n.CreatedNode).find(
      (n: Json) => n?.LedgerEntryType === 'MPTokenIssuance',
    );
    const holderToken = mpt.meta.AffectedNodes.map((n: Json) => n.ModifiedNode ?? n.CreatedNode).find(
      (n: Json) => n?.LedgerEntryType === 'MPToken',
    );
    const id = (holderToken.FinalFields ?? holderToken.NewFields).MPTokenIssuanceID;
    expect(mptIssuer(id)).toBe(issuance.FinalFields.Issuer);
    expect(getAffectedAccounts({ AffectedNodes: [{ ModifiedNode: holderToken }] })).toContain(
      issuance.FinalFields.Issuer,
    );
  });

  it('ignores PreviousFields and tolerates hostile input', () => {
    const meta = {
      AffectedNodes: [
        {
          ModifiedNode: {
            LedgerEntryType: 'AccountRoot',
            FinalFields: { Account: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe' },
            PreviousFields: { RegularKey: 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh' },
          },
        },
      ],
    };
    expect(getAffectedAccounts(meta)).toEqual(['rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe']);
    for (const hostile of [
      null,
      5,
      'x',
      [],
      { AffectedNodes: 'no' },
      { AffectedNodes: [null, 1, { X: 1 }] },
    ]) {
      expect(getAffectedAccounts(hostile)).toEqual([]);
    }
    expect(
      getAffectedAccounts({ AffectedNodes: [{ CreatedNode: { NewFields: { Account: 'rNope' } } }] }),
    ).toEqual([]);
  });

  it('includes every account whose balance changes, for every fixture transaction', () => {
    for (const { name, tx } of fixtureTransactions()) {
      const affected = new Set(getAffectedAccounts(tx.meta));
      for (const change of getBalanceChanges(tx.meta as unknown as TransactionMetadata)) {
        expect(affected.has(change.account), `${name}: ${change.account}`).toBe(true);
      }
    }
  });
});
