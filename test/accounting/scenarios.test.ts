import { describe, expect, test } from 'vitest';
import type { ExplainAccount, ExplainAmount } from '../../src/accounting/index.js';
import { analyzeTransaction, decodeCurrency, explainJson } from '../../src/accounting/index.js';
import { loadFixture } from '../support/fixtures.js';

type JsonObject = Record<string, unknown>;

const V2_PAYMENT = 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json';
const V2_SENDER = 'rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8';
const V2_DESTINATION = 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN';

/** The explain view of one watched account (fails the test if the account is not reported). */
function view(input: unknown, account: string): ExplainAccount {
  const found = explainJson(analyzeTransaction(input, new Set([account]))).accounts.find(
    (a) => a.account === account,
  );
  if (found === undefined) throw new Error(`${account} not reported`);
  return found;
}

const xrp = (value: string): ExplainAmount => ({ currency: 'XRP', issuer: '', value });
const token = (currency: string, issuer: string, value: string): ExplainAmount => ({
  currency,
  issuer,
  value,
});
const mpt = (id: string, value: string): ExplainAmount => ({ mpt_issuance_id: id, value });

/** API v1 form of a v2 stream message, as transJson builds it (xrpl-protocol.md §1.4). */
function toV1(v2: JsonObject): JsonObject {
  const { tx_json: txJson, hash, ...rest } = v2;
  const tx: JsonObject = { ...(txJson as JsonObject), hash };
  if (tx.TransactionType === 'Payment') tx.Amount = tx.DeliverMax;
  return { ...rest, transaction: tx };
}

describe('named scenarios with exact receipts', () => {
  test('incoming XRP payment: the destination receives the delivered 20 XRP', () => {
    const input = loadFixture(V2_PAYMENT);
    const analysis = analyzeTransaction(input, new Set([V2_DESTINATION]));
    expect(analysis.hash).toBe('6489E52A909208E371ACE82E19CAE59896C7F8BA40E7C36C5B8AA3C451914BED');
    expect(analysis.ledgerIndex).toBe(1969852);
    expect(analysis.closeTime).toBe(Date.parse('2024-11-01T23:59:01Z') / 1000);
    expect(analysis.sender).toBe(V2_SENDER);
    expect(analysis.partialPayment).toBe(false);
    expect(view(input, V2_DESTINATION)).toEqual({
      account: V2_DESTINATION,
      balance_changes: [xrp('20')],
      fee_paid: '0',
      received: [xrp('20')],
      counted: true,
      reason: 'counted: received 20 XRP',
    });
  });

  test('outgoing payment: the sender receives nothing and paid the fee', () => {
    expect(view(loadFixture(V2_PAYMENT), V2_SENDER)).toEqual({
      account: V2_SENDER,
      balance_changes: [xrp('-20.000012')],
      fee_paid: '0.000012',
      received: [],
      counted: false,
      reason: 'not counted: nothing received',
    });
  });

  test('partial payment with Amount 1e15 drops: only the delivered 4456 drops count, flagged partial', () => {
    const input = loadFixture('xrpl.js/rippled/streams/partialPaymentTransaction.json');
    const analysis = analyzeTransaction(input, new Set(['rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe']));
    expect(analysis.partialPayment).toBe(true);
    const effect = view(input, 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe');
    expect(effect.received).toEqual([xrp('0.004456')]);
    expect(effect.counted).toBe(true);
    expect(effect.reason).toContain('partial payment');
  });

  test('partial token payment: the trust-line change counts, not delivered_amount (16th digit differs)', () => {
    const input = loadFixture('explorer/Payment/PaymentWithPartial.json');
    const xCoin = '78436F696E000000000000000000000000000000';
    expect(analyzeTransaction(input, 'all').partialPayment).toBe(true);
    expect(view(input, 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j').received).toEqual([
      token(xCoin, 'rXCoYSUnkpygdtfpz3Df8dKQuRZjM9UFi', '0.001041958041958'),
    ]);
  });

  test('failed tec transaction: nothing counts, the reason names the result', () => {
    const input = loadFixture('explorer/Payment/PaymentWithConvert.json');
    const analysis = analyzeTransaction(input, new Set(['r9x5PHDiwuvbpYB3uvGAqEUVV5wxHayQEx']));
    expect(analysis.result).toBe('tecPATH_DRY');
    expect(view(input, 'r9x5PHDiwuvbpYB3uvGAqEUVV5wxHayQEx')).toMatchObject({
      fee_paid: '0.000011',
      received: [],
      counted: false,
      reason: 'not counted: failed: tecPATH_DRY',
    });
  });

  test('validated: false message: reported, nothing counted, received empty, balance changes kept', () => {
    const input = { ...loadFixture<JsonObject>(V2_PAYMENT), validated: false };
    const explained = explainJson(analyzeTransaction(input, new Set([V2_DESTINATION])));
    expect(explained.validated).toBe(false);
    expect(explained.accounts).toEqual([
      {
        account: V2_DESTINATION,
        balance_changes: [xrp('20')],
        fee_paid: '0',
        received: [],
        counted: false,
        reason: 'not counted: not validated',
      },
    ]);
  });

  test('proposed message without metadata: valid, not validated, the named destination is reported', () => {
    const { meta: _meta, ...proposed } = loadFixture<JsonObject>(V2_PAYMENT);
    const analysis = analyzeTransaction(
      { ...proposed, validated: false, status: 'proposed' },
      new Set([V2_DESTINATION]),
    );
    expect(analysis.valid).toBe(true);
    expect(analysis.result).toBe('tesSUCCESS');
    expect(analysis.accounts.map((a) => [a.account, a.counted, a.reason])).toEqual([
      [V2_DESTINATION, false, 'not counted: not validated'],
    ]);
  });

  test('the same transaction as API v1 and v2 gives identical results', () => {
    const v2 = loadFixture<JsonObject>(V2_PAYMENT);
    const v1 = toV1(v2);
    expect(v1.transaction).toMatchObject({ Amount: '20000000', DeliverMax: '20000000', hash: v2.hash });
    expect(analyzeTransaction(v1, 'all')).toEqual(analyzeTransaction(v2, 'all'));
  });

  test('every envelope of one transaction gives identical results', () => {
    const v2 = loadFixture<JsonObject>(V2_PAYMENT);
    const { tx_json: txJson, meta, hash, ledger_index: ledgerIndex, close_time_iso: closeTimeIso } = v2;
    const flatV1 = { ...(toV1(v2).transaction as JsonObject) };
    const envelopes: Record<string, unknown> = {
      'tx response v2': {
        id: 1,
        type: 'response',
        status: 'success',
        result: {
          tx_json: txJson,
          meta,
          hash,
          ledger_index: ledgerIndex,
          close_time_iso: closeTimeIso,
          validated: true,
        },
      },
      'tx response v1': { result: { ...flatV1, meta, ledger_index: ledgerIndex, validated: true } },
      'account_tx entry v2': {
        tx_json: txJson,
        meta,
        hash,
        ledger_index: ledgerIndex,
        close_time_iso: closeTimeIso,
        validated: true,
      },
      'account_tx entry v1': { tx: { ...flatV1, ledger_index: ledgerIndex }, meta, validated: true },
      'ledger entry v1': { ...flatV1, metaData: meta, ledger_index: ledgerIndex },
      'ledger entry v2': {
        tx_json: txJson,
        meta,
        hash,
        ledger_index: ledgerIndex,
        close_time_iso: closeTimeIso,
      },
      'plain {tx, meta}': { tx: { ...flatV1, ledger_index: ledgerIndex }, meta },
    };
    const reference = explainJson(analyzeTransaction(v2, 'all'));
    for (const [name, input] of Object.entries(envelopes)) {
      expect(explainJson(analyzeTransaction(input, 'all')), name).toEqual(reference);
    }
  });

  test('token payment to a holder: received with the issuer as label', () => {
    expect(
      view(loadFixture('xrpl.js/utils/paymentToken.json'), 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K'),
    ).toMatchObject({
      balance_changes: [token('USD', 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q', '0.01')],
      received: [token('USD', 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q', '0.01')],
      counted: true,
    });
  });

  test('redemption to the issuer: the issuer receives its own token', () => {
    const issuer = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';
    expect(view(loadFixture('xrpl.js/utils/paymentTokenRedeem.json'), issuer)).toMatchObject({
      balance_changes: [token('USD', 'rPMh7Pi9ct699iZUTWaytJUoHcJ7cgyziK', '100')],
      received: [token('USD', issuer, '100')],
      counted: true,
    });
  });

  test('redeem then issue on one line: 100 of its own token back, 100 of the counterparty token', () => {
    const account = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';
    expect(view(loadFixture('xrpl.js/utils/paymentTokenRedeemThenIssue.json'), account).received).toEqual([
      token('USD', 'rPMh7Pi9ct699iZUTWaytJUoHcJ7cgyziK', '100'),
      token('USD', account, '100'),
    ]);
  });

  test('rippling through watched intermediaries receives nothing; the destination gets 100 from each issuer', () => {
    const input = loadFixture('xrpl.js/utils/paymentTokenMultipath.json');
    const intermediaries = [
      'rrnsYgWn13Z28GtRgznrSUsLfMkvsXCZSu',
      'rJsaPnGdeo7BhMnHjuc3n44Mf7Ra1qkSVJ',
      'rGpeQzUWFu4fMhJHZ1Via5aqFC3A5twZUD',
    ];
    for (const account of intermediaries) {
      const effect = view(input, account);
      expect(effect.balance_changes).toHaveLength(2);
      expect(effect.received).toEqual([]);
      expect(effect.counted).toBe(false);
      expect(effect.reason).toContain('rippled through');
    }
    expect(view(input, 'rnYDWQaRdMb5neCGgvFfhw3MBoxmv5LtfH').received).toEqual([
      token('USD', 'rJsaPnGdeo7BhMnHjuc3n44Mf7Ra1qkSVJ', '100'),
      token('USD', 'rrnsYgWn13Z28GtRgznrSUsLfMkvsXCZSu', '100'),
      token('USD', 'rGpeQzUWFu4fMhJHZ1Via5aqFC3A5twZUD', '100'),
    ]);
  });

  test('account created by a payment (CreatedNode AccountRoot)', () => {
    expect(
      view(loadFixture('explorer/Payment/Payment.json'), 'rHoPwMC75KVUhBMeV3uDMybKG5JND74teh'),
    ).toMatchObject({
      balance_changes: [xrp('2421.8268')],
      received: [xrp('2421.8268')],
      counted: true,
    });
    expect(
      view(loadFixture('xrpl.js/utils/paymentXrpCreateAccount.json'), 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K')
        .received,
    ).toEqual([xrp('100')]);
  });

  test('AccountDelete to a watched destination: the remaining XRP is received; the deleted account gets nothing', () => {
    const input = loadFixture('xrpl.js-2021/tx/accountDelete.json');
    expect(view(input, 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe').received).toEqual([xrp('9995')]);
    const deleted = analyzeTransaction(input, new Set(['rM5qup5BYDLMXaR5KU1hiC9HhFMuBVrnKv'])).accounts[0];
    expect(deleted?.balancesAfter.map((b) => b.value.toFixed())).toEqual(['0']);
    expect(deleted?.feePaidDrops).toBe(5_000_000n);
    expect(
      view(loadFixture('explorer/AccountDelete/AccountDelete.json'), 'raT74sdzpxJUaubcBAQNS8aLqFMU85Rr5J')
        .received,
    ).toEqual([xrp('14.999988')]);
  });

  test('CheckCash: the casher receives the check amount (its fee added back)', () => {
    expect(
      view(loadFixture('xrpl.js-2021/tx/checkCash.json'), 'raLHvSZXacoGiCoWrdBhVGstZm6GhF7oRr'),
    ).toMatchObject({
      balance_changes: [xrp('2.499988')],
      fee_paid: '0.000012',
      received: [xrp('2.5')],
      counted: true,
    });
  });

  test('EscrowFinish: XRP, IOU and MPT escrows credit the destination', () => {
    expect(
      view(loadFixture('xrpl.js-2021/tx/escrowExecution.json'), 'rp8rJYTpodf8qbSCHVTNacf8nSW8mRakFw')
        .received,
    ).toEqual([xrp('10.000043')]);
    const explorer = loadFixture<Record<string, unknown>>('explorer/EscrowFinish/EscrowFinish.json');
    expect(
      view(explorer['EscrowFinish having XRP escrowed'], 'r4UDXF4nL7Tgss8uQxn39cCocd8GnGyXS8').received,
    ).toEqual([xrp('0.0154')]);
    expect(
      view(explorer['EscrowFinish having IOU escrowed'], 'rHVkbnz2ZLVUCPugCbLsXbCsayrJARLq1N').received,
    ).toEqual([token('ZZZ', 'rDb2kD2sibG5cxhz3VAoRFkmhPrca4JtL8', '1')]);
    const mptCase = explorer['EscrowFinish having MPT escrowed'];
    expect(view(mptCase, 'rHVkbnz2ZLVUCPugCbLsXbCsayrJARLq1N').received).toEqual([
      mpt('0044E493C9FB70ADC1A604A5792643A38CA5887219C21C8C', '1'),
    ]);
    // The escrow owner's MPTAmount did not move (only LockedAmount did): no change, no receipt.
    expect(view(mptCase, 'rDtpgHpsUFu2dHC6fMZnwgZvNEDZ9MG9YK')).toMatchObject({
      balance_changes: [],
      received: [],
    });
  });

  test('PaymentChannelClaim: claimed XRP to the destination; a closing claim returns the rest to the source', () => {
    expect(
      view(loadFixture('xrpl.js-2021/tx/paymentChannelClaim.json'), 'rBmNDZ7vbTCwakKXsX3pDAwDdQuxM7yBRa')
        .received,
    ).toEqual([xrp('0.801')]);
    expect(
      view(
        loadFixture('explorer/PaymentChannelClaim/PaymentChannelClaim.json'),
        'rK6g2UYc4GpQH8DYdPG7wywyQbxkJpQTTN',
      ).received,
    ).toEqual([xrp('0.01')]);
    expect(
      view(
        loadFixture('explorer/PaymentChannelClaim/PaymentChannelClaimClosed.json'),
        'rH11fDGhbVH5NVXNXkGAMTmfWhUHjCtA3B',
      ).received,
    ).toEqual([xrp('9.66')]);
  });

  test("OfferCreate crossing watched accounts' offers: the offer owners receive what they bought", () => {
    const input = loadFixture('explorer/Transactions/rippledOfferCreate.json');
    expect(view(input, 'rEGoBvzusE2MkDn3yrgZc817XiwRofqoJq').received).toEqual([xrp('50.324316')]);
    expect(view(input, 'rUmustd4TbkjaEuS7S1damozpBEREgRz9z').received).toEqual([
      token('CNY', 'razqQKzJRdB4UxFPWf5NEpEG3WMkmwgcXA', '225.4529363373'),
    ]);
  });

  test('NFTokenAcceptOffer sale: the seller (not the sender) receives the price', () => {
    expect(
      view(
        loadFixture('explorer/NFTokenAcceptOffer/NFTokenAcceptOffer_Sell.json'),
        'r9AExd6v3keXaXa3nXAMHHcP9nWy9Aef2g',
      ),
    ).toMatchObject({
      fee_paid: '0',
      received: [xrp('0.000102')],
      counted: true,
    });
  });

  test('one transaction credits two watched accounts: brokered NFT sale pays seller and issuer', () => {
    const seller = 'rnp9DA6H2tLH7YFkgpjoVREB2yccYv56Sg';
    const issuer = 'rpbjkoncKiv1LkPWShzZksqYPzKXmUhTW7';
    const input = loadFixture('explorer/NFTokenAcceptOffer/NFTokenAcceptOffer_Broker.json');
    const explained = explainJson(analyzeTransaction(input, new Set([issuer, seller])));
    expect(explained.accounts.map((a) => [a.account, a.received, a.counted])).toEqual([
      [seller, [xrp('2325')], true],
      [issuer, [xrp('175')], true],
    ]);
  });

  test('AMMWithdraw: the withdrawer receives both assets; the LP-token decrease is not a receipt', () => {
    const effect = view(
      loadFixture('explorer/AMMWithdraw/withdraw.json'),
      'rUwaiErsYE5kibUUtaPczXZVVd73VNy4R9',
    );
    expect(effect.received).toEqual([
      xrp('3666.580882'),
      token('USD', 'rhpHaFggC92ELty3n3yDEtuFgWxXWkUFET', '4000'),
    ]);
    expect(effect.balance_changes).toContainEqual(
      token(
        '03930D02208264E2E40EC1B0C09E4DB96EE197B1',
        'rMEdVzU8mtEArzjrN9avm3kA675GX7ez8W',
        '-3829663.631314105',
      ),
    );
  });

  test('MPT payment: MPToken 0 -> 100 with PreviousFields {} counts 100, matching delivered_amount', () => {
    expect(
      view(loadFixture('explorer/Payment/PaymentMPT.json'), 'rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu'),
    ).toMatchObject({
      balance_changes: [mpt('000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F', '100')],
      received: [mpt('000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F', '100')],
      counted: true,
    });
    expect(
      view(loadFixture('explorer/Transactions/DirectMPTPayment.json'), 'rnNkvddM96FE2QsaFztLAn5xicjq5d6d8d')
        .received,
    ).toEqual([mpt('0000301C674EE6ECD0374A628E2C442EF8E3BBBEE8C58CF3', '100')]);
  });

  test('MPT changes read by hand from the metadata: clawback, vault shares, confidential transfers', () => {
    expect(
      view(loadFixture('explorer/Clawback/ClawbackMPT.json'), 'rUZTPFN7MBJkjiZ48rak6q7MbhT4ur2kAD'),
    ).toMatchObject({
      balance_changes: [mpt('00000D668E702F54A27C42EF98C13B0787D1766CC9162A47', '-50')],
      received: [],
    });
    expect(
      view(loadFixture('explorer/VaultWithdraw/VaultWithdraw.json'), 'rQEzyNVohiNuWwYFnwUMEWeyK3KvACUbyB')
        .balance_changes,
    ).toContainEqual(mpt('000000019E2D7036879DFC217D7D2A92CC7349EEB0D703AA', '-5'));
    const convertBack = view(
      loadFixture('explorer/ConfidentialMPTConvertBack/ConfidentialMPTConvertBack.json'),
      'rnhEwrTvijKEVC36DbkeijNQKAztVfCM7M',
    );
    expect(convertBack.received).toEqual([mpt('0000001365FEC4C03F5B3D9FD06C6EBCEA05A5B04BEDAFCA', '200')]);
    // Hidden amounts: only ciphertexts change, so nobody's public MPT balance moves.
    const send = analyzeTransaction(
      loadFixture('explorer/ConfidentialMPTSend/ConfidentialMPTSend.json'),
      'all',
    );
    expect(send.accounts.flatMap((a) => a.balanceChanges.filter((c) => c.asset.kind === 'mpt'))).toEqual([]);
  });

  test('a fee paid by a Delegate is charged to the delegate, not to the Account', () => {
    const input = loadFixture('explorer/Transactions/DelegatePayment.json');
    const explained = explainJson(analyzeTransaction(input, 'all'));
    expect(explained.accounts.map((a) => [a.account, a.fee_paid, a.received])).toEqual([
      ['rfFLs8ZknoJKHCw7MtJKcs8GL81dqoDGRz', '0', []],
      ['rsyK6CetAoRxXotHbYpp32oQQgD4JmvfBQ', '0', [xrp('1')]],
      ['rNRfqQc9b9ehXJJYVR6NqPPwrS26tWeB6N', '0.000001', []],
    ]);
  });

  test('a fee Sponsor (tfSponsorFee) pays the fee; paid from a Sponsorship pool, nobody is charged', () => {
    const delegated = loadFixture<{ tx: JsonObject; meta: JsonObject }>(
      'explorer/Transactions/DelegatePayment.json',
    );
    const { Delegate: sponsor, ...tx } = delegated.tx;
    const sponsored = { ...delegated, tx: { ...tx, Sponsor: sponsor, SponsorFlags: 1 } };
    const fees = (input: unknown) =>
      analyzeTransaction(input, 'all').accounts.map((a) => [a.account, a.feePaidDrops]);
    expect(fees(sponsored)).toEqual([
      ['rfFLs8ZknoJKHCw7MtJKcs8GL81dqoDGRz', 0n],
      ['rsyK6CetAoRxXotHbYpp32oQQgD4JmvfBQ', 0n],
      ['rNRfqQc9b9ehXJJYVR6NqPPwrS26tWeB6N', 1n],
    ]);
    const pool = {
      ModifiedNode: {
        LedgerEntryType: 'Sponsorship',
        FinalFields: { Owner: sponsor, Sponsee: tx.Account, FeeAmount: '99' },
        PreviousFields: { FeeAmount: '100' },
      },
    };
    const pooled = {
      ...sponsored,
      meta: { ...delegated.meta, AffectedNodes: [...(delegated.meta.AffectedNodes as unknown[]), pool] },
    };
    expect(fees(pooled).map(([, fee]) => fee)).toEqual([0n, 0n, 0n]);
  });

  test('40-hex currency codes stay as on the ledger; decodeCurrency gives the printable name', () => {
    const code = '5852646F67650000000000000000000000000000';
    expect(
      view(loadFixture('explorer/Payment/PaymentWithSendMax.json'), 'rprcTynT68nYdKzDTefAZG9HjSHiYcnP4b')
        .received,
    ).toEqual([token(code, 'rLqUC2eCPohYvJCEBJ77eCCqVL2uEiczjA', '17366599.150289')]);
    expect(decodeCurrency(code)).toBe('XRdoge');
  });

  test('token values in exponent notation are parsed exactly and printed without exponent', () => {
    const input = loadFixture<{ metadata: { AffectedNodes: Array<Record<string, JsonObject>> } }>(
      'xrpl.js/utils/paymentToken.json',
    );
    const destination = 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K';
    const line = input.metadata.AffectedNodes.map((n) => Object.values(n)[0] as JsonObject).find(
      (n) =>
        n.LedgerEntryType === 'RippleState' &&
        (n.FinalFields as { LowLimit: { issuer: string } }).LowLimit.issuer === destination,
    ) as { FinalFields: { Balance: JsonObject }; PreviousFields: { Balance: JsonObject } };
    // The destination is the low account: a positive Balance is what it holds.
    line.FinalFields.Balance.value = '1413500174054660e-4';
    line.PreviousFields.Balance.value = '1413500174054560e-4';
    const analysis = analyzeTransaction(input, new Set([destination]));
    const effect = explainJson(analysis).accounts[0];
    expect(effect?.received).toEqual([token('USD', 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q', '0.01')]);
    expect(analysis.accounts[0]?.balancesAfter.map((b) => b.value.toFixed())).toEqual(['141350017405.466']);
  });

  test('delivered_amount "unavailable" falls back to the metadata', () => {
    const input = loadFixture<JsonObject & { meta: JsonObject }>(V2_PAYMENT);
    input.meta.delivered_amount = 'unavailable';
    expect(view(input, V2_DESTINATION)).toMatchObject({ received: [xrp('20')], counted: true });
  });

  test('balances after the transaction: XRP, trust lines from the account side, MPT', () => {
    const analysis = analyzeTransaction(
      loadFixture('xrpl.js/utils/paymentToken.json'),
      new Set(['rKmBGxocj9Abgy25J51Mk1iqFzW9aVF9Tc']),
    );
    expect(analysis.accounts[0]?.balancesAfter.map((b) => [b.asset, b.value.toFixed()])).toEqual([
      [{ kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' }, '1.525330905250352'],
      [{ kind: 'xrp' }, '239.555992'],
    ]);
  });
});
