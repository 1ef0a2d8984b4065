/*
 * Rule state lives in plain arrays (JSON as is) that are never mutated: an update copies the array
 * (a copy of n references is cheap, unlike spreading an object with n keys) and a lookup uses an index
 * cached per array in a WeakMap. Descendant arrays share their ancestor's index; a shared entry that
 * points at the wrong element (only possible when an old state is reused after a newer one grew) is
 * detected and the index rebuilt, so lookups are always right.
 */

export interface RuleAccountEntry {
  readonly rule: string;
  readonly account: string;
}

const indexes = new WeakMap<readonly RuleAccountEntry[], Map<string, number>>();

export function entryKey(rule: string, account: string): string {
  return `${rule}\n${account}`;
}

function indexFor(list: readonly RuleAccountEntry[]): Map<string, number> {
  let index = indexes.get(list);
  if (index === undefined) {
    index = new Map(list.map((e, i) => [entryKey(e.rule, e.account), i]));
    indexes.set(list, index);
  }
  return index;
}

export function findEntry<T extends RuleAccountEntry>(
  list: readonly T[],
  rule: string,
  account: string,
): T | undefined {
  const key = entryKey(rule, account);
  const index = indexFor(list);
  const at = index.get(key);
  if (at === undefined) return undefined;
  const entry = list[at];
  if (entry !== undefined && entry.rule === rule && entry.account === account) return entry;
  indexes.set(list, new Map(list.map((e, i) => [entryKey(e.rule, e.account), i])));
  return list.find((e) => e.rule === rule && e.account === account);
}

/** A new array with `entry` replacing the entry of the same rule x account, or appended. */
export function withEntry<T extends RuleAccountEntry>(list: readonly T[], entry: T): readonly T[] {
  const existing = findEntry(list, entry.rule, entry.account);
  // After findEntry the index of `list` is right for every entry it holds.
  const index = indexFor(list);
  const key = entryKey(entry.rule, entry.account);
  const next = list.slice();
  if (existing === undefined) {
    next.push(entry);
    index.set(key, next.length - 1);
  } else {
    next[index.get(key)!] = entry;
  }
  indexes.set(next, index);
  return next;
}

/** `to` holds the same rule x account at the same positions as `from`: let it use `from`'s index. */
export function inheritIndex(from: readonly RuleAccountEntry[], to: readonly RuleAccountEntry[]): void {
  const index = indexes.get(from);
  if (index !== undefined) indexes.set(to, index);
}
