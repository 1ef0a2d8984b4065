import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { asRecord } from '../json.js';
import { type AccountsFile, readAccountsFile } from './accounts-file/index.js';
import { buildConfig } from './build.js';
import { type CrossIssue, crossCheck } from './cross-checks.js';
import { type ConfigPath, formatPath, pathMessage } from './path.js';
import { configSchema, mappingKeysAt } from './schema.js';
import { closestKey } from './suggest.js';
import type { Config } from './types.js';
import { maskUrlSecrets, maskUrlsInText } from './url-secrets.js';
import { describe } from './values.js';
import { readYamlTree, type SourceSpan, type TreeResult } from './yaml-tree.js';

export {
  redactedConfig,
  redactedYaml,
  renderCheckConfigSummary,
  secretRedactor,
} from './redact.js';
export type * from './types.js';
export { maskUrlSecrets, maskUrlsInText };

/** Results are values: a bad config is data for the caller to print, never a throw. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export type ConfigEnv = Readonly<Record<string, string | undefined>>;

export interface ConfigOptions {
  /**
   * False for a command that names its accounts itself (`report --account`): `accounts` may then be
   * absent although no `accounts_files` are listed. Accounts that are given are checked all the same.
   */
  readonly accountsRequired?: boolean;
}

/**
 * YAML text -> validated, frozen Config, or every problem at once as `path: message` lines in file
 * order. Pure: the environment and the accounts files that `accounts_files` lists (already read, see
 * loadConfigFile) are arguments.
 */
export function parseConfig(
  yamlText: string,
  env: ConfigEnv,
  accountsFiles: readonly AccountsFile[] = [],
  options: ConfigOptions = {},
): ConfigResult {
  return checkTree(readYamlTree(yamlText, env), accountsFiles, options);
}

function checkTree(
  read: TreeResult,
  accountsFiles: readonly AccountsFile[],
  options: ConfigOptions,
): ConfigResult {
  if (!read.ok) return read;
  const { value, positions } = read.tree;
  // An empty file is an empty mapping: the missing required keys say what to write.
  const root = value === null ? {} : value;

  const parsed = configSchema.safeParse(root, { reportInput: true });
  const checks = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(zodIssueMessages)),
    ...crossCheck(root, accountsFiles, options.accountsRequired ?? true),
  ];
  // A value the tree could not read is null: "required" or "expected a string" there would repeat its error.
  const replaced = read.issues.filter((issue) => issue.replaced).map((issue) => issue.path);
  const issues: CrossIssue[] = [
    ...read.issues,
    ...checks.filter((issue) => !replaced.some((path) => isWithin(issue.path, path))),
  ];
  if (issues.length > 0 || !parsed.success) {
    const ordered = issues
      .map((issue, order) => ({ ...issue, order, at: positionOf(issue.path, positions) }))
      .sort((a, b) => a.at - b.at || lineOf(a) - lineOf(b) || a.order - b.order);
    return { ok: false, errors: [...new Set(limitPerFile(ordered).map(issueMessage))] };
  }
  return { ok: true, config: buildConfig(parsed.data, accountsFiles) };
}

/**
 * Reads and parses one config file and the accounts files it lists (relative paths are resolved
 * against the config file's folder); an unreadable file is an error naming the path.
 */
export async function loadConfigFile(
  path: string,
  env: ConfigEnv,
  options: ConfigOptions = {},
): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`${path}: ${readProblem(error)}`] };
  }
  const read = readYamlTree(text, env);
  const folder = dirname(path);
  const files: AccountsFile[] = [];
  // One at a time: each file's rows are checked as they stream in, and only the accounts are kept.
  for (const file of read.ok ? listedAccountsFiles(read.tree.value) : []) {
    files.push(await readAccountsFile(file, resolve(folder, file)));
  }
  return checkTree(read, files, options);
}

/** The distinct paths `accounts_files` lists; anything else there is the schema's to report. */
function listedAccountsFiles(root: unknown): string[] {
  const listed = asRecord(root)?.accounts_files;
  if (!Array.isArray(listed)) return [];
  return [...new Set(listed.filter((item): item is string => typeof item === 'string' && item !== ''))];
}

/** A file full of bad rows would bury the other errors: each file shows its first few and a count. */
const MAX_ERRORS_PER_FILE = 20;

function limitPerFile<T extends CrossIssue>(issues: readonly T[]): CrossIssue[] {
  const shown = new Map<string, number>();
  const out: CrossIssue[] = [];
  for (const issue of issues) {
    const file = issue.source?.file;
    if (file === undefined) {
      out.push(issue);
      continue;
    }
    const n = (shown.get(file) ?? 0) + 1;
    shown.set(file, n);
    if (n <= MAX_ERRORS_PER_FILE) out.push(issue);
  }
  for (const [file, n] of shown) {
    if (n <= MAX_ERRORS_PER_FILE) continue;
    const last = out.findLastIndex((issue) => issue.source?.file === file);
    out.splice(last + 1, 0, {
      path: [],
      message: `${n - MAX_ERRORS_PER_FILE} more errors not shown`,
      source: { file, line: 0 },
    });
  }
  return out;
}

/** Within one accounts file, errors are listed by line. */
const lineOf = (issue: CrossIssue): number => issue.source?.line ?? 0;

function issueMessage(issue: CrossIssue): string {
  const { source } = issue;
  if (source === undefined) return pathMessage(issue.path, issue.message);
  return `${source.file}${source.line > 0 ? `:${source.line}` : ''}: ${issue.message}`;
}

/**
 * The errors as every command prints them on standard error: one line each, naming its path
 * (`rules[2].threshold: ...`, `deposits.csv:1042: ...`) and nothing else, so one error is one line (spec).
 */
export function formatConfigErrors(errors: readonly string[]): string {
  return errors.join('\n');
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'cannot read config file: no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read config file: permission denied';
  if (code === 'EISDIR') return 'cannot read config file: it is a directory';
  return `cannot read config file: ${error instanceof Error ? error.message : String(error)}`;
}

function isWithin(path: ConfigPath, ancestor: ConfigPath): boolean {
  return ancestor.length <= path.length && ancestor.every((part, index) => path[index] === part);
}

function zodIssueMessages(issue: z.core.$ZodIssue): { path: ConfigPath; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    const known = mappingKeysAt(issue.path) ?? [];
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, known);
      const message = suggestion === null ? 'unknown key' : `unknown key (did you mean ${suggestion}?)`;
      return { path: [...issue.path, key], message };
    });
  }
  if (issue.code === 'invalid_type') {
    const message =
      issue.input === undefined
        ? 'required'
        : `expected ${typeName(issue.expected)}, got ${describe(issue.input)}`;
    return [{ path: issue.path, message }];
  }
  return [{ path: issue.path, message: issue.message }];
}

function typeName(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  return expected;
}

/**
 * Where an error belongs in the file, to list errors in file order: the start of its key or item; for a
 * missing key, the end of the nearest enclosing value that is there (where the key would be added).
 */
function positionOf(path: ConfigPath, positions: ReadonlyMap<string, SourceSpan>): number {
  const own = positions.get(formatPath(path));
  if (own !== undefined) return own.start;
  for (let length = path.length - 1; length >= 0; length--) {
    const span = positions.get(formatPath(path.slice(0, length)));
    if (span !== undefined) return span.end;
  }
  return 0;
}
