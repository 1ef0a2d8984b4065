import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import type { TxAnalysis } from '../../src/accounting/types.js';
import { loadFixture, transactionCases } from '../support/fixtures.js';

type JsonObject = Record<string, unknown>;
type Path = readonly (string | number)[];

const cases = transactionCases();
const V2_PAYMENT = 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json';

/** What every analysis must satisfy, valid or not. */
function expectWellFormed(analysis: TxAnalysis): void {
  if (!analysis.valid) {
    expect(analysis.invalidReason).toEqual(expect.any(String));
    expect(analysis.invalidReason?.length).toBeGreaterThan(0);
    for (const effect of analysis.accounts) {
      expect(effect.counted).toBe(false);
      expect(effect.reason.startsWith('not counted: invalid input')).toBe(true);
    }
    return;
  }
  for (const effect of analysis.accounts) {
    for (const amount of effect.received) expect(amount.value.gt(0)).toBe(true);
    if (effect.counted) {
      expect(analysis.validated).toBe(true);
      expect(analysis.result).toBe('tesSUCCESS');
      expect(effect.received.length).toBeGreaterThan(0);
    }
  }
}

function expectInvalid(analysis: TxAnalysis, reasonPart: string | RegExp): void {
  expect(analysis.valid).toBe(false);
  expect(analysis.invalidReason).toMatch(reasonPart);
  expectWellFormed(analysis);
}

/** Every path into a JSON value (objects and arrays), to pick mutation points from. */
function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) {
    value.forEach((child, i) => {
      pathsOf(child, [...prefix, i], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) pathsOf(child, [...prefix, key], out);
  }
  return out;
}

function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  let node = root as JsonObject;
  for (const key of path.slice(0, -1)) node = node[key as string] as JsonObject;
  node[path[path.length - 1] as string] = replacement;
  return root;
}

function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return {};
  let node = root as JsonObject;
  for (const key of path.slice(0, -1)) node = node[key as string] as JsonObject;
  const last = path[path.length - 1];
  if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last as string];
  return root;
}

function destinationLineOf(input: JsonObject): { FinalFields: { Balance: JsonObject } } {
  const nodes = (input.metadata as { AffectedNodes: Array<Record<string, JsonObject>> }).AffectedNodes;
  return nodes.map((n) => Object.values(n)[0]).find((n) => n?.LedgerEntryType === 'RippleState') as never;
}

describe('malformed or hostile input never throws and is reported as invalid input', () => {
  test('any JSON-like value', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 6 }), (input) => {
        expectWellFormed(analyzeTransaction(input, 'all'));
        expectWellFormed(analyzeTransaction(input, new Set(['rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe'])));
      }),
      { numRuns: 1000 },
    );
  });

  test('envelope-shaped values with random contents', () => {
    const field = fc.anything({ maxDepth: 3 });
    const envelope = fc.record(
      {
        tx_json: fc.oneof(
          field,
          fc.record({ Account: field, Fee: field, TransactionType: field, Flags: field }),
        ),
        meta: fc.oneof(field, fc.record({ TransactionResult: field, AffectedNodes: fc.array(field) })),
        validated: field,
        hash: field,
        ledger_index: field,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(envelope, (input) => expectWellFormed(analyzeTransaction(input, 'all'))),
      { numRuns: 1000 },
    );
  });

  test('real fixtures with one value replaced or removed at a random place', () => {
    const indices = fc.nat({ max: cases.length - 1 });
    const replacement = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.constantFrom(
        'abc',
        '',
        '-1',
        '1e999999999',
        '9'.repeat(400),
        'NaN',
        '0x10',
        ' 12',
        '1.5',
        null,
        [],
        {},
      ),
    );
    fc.assert(
      fc.property(indices, fc.nat(), replacement, fc.boolean(), (index, pick, value, remove) => {
        const testCase = cases[index];
        if (testCase === undefined) return;
        const input = structuredClone(testCase.input);
        const paths = pathsOf(input);
        const path = paths[pick % paths.length] ?? [];
        const mutated = remove ? deleteAt(input, path) : setAt(input, path, value);
        expectWellFormed(analyzeTransaction(mutated, 'all'));
      }),
      { numRuns: 2000 },
    );
  });

  test('non-numeric, negative, fractional and gigantic XRP amounts', () => {
    for (const bad of ['abc', '-20000000', '1.5', '1e7', '9'.repeat(30), 20000000, null, { value: '1' }]) {
      const input = loadFixture<{
        meta: { AffectedNodes: Array<{ ModifiedNode: { FinalFields: JsonObject } }> };
      }>(V2_PAYMENT);
      const node = input.meta.AffectedNodes[0];
      if (node === undefined) throw new Error('fixture changed');
      node.ModifiedNode.FinalFields.Balance = bad;
      expectInvalid(analyzeTransaction(input, 'all'), /FinalFields\.Balance/);
    }
  });

  test('non-numeric and out-of-range token values', () => {
    for (const bad of ['abc', '1e999999999', '1e-500', '12345678901234567890123', '', 5, null]) {
      const input = loadFixture<JsonObject>('xrpl.js/utils/paymentToken.json');
      destinationLineOf(input).FinalFields.Balance.value = bad;
      expectInvalid(analyzeTransaction(input, 'all'), /Balance\.value/);
    }
  });

  test('a bad fee and a bad result', () => {
    const badFee = loadFixture<{ tx_json: JsonObject }>(V2_PAYMENT);
    badFee.tx_json.Fee = '-12';
    expectInvalid(analyzeTransaction(badFee, 'all'), /^Fee/);
    const noResult = loadFixture<{ meta: JsonObject }>(V2_PAYMENT);
    noResult.meta.TransactionResult = 0;
    expectInvalid(analyzeTransaction(noResult, 'all'), /TransactionResult/);
  });

  test('MPT amounts above the UInt63 maximum', () => {
    const input = loadFixture<{ meta: { AffectedNodes: Array<Record<string, JsonObject>> } }>(
      'explorer/Payment/PaymentMPT.json',
    );
    const token = input.meta.AffectedNodes.map((n) => Object.values(n)[0]).find(
      (n) => n?.LedgerEntryType === 'MPToken',
    );
    (token?.FinalFields as JsonObject).MPTAmount = '9223372036854775808';
    expectInvalid(analyzeTransaction(input, 'all'), /MPTAmount/);
  });

  test('deep nesting does not overflow the stack', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { tx: deep, meta: deep };
    expectInvalid(analyzeTransaction(deep, 'all'), /./);
    let deepNodes: unknown = [];
    for (let i = 0; i < 100_000; i++) deepNodes = [deepNodes];
    expectInvalid(
      analyzeTransaction(
        { tx: {}, meta: { TransactionResult: 'tesSUCCESS', AffectedNodes: deepNodes } },
        'all',
      ),
      /AffectedNodes\[0\]/,
    );
  });

  test('prototype-pollution keys are plain data and pollute nothing', () => {
    const text = JSON.stringify(loadFixture(V2_PAYMENT)).replace(
      '{',
      '{"__proto__":{"validated":true,"polluted":1},"constructor":{"prototype":{"polluted":1}},',
    );
    const input = JSON.parse(text) as unknown;
    const analysis = analyzeTransaction(input, 'all');
    expectWellFormed(analysis);
    expect(analysis.valid).toBe(true);
    expect(({} as JsonObject).polluted).toBeUndefined();
    const hostileNode = JSON.parse(
      '{"tx":{"Account":"rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8"},"meta":{"TransactionResult":"tesSUCCESS","AffectedNodes":[{"__proto__":{"ModifiedNode":1}},{"constructor":{"LedgerEntryType":"AccountRoot"}}]}}',
    ) as unknown;
    expectInvalid(analyzeTransaction(hostileNode, 'all'), /AffectedNodes\[0\]/);
    expect(({} as JsonObject).ModifiedNode).toBeUndefined();
  });

  test('objects whose getters throw are invalid input, not exceptions', () => {
    const input = {
      get tx_json(): never {
        throw new Error('boom');
      },
    };
    expectInvalid(analyzeTransaction(input, 'all'), /boom/);
    const throwingAccount = {
      tx_json: {
        TransactionType: 'Payment',
        get Account(): never {
          throw new Error('bang');
        },
      },
      meta: { TransactionResult: 'tesSUCCESS', AffectedNodes: [] },
    };
    expectInvalid(analyzeTransaction(throwingAccount, 'all'), /bang/);
  });

  test('lists of transactions and binary entries are refused with a clear reason', () => {
    expectInvalid(
      analyzeTransaction(loadFixture('xrpl.js/rippled/accountTx.json'), 'all'),
      /list of transactions/,
    );
    expectInvalid(analyzeTransaction({ tx_blob: 'ABCD', meta: 'ABCD', validated: true }, 'all'), /binary/);
    expectInvalid(
      analyzeTransaction({ error: 'txnNotFound', status: 'error', type: 'response' }, 'all'),
      /txnNotFound/,
    );
  });
});
