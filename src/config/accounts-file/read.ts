import { createReadStream } from 'node:fs';
import { type CsvError, parse } from 'csv-parse';
import { type Columns, type FileAccount, readHeader, readRow } from './rows.js';

/** A problem at one line of an accounts file; line 0 is the file as a whole. */
export interface FileProblem {
  readonly line: number;
  readonly message: string;
}

/** What one accounts file holds: its valid rows and every problem found. */
export interface AccountsFile {
  /** As written in the config (accounts_files[i]): errors name the file this way. */
  readonly path: string;
  readonly accounts: readonly FileAccount[];
  readonly problems: readonly FileProblem[];
}

/** A row is an address, a name and a group: anything this long is not an accounts file. */
const MAX_ROW_BYTES = 64 * 1024;

/**
 * Streams one CSV accounts file (header `address[,name][,group]`, RFC 4180 quoting, optional UTF-8
 * BOM, LF or CRLF) into accounts. Rows are checked as they arrive, so only the accounts themselves
 * outlive the read. A CSV syntax error ends the file; every other problem is collected.
 */
export async function readAccountsFile(path: string, absolutePath: string): Promise<AccountsFile> {
  const accounts: FileAccount[] = [];
  const problems: FileProblem[] = [];
  // 100,000 rows in 1,000 groups share 1,000 group strings instead of holding 100,000 copies.
  const groups = new Map<string, string>();
  let columns: Columns | null = null;
  const parser = parse({
    bom: true,
    // Whitespace around a value is not part of it (`rXXX, bob, treasury`, as database exports pad
    // columns); inside quotes it is kept.
    trim: true,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_ROW_BYTES,
  });
  const source = createReadStream(absolutePath);
  source.on('error', (error) => parser.destroy(error));
  try {
    for await (const { record, info } of source.pipe(parser) as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      // info.lines is the row's last line; a quoted cell may span lines.
      const line = info.lines - newlines(record);
      if (columns === null) {
        const header = readHeader(record);
        if (!header.ok) return { path, accounts: [], problems: [{ line, message: header.error }] };
        columns = header.value;
        continue;
      }
      const row = readRow(record, columns, line);
      if (!row.ok) {
        problems.push({ line, message: row.error });
        continue;
      }
      // Always the interned string: equal strings compare equal with ===, whichever copy they are.
      accounts.push({
        ...row.value,
        group: row.value.group === null ? null : intern(groups, row.value.group),
      });
    }
  } catch (error) {
    problems.push(readError(error));
  }
  if (columns === null && problems.length === 0) {
    problems.push({ line: 0, message: 'empty file (expected a header row address[,name][,group])' });
  }
  return { path, accounts, problems };
}

function intern(seen: Map<string, string>, text: string): string {
  const known = seen.get(text);
  if (known !== undefined) return known;
  seen.set(text, text);
  return text;
}

function newlines(record: readonly string[]): number {
  let n = 0;
  for (const field of record) for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  return n;
}

const CSV_PROBLEMS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field (quote the whole field and double inner quotes)',
  CSV_INVALID_CLOSING_QUOTE: 'characters after a closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'characters after a closing quote',
  CSV_MAX_RECORD_SIZE: `a row longer than ${MAX_ROW_BYTES} bytes`,
};

function readError(error: unknown): FileProblem {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { line: 0, message: 'cannot read accounts file: no such file' };
  if (code === 'EACCES' || code === 'EPERM')
    return { line: 0, message: 'cannot read accounts file: permission denied' };
  if (code === 'EISDIR') return { line: 0, message: 'cannot read accounts file: it is a directory' };
  const csv = error as CsvError & { lines?: unknown };
  const known = code === undefined ? undefined : CSV_PROBLEMS[code];
  const line = typeof csv.lines === 'number' ? csv.lines : 0;
  const message = error instanceof Error ? error.message : String(error);
  return { line, message: known ?? `CSV syntax error: ${message.replace(/ at line \d+.*$/, '')}` };
}
