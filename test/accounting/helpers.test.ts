import Big from 'big.js';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseTokenValue } from '../../src/accounting/amounts.js';
import {
  analyzeTransaction,
  assetKey,
  decodeCurrency,
  dropsToXrp,
  explainJson,
  formatValue,
} from '../../src/accounting/index.js';
import type { Asset } from '../../src/accounting/types.js';
import { loadFixture } from '../support/fixtures.js';

describe('formatValue and dropsToXrp', () => {
  test.each([
    ['1413500174054660e-4', '141350017405.466'],
    ['1000000000000000e-96', `0.${'0'.repeat(80)}1`],
    ['9999999999999999e80', `9999999999999999${'0'.repeat(80)}`],
    ['-0.000001', '-0.000001'],
    ['-0', '0'],
    ['0e5', '0'],
    ['1.50', '1.5'],
  ])('%s prints as %s', (input, expected) => {
    expect(formatValue(new Big(input))).toBe(expected);
  });

  test.each([
    [0n, '0'],
    [1n, '0.000001'],
    [12n, '0.000012'],
    [20_000_000n, '20'],
    [-100_012_000n, '-100.012'],
    [100_000_000_000_000_000n, '100000000000'],
  ])('%s drops are %s XRP exactly', (drops, xrp) => {
    expect(formatValue(dropsToXrp(drops))).toBe(xrp);
  });

  test('the fast parser and printer agree with big.js on random decimals', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 10 });
    const decimal = fc
      .tuple(fc.boolean(), digits, fc.option(digits), fc.option(fc.integer({ min: -40, max: 40 })))
      .map(
        ([negative, int, frac, exp]) =>
          `${negative ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`,
      )
      .filter((text) => /\d/.test(text.split('e')[0] ?? ''));
    fc.assert(
      fc.property(decimal, (text) => {
        const reference = new Big(text);
        const ours = parseTokenValue(text, 'v');
        expect(ours.eq(reference)).toBe(true);
        expect(formatValue(ours)).toBe(reference.eq(0) ? '0' : reference.toFixed());
      }),
      { numRuns: 2000 },
    );
  });

  test('exponent-form token values parse exactly', () => {
    expect(parseTokenValue('1413500174054660e-4', 'v').eq(new Big('141350017405.466'))).toBe(true);
    expect(() => parseTokenValue('1e999999999', 'v')).toThrow(/out of range/);
  });
});

describe('decodeCurrency', () => {
  test.each([
    ['USD', 'USD'],
    ['78436F696E000000000000000000000000000000', 'xCoin'],
    ['5852646F67650000000000000000000000000000', 'XRdoge'],
    // AMM LP tokens start with 0x03: not printable, stay hex.
    ['03930D02208264E2E40EC1B0C09E4DB96EE197B1', '03930D02208264E2E40EC1B0C09E4DB96EE197B1'],
    // Would read as the standard code "USD": kept hex so the two never merge.
    ['5553440000000000000000000000000000000000', '5553440000000000000000000000000000000000'],
    ['0000000000000000000000000000000000000000', '0000000000000000000000000000000000000000'],
    // A zero byte inside the name is not printable.
    ['4142004344000000000000000000000000000000', '4142004344000000000000000000000000000000'],
  ])('%s -> %s', (code, name) => {
    expect(decodeCurrency(code)).toBe(name);
  });
});

describe('assetKey', () => {
  test('distinct assets get distinct keys; equal assets equal keys', () => {
    const assets: Asset[] = [
      { kind: 'xrp' },
      { kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' },
      { kind: 'token', currency: 'USD', issuer: 'rKmBGxocj9Abgy25J51Mk1iqFzW9aVF9Tc' },
      { kind: 'token', currency: 'EUR', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' },
      { kind: 'mpt', mptIssuanceId: '000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F' },
    ];
    expect(new Set(assets.map(assetKey)).size).toBe(assets.length);
    expect(assetKey({ kind: 'token', currency: 'USD', issuer: 'rMwjYedjc7qqtKYVLiAccJSmCwih4LnE2q' })).toBe(
      assetKey(assets[1] as Asset),
    );
  });
});

describe('explainJson', () => {
  test('keys come in the order of the spec, values are strings without exponent', () => {
    const explained = explainJson(
      analyzeTransaction(
        loadFixture('explorer/Payment/PaymentMPT.json'),
        new Set(['rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu', 'rsC4dnxCb66FQT4XmCUeuQ7dYeqNio4rWg']),
      ),
    );
    expect(Object.keys(explained)).toEqual([
      'hash',
      'ledger_index',
      'transaction_type',
      'result',
      'validated',
      'accounts',
    ]);
    for (const account of explained.accounts) {
      expect(Object.keys(account)).toEqual([
        'account',
        'balance_changes',
        'fee_paid',
        'received',
        'counted',
        'reason',
      ]);
    }
    const decimal = /^-?\d+(\.\d+)?$/;
    for (const account of explained.accounts) {
      expect(account.fee_paid).toMatch(decimal);
      for (const amount of [...account.balance_changes, ...account.received])
        expect(amount.value).toMatch(decimal);
    }
    expect(explained.accounts).toEqual([
      {
        account: 'rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu',
        balance_changes: [
          { mpt_issuance_id: '000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F', value: '100' },
        ],
        fee_paid: '0',
        received: [{ mpt_issuance_id: '000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F', value: '100' }],
        counted: true,
        reason: 'counted: received 100 of MPT 000003C31D321B7DDA58324DC38CDF18934FAFFFCDF69D5F',
      },
      {
        account: 'rsC4dnxCb66FQT4XmCUeuQ7dYeqNio4rWg',
        balance_changes: [{ currency: 'XRP', issuer: '', value: '-0.00001' }],
        fee_paid: '0.00001',
        received: [],
        counted: false,
        reason: 'not counted: nothing received',
      },
    ]);
  });

  test('invalid input still renders, with nothing counted', () => {
    const explained = explainJson(
      analyzeTransaction({ tx_json: { Account: 'rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu' } }, 'all'),
    );
    expect(explained).toEqual({
      hash: null,
      ledger_index: null,
      transaction_type: null,
      result: null,
      validated: false,
      accounts: [],
    });
  });
});
