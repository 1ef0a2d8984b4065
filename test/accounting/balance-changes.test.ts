import Big from 'big.js';
import { describe, expect, test } from 'vitest';
import { getBalanceChanges } from 'xrpl';
import { analyzeTransaction } from '../../src/accounting/index.js';
import type { AccountEffect } from '../../src/accounting/types.js';
import { listFixtureFiles, loadFixture, loadFixtureText, transactionCases } from '../support/fixtures.js';

type JsonObject = Record<string, unknown>;
type OracleChanges = ReturnType<typeof getBalanceChanges>;

interface Expectation {
  test: string;
  fixture: string;
  metadataPath: string;
  expected: OracleChanges;
}

const cases = transactionCases();

/** Where the metadata sits, found independently of the module under test. */
function metadataOf(input: unknown): JsonObject {
  let o = input as JsonObject;
  if (o.result !== undefined && o.meta === undefined && o.tx === undefined && o.tx_json === undefined) {
    o = o.result as JsonObject;
  }
  const meta = o.meta ?? o.metaData ?? o.metadata ?? (Array.isArray(o.AffectedNodes) ? o : undefined);
  if (meta === undefined) throw new Error('fixture without metadata');
  return meta as JsonObject;
}

/** Non-MPT balance changes keyed "currency|issuer" (xrpl.js ignores MPTs; XRP has no issuer). */
function ourChanges(effect: AccountEffect | undefined): Map<string, Big> {
  const changes = new Map<string, Big>();
  for (const { asset, value } of effect?.balanceChanges ?? []) {
    if (asset.kind === 'xrp') changes.set('XRP|', value);
    if (asset.kind === 'token') changes.set(`${asset.currency}|${asset.issuer}`, value);
  }
  return changes;
}

function oracleChanges(balances: OracleChanges[number]['balances']): Map<string, Big> {
  const changes = new Map<string, Big>();
  for (const balance of balances)
    changes.set(`${balance.currency}|${balance.issuer ?? ''}`, new Big(balance.value));
  return changes;
}

/** Exact decimal equality (Big.eq), not string equality: "-100.012" and "-100.0120" agree. */
function expectSameChanges(actual: Map<string, Big>, expected: Map<string, Big>, context: string): void {
  expect([...actual.keys()].sort(), context).toEqual([...expected.keys()].sort());
  for (const [key, value] of expected) {
    const ours = actual.get(key);
    expect(ours?.eq(value), `${context} ${key}: ours ${ours?.toFixed()} vs ${value.toFixed()}`).toBe(true);
  }
}

describe('every fixture with metadata', () => {
  test('is found: each file whose text holds AffectedNodes yields at least one case', () => {
    const withMetadata = listFixtureFiles().filter((file) =>
      loadFixtureText(file).includes('"AffectedNodes"'),
    );
    const covered = new Set(cases.map((c) => c.file));
    expect(withMetadata.length).toBeGreaterThan(50);
    expect(withMetadata.filter((file) => !covered.has(file))).toEqual([]);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s is understood', (_name, c) => {
    const analysis = analyzeTransaction(c.input, 'all');
    expect(analysis.invalidReason).toBeUndefined();
    expect(analysis.valid).toBe(true);
    expect(analysis.accounts.length).toBeGreaterThan(0);
  });
});

describe('balance changes agree with xrpl.js getBalanceChanges for every account', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const oracle = getBalanceChanges(metadataOf(c.input) as never);
    const analysis = analyzeTransaction(c.input, 'all');
    const byAccount = new Map(analysis.accounts.map((effect) => [effect.account, effect]));
    for (const { account, balances } of oracle) {
      expectSameChanges(ourChanges(byAccount.get(account)), oracleChanges(balances), `${c.name} ${account}`);
    }
    const oracleAccounts = new Set(oracle.map((entry) => entry.account));
    const extra = analysis.accounts.filter((e) => ourChanges(e).size > 0 && !oracleAccounts.has(e.account));
    expect(extra.map((e) => e.account)).toEqual([]);
  });

  test('with a watch set, each watched account gets exactly what it gets with WatchSet all', () => {
    for (const c of cases) {
      const everyone = analyzeTransaction(c.input, 'all');
      const watched = new Set(everyone.accounts.filter((_, i) => i % 2 === 0).map((e) => e.account));
      const some = analyzeTransaction(c.input, watched);
      expect(
        some.accounts.map((e) => e.account),
        c.name,
      ).toEqual([...watched]);
      for (const effect of some.accounts) {
        expect(effect, c.name).toEqual(everyone.accounts.find((e) => e.account === effect.account));
      }
    }
  });
});

describe('balance changes agree with xrpl.js getBalanceChanges.expected.json', () => {
  const { cases: expectations } = loadFixture<{ cases: Expectation[] }>(
    'xrpl.js/utils/getBalanceChanges.expected.json',
  );

  test('the expectations file holds the twelve upstream cases', () => {
    expect(expectations).toHaveLength(12);
  });

  test.each(expectations.map((e) => [e.test, e] as const))('%s', (_name, expectation) => {
    const analysis = analyzeTransaction(loadFixture(`xrpl.js/${expectation.fixture}`), 'all');
    const byAccount = new Map(analysis.accounts.map((effect) => [effect.account, effect]));
    for (const { account, balances } of expectation.expected) {
      expectSameChanges(ourChanges(byAccount.get(account)), oracleChanges(balances), account);
    }
    const expectedAccounts = new Set(expectation.expected.map((entry) => entry.account));
    expect(
      analysis.accounts.filter((e) => e.balanceChanges.length > 0 && !expectedAccounts.has(e.account)),
    ).toEqual([]);
  });
});
