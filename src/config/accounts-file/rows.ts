import { addressProblem } from '../values.js';

/** One account read from an accounts file; `line` is where its row starts (1 is the header). */
export interface FileAccount {
  readonly address: string;
  /** Null when the file has no name column or the cell is empty: the name is then the address. */
  readonly name: string | null;
  readonly group: string | null;
  readonly line: number;
}

/** Where each known column sits in a row. */
export interface Columns {
  readonly count: number;
  readonly address: number;
  readonly name: number | null;
  readonly group: number | null;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const COLUMNS = ['address', 'name', 'group'] as const;

/** The header row (spec: `address[,name][,group]`): known column names, each once, `address` required. */
export function readHeader(fields: readonly string[]): Result<Columns> {
  const found = new Map<string, number>();
  for (const [index, raw] of fields.entries()) {
    const column = raw.trim();
    if (!(COLUMNS as readonly string[]).includes(column)) {
      return fail(`unknown column "${column}" in the header (expected address[,name][,group])`);
    }
    if (found.has(column)) return fail(`column "${column}" appears twice in the header`);
    found.set(column, index);
  }
  const address = found.get('address');
  if (address === undefined)
    return fail('the header has no address column (expected address[,name][,group])');
  return {
    ok: true,
    value: {
      count: fields.length,
      address,
      name: found.get('name') ?? null,
      group: found.get('group') ?? null,
    },
  };
}

/**
 * One data row -> an account, with the checks `accounts[]` gets in the YAML: a valid classic address,
 * and a name or group that is not empty when given (an empty cell means "not given").
 */
export function readRow(fields: readonly string[], columns: Columns, line: number): Result<FileAccount> {
  if (fields.length !== columns.count) {
    return fail(`expected ${columns.count} field${columns.count === 1 ? '' : 's'}, got ${fields.length}`);
  }
  // Addresses cannot hold spaces, not even quoted ones (the parser trims around quotes only).
  const address = fields[columns.address]!.trim();
  if (address === '') return fail('empty address');
  const problem = addressProblem(address);
  if (problem !== null) return fail(problem.xAddress ? problem.reason : `${problem.reason}: ${address}`);
  return {
    ok: true,
    value: { address, name: cell(fields, columns.name), group: cell(fields, columns.group), line },
  };
}

function cell(fields: readonly string[], index: number | null): string | null {
  if (index === null) return null;
  const value = fields[index]!;
  return value === '' ? null : value;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
