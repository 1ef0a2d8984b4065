import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file with a package.json (works from dist-bench/ too). */
function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Real XRPL transaction fixtures, shared beside the repository (never copied into it). */
export const FIXTURES_DIR = path.resolve(REPO_ROOT, '../shared/fixtures/xrpl');

/** Every .json fixture, as a path relative to FIXTURES_DIR with "/" separators, sorted. */
export function listFixtureFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json'))
        files.push(path.relative(FIXTURES_DIR, full).split(path.sep).join('/'));
    }
  };
  walk(FIXTURES_DIR);
  return files.sort();
}

export function loadFixtureText(relativePath: string): string {
  return readFileSync(path.join(FIXTURES_DIR, relativePath), 'utf8');
}

/** A fresh parsed copy of a fixture (tests may mutate it). */
export function loadFixture<T = unknown>(relativePath: string): T {
  return JSON.parse(loadFixtureText(relativePath)) as T;
}

/** One transaction with metadata taken from a fixture file. */
export interface TransactionCase {
  /** "file" or "file#entry" for files holding several transactions. */
  readonly name: string;
  readonly file: string;
  readonly input: unknown;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasAffectedNodes(value: unknown, depth = 0): boolean {
  if (!isObject(value) || depth > 4) return false;
  if (Array.isArray(value.AffectedNodes)) return true;
  return Object.values(value).some((child) => hasAffectedNodes(child, depth + 1));
}

const TRANSACTION_KEYS = [
  'tx',
  'tx_json',
  'transaction',
  'meta',
  'metaData',
  'metadata',
  'TransactionType',
  'result',
];

/**
 * Every transaction that carries metadata, across all fixtures. Files holding several
 * transactions are split: an account_tx response into its entries, and an object keyed by test
 * name (ripple/explorer's EscrowFinish mocks) into its cases.
 */
export function transactionCases(): TransactionCase[] {
  const cases: TransactionCase[] = [];
  for (const file of listFixtureFiles()) {
    const json = loadFixture(file);
    if (!isObject(json)) continue;
    const result = json.result;
    if (isObject(result) && Array.isArray(result.transactions)) {
      result.transactions.forEach((entry, i) => {
        if (hasAffectedNodes(entry)) cases.push({ name: `${file}#${i}`, file, input: entry });
      });
      continue;
    }
    const isCollection =
      !TRANSACTION_KEYS.some((key) => key in json) &&
      !Array.isArray(json.AffectedNodes) &&
      Object.values(json).every((value) => isObject(value) && (isObject(value.meta) || isObject(value.tx)));
    if (isCollection && Object.keys(json).length > 0) {
      for (const [key, value] of Object.entries(json)) {
        if (hasAffectedNodes(value)) cases.push({ name: `${file}#${key}`, file, input: value });
      }
      continue;
    }
    if (hasAffectedNodes(json)) cases.push({ name: file, file, input: json });
  }
  return cases;
}
