import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import type { PaymentEvent } from '../../src/alerts/types.js';
import type { RuleConfig } from '../../src/config/types.js';
import { BITSTAMP, BOB, CAROL, GATEHUB, payment, rule, usd } from './support/builders.js';
import { run, setupOf, T0 } from './support/run.js';

describe('filters', () => {
  const hex = '78436F696E000000000000000000000000000000'; // "xCoin"
  // From fixture explorer/Payment/PaymentMPT.json: MPTokenIssuance Sequence 963 (0x3C3), Issuer rsC4dnx...
  const mpt = '000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F';
  const cases: [string, Partial<RuleConfig>, Partial<PaymentEvent>, boolean][] = [
    ['XRP rule, token payment', { currency: 'XRP' }, { asset: usd(GATEHUB) }, false],
    ['USD rule, XRP payment', { currency: 'USD' }, {}, false],
    ['USD rule, USD payment', { currency: 'USD' }, { asset: usd(GATEHUB) }, true],
    ['3-letter codes are case-sensitive', { currency: 'usd' }, { asset: usd(GATEHUB) }, false],
    [
      'standard 40-hex form of USD',
      { currency: '0000000000000000000000005553440000000000' },
      { asset: usd(GATEHUB) },
      true,
    ],
    [
      '40-hex rule, same code',
      { currency: hex },
      { asset: { kind: 'token', currency: hex, issuer: GATEHUB } },
      true,
    ],
    [
      '40-hex rule in lower case',
      { currency: hex.toLowerCase() },
      { asset: { kind: 'token', currency: hex, issuer: GATEHUB } },
      true,
    ],
    [
      'decoded ASCII name of a 40-hex code',
      { currency: 'xCoin' },
      { asset: { kind: 'token', currency: hex, issuer: GATEHUB } },
      true,
    ],
    [
      'a non-standard 40-hex code spelling "USD" is not USD',
      { currency: 'USD' },
      { asset: { kind: 'token', currency: '5553440000000000000000000000000000000000', issuer: GATEHUB } },
      false,
    ],
    [
      'MPT id, any case',
      { currency: mpt.toLowerCase() },
      { asset: { kind: 'mpt', mptIssuanceId: mpt } },
      true,
    ],
    ['MPT rule, token payment', { currency: mpt }, { asset: usd(GATEHUB) }, false],
    ['issuer matches', { currency: 'USD', issuer: GATEHUB }, { asset: usd(GATEHUB) }, true],
    ['issuer differs', { currency: 'USD', issuer: GATEHUB }, { asset: usd(BITSTAMP) }, false],
    ['issuer filter never matches XRP', { issuer: GATEHUB }, {}, false],
    ['account listed', { accounts: [CAROL] }, { account: CAROL }, true],
    ['account not listed', { accounts: [CAROL] }, {}, false],
    ['sender listed', { from: [BOB] }, {}, true],
    ['sender not listed', { from: [CAROL] }, {}, false],
    ['sender unknown', { from: [BOB] }, { sender: null }, false],
    ['destination tag equal', { destinationTag: 7 }, { destinationTag: 7 }, true],
    ['destination tag differs', { destinationTag: 7 }, { destinationTag: 8 }, false],
    ['destination tag required, missing', { destinationTag: 7 }, { destinationTag: null }, false],
    ['destination tag "missing", none', { destinationTag: 'missing' }, { destinationTag: null }, true],
    ['destination tag "missing", present', { destinationTag: 'missing' }, { destinationTag: 0 }, false],
  ];
  test.each(cases)('%s', (_name, filters, event, fires) => {
    const r = rule({ name: 'f', kind: 'payment', threshold: new Big(1), ...filters });
    expect(run(setupOf(r), [{ pay: payment('10', T0, event) }]).all).toHaveLength(fires ? 1 : 0);
  });

  test('the MPT issuer filter compares the issuer encoded in the issuance id', () => {
    const mptAsset = { kind: 'mpt' as const, mptIssuanceId: mpt };
    const issuerOf = 'rsC4dnxCb66FQT4XmCUeuQ7dYeqNio4rWg'; // the issuance's Issuer in the same fixture
    const r = (issuer: string) =>
      rule({ name: 'm', kind: 'payment', threshold: new Big(1), currency: mpt, issuer });
    expect(run(setupOf(r(issuerOf)), [{ pay: payment('10', T0, { asset: mptAsset }) }]).all).toHaveLength(1);
    expect(run(setupOf(r(GATEHUB)), [{ pay: payment('10', T0, { asset: mptAsset }) }]).all).toHaveLength(0);
  });
});
