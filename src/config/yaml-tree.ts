import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  parseDocument,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { hasReference, substituteEnv } from './env.js';
import { type ConfigPath, formatPath } from './path.js';

/**
 * A YAML number kept as its source text, so `0.1000000000000000055511151231257827` is not rounded to a
 * float before the schema decides whether it is an amount (big.js), an integer or a bucket.
 */
export class YamlNumber {
  constructor(readonly source: string) {}
}

/** Plain data (objects, arrays, strings, booleans, null, YamlNumber) plus where each path starts in the text. */
export interface YamlTree {
  readonly value: unknown;
  /** formatPath(path) -> where the key or item starts and its value ends, for listing errors in file order. */
  readonly positions: ReadonlyMap<string, SourceSpan>;
}

export interface SourceSpan {
  readonly start: number;
  readonly end: number;
}

/** A value the tree could not read (an unset variable, a bad alias); the tree holds null in its place. */
export interface TreeIssue {
  readonly path: ConfigPath;
  readonly message: string;
  /** True when the value at `path` is a null stand-in: other complaints about it would only repeat this one. */
  readonly replaced: boolean;
}

/**
 * A syntax error leaves no tree. Any other problem is an issue next to a tree that is complete but for
 * the null stand-ins, so the schema still checks the rest and every error is reported at once.
 */
export type TreeResult = { ok: true; tree: YamlTree; issues: TreeIssue[] } | { ok: false; errors: string[] };

/** Enough for any real config; stops "billion laughs" alias bombs from expanding without bound. */
const MAX_ALIASES = 1000;

type Env = Readonly<Record<string, string | undefined>>;

export function readYamlTree(text: string, env: Env): TreeResult {
  const doc = parseDocument(text, { uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const reason =
      first.code === 'MULTIPLE_DOCS' ? 'more than one YAML document (one --- at most)' : first.message;
    return { ok: false, errors: [syntaxMessage(reason, first.linePos?.[0])] };
  }

  const positions = new Map<string, SourceSpan>([['(root)', { start: 0, end: text.length }]]);
  const issues: TreeIssue[] = [];
  let aliases = 0;

  // Collections being walked: an alias to one of them would make the tree infinite.
  const open = new Set<unknown>();

  const walk = (node: unknown, path: ConfigPath): unknown => {
    if (isAlias(node)) {
      aliases += 1;
      const target = node.resolve(doc);
      if (aliases > MAX_ALIASES || open.has(target)) {
        const problem = open.has(target)
          ? 'an alias may not refer to a node that contains it'
          : `more than ${MAX_ALIASES} aliases`;
        issues.push({ path, message: problem, replaced: true });
        return null;
      }
      return walk(target, path);
    }
    if (isMap(node) || isSeq(node)) {
      open.add(node);
      const value = walkCollection(node, path);
      open.delete(node);
      return value;
    }
    if (isScalar(node)) return scalarValue(node, path, env, issues);
    return null;
  };

  const walkCollection = (node: YAMLMap | YAMLSeq, path: ConfigPath): unknown => {
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === null) {
          issues.push({ path, message: 'mapping keys must be plain strings', replaced: false });
          continue;
        }
        const childPath = [...path, key];
        positions.set(formatPath(childPath), spanOf(pair.key, pair.value));
        // defineProperty: a key named __proto__ is data, not a prototype change.
        Object.defineProperty(out, key, {
          value: walk(pair.value, childPath),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, index) => {
        const childPath = [...path, index];
        positions.set(formatPath(childPath), spanOf(item, item));
        return walk(item, childPath);
      });
    }
    return null;
  };

  const value = walk(doc.contents, []);
  return { ok: true, tree: { value, positions }, issues };
}

function scalarValue(node: Scalar, path: ConfigPath, env: Env, issues: TreeIssue[]): unknown {
  const { value } = node;
  if (typeof value === 'number') return new YamlNumber(node.source ?? String(value));
  if (typeof value !== 'string' || !hasReference(value)) return value;
  const substituted = substituteEnv(value, env);
  if (!substituted.ok) {
    issues.push({ path, message: substituted.error, replaced: true });
    return null;
  }
  // An unquoted `port: ${SMTP_PORT}` is typed as YAML would type the substituted text; quoted stays a string.
  return node.type === 'PLAIN' ? plainScalar(substituted.value) : substituted.value;
}

/** The YAML 1.2 core schema's resolution of a plain scalar (null, booleans, numbers, else a string). */
function plainScalar(text: string): unknown {
  if (/^(?:~|null|Null|NULL)?$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(text)) return new YamlNumber(text);
  return text;
}

function keyText(key: unknown): string | null {
  if (key === null) return '';
  if (!isScalar(key)) return null;
  if (typeof key.value === 'string') return key.value;
  return key.source ?? String(key.value);
}

function spanOf(first: unknown, last: unknown): SourceSpan {
  const start = (first as Node | null)?.range?.[0] ?? (last as Node | null)?.range?.[0] ?? 0;
  const end = (last as Node | null)?.range?.[1] ?? (first as Node | null)?.range?.[1] ?? start;
  return { start, end };
}

function syntaxMessage(message: string, position: { line: number; col: number } | undefined): string {
  // yaml's message ends with "at line L, column C:" and a source excerpt; the excerpt may hold a secret.
  const reason = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
  const where = position === undefined ? '' : ` at line ${position.line}, column ${position.col}`;
  return `yaml: syntax error${where}: ${reason}`;
}
