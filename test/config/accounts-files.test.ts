import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeAccountID } from 'ripple-address-codec';
import { describe, expect, test } from 'vitest';
import { readHeader, readRow } from '../../src/config/accounts-file/rows.js';
import { type Config, loadConfigFile, parseConfig } from '../../src/config/index.js';

const FAUCET = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const GENESIS = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';
/** FAUCET with its last character changed: the checksum no longer matches. */
const BAD_CHECKSUM = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYf';

/** A distinct valid classic address per n. */
const address = (n: number): string => {
  const id = Buffer.alloc(20);
  id.writeUInt32BE(n + 1, 16);
  return encodeAccountID(id);
};

const SERVERS = 'xrpl:\n  servers: [ws://127.0.0.1:6006]\n';

/** A config folder with config.yaml and the given files; returns the config's path. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'accounts-files-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    writeFileSync(file, text);
  }
  return path.join(dir, 'config.yaml');
}

async function load(files: Record<string, string>): Promise<Config> {
  const result = await loadConfigFile(folder(files), {});
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.join('\n')}`);
  return result.config;
}

async function errors(files: Record<string, string>): Promise<string[]> {
  const result = await loadConfigFile(folder(files), {});
  if (result.ok) throw new Error('expected errors, the config is valid');
  return result.errors;
}

describe('accounts file rows', () => {
  test.each([
    [['address'], { count: 1, address: 0, name: null, group: null }],
    [['address', 'name', 'group'], { count: 3, address: 0, name: 1, group: 2 }],
    [['name', ' address ', 'group'], { count: 3, address: 1, name: 0, group: 2 }],
  ])('header %j', (fields, columns) => {
    expect(readHeader(fields)).toEqual({ ok: true, value: columns });
  });

  test.each([
    [['name'], 'the header has no address column (expected address[,name][,group])'],
    [['address', 'nmae'], 'unknown column "nmae" in the header (expected address[,name][,group])'],
    [['address', 'address'], 'column "address" appears twice in the header'],
  ])('bad header %j', (fields, error) => {
    expect(readHeader(fields)).toEqual({ ok: false, error });
  });

  const columns = { count: 3, address: 0, name: 1, group: 2 };
  test.each([
    [[FAUCET, 'hot', 'g'], { address: FAUCET, name: 'hot', group: 'g', line: 7 }],
    [[` ${FAUCET} `, '', ''], { address: FAUCET, name: null, group: null, line: 7 }],
  ])('row %j', (fields, account) => {
    expect(readRow(fields, columns, 7)).toEqual({ ok: true, value: account });
  });

  test.each([
    [[BAD_CHECKSUM, 'a', 'g'], `invalid checksum: ${BAD_CHECKSUM}`],
    [['rXXX', 'a', 'g'], 'wrong length: rXXX'],
    [
      ['bPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', '', ''],
      'a classic address starts with r: bPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
    ],
    [
      ['X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ', '', ''],
      'X-address "X7AcgcsBL6XDcUb289X4mJ8djcdyKaB5hJDWMArnXr61cqZ" is not supported: use the classic address "r9cZA1mLK5R5Am25ArfXFmqgNwjZgnfk59"',
    ],
    [['', 'a', 'g'], 'empty address'],
    [[FAUCET, 'a'], 'expected 3 fields, got 2'],
  ])('bad row %j', (fields, error) => {
    expect(readRow(fields, columns, 7)).toEqual({ ok: false, error });
  });
});

describe('accounts_files', () => {
  test('files are merged after accounts, in list order; accounts may then be omitted', async () => {
    const config = await load({
      'config.yaml': `${SERVERS}accounts:\n  - {address: ${FAUCET}, name: faucet}\naccounts_files: [a.csv, ./b.csv]\n`,
      'a.csv': `address,name,group\n${address(1)},one,g1\n${address(2)},,g2\n`,
      'b.csv': `address\n${address(3)}\n`,
    });
    expect(config.accounts).toEqual([
      { address: FAUCET, name: 'faucet', group: null, since: null },
      { address: address(1), name: 'one', group: 'g1', since: null },
      { address: address(2), name: address(2), group: 'g2', since: null },
      { address: address(3), name: address(3), group: null, since: null },
    ]);
    const only = await load({
      'config.yaml': `${SERVERS}accounts_files: [a.csv]\n`,
      'a.csv': `address\n${address(1)}\n`,
    });
    expect(only.accounts.map((a) => a.address)).toEqual([address(1)]);
  });

  test('a relative path is resolved against the config file folder, not the working directory', async () => {
    const config = folder({ 'config.yaml': `${SERVERS}accounts_files: [lists/a.csv]\n` });
    await mkdir(path.join(path.dirname(config), 'lists'));
    writeFileSync(path.join(path.dirname(config), 'lists/a.csv'), `address\n${address(5)}\n`);
    const result = await loadConfigFile(config, {});
    expect(result.ok && result.config.accounts.map((a) => a.address)).toEqual([address(5)]);
  });

  test('quoted fields, a byte order mark, CRLF line ends and blank lines are read as CSV', async () => {
    const config = await load({
      'config.yaml': `${SERVERS}accounts_files: [a.csv]\n`,
      'a.csv': `\ufeffaddress,name,group\r\n${address(1)},"Smith, J.","say ""hi"""\r\n\r\n${address(2)},"two\nlines",g\r\n`,
    });
    expect(config.accounts).toEqual([
      { address: address(1), name: 'Smith, J.', group: 'say "hi"', since: null },
      { address: address(2), name: 'two\nlines', group: 'g', since: null },
    ]);
  });

  test('spaces around values (a database export pads them) are trimmed: address, name and group', async () => {
    const config = await load({
      'config.yaml': `${SERVERS}accounts_files: [a.csv]\nmetrics: {aggregate_by: group}\n`,
      'a.csv': `address, name, group\n${address(1)}, bob, treasury\n\t${address(2)} ,  "Smith, J." , ops \n`,
    });
    expect(config.accounts).toEqual([
      { address: address(1), name: 'bob', group: 'treasury', since: null },
      { address: address(2), name: 'Smith, J.', group: 'ops', since: null },
    ]);
    // An address that is still invalid once trimmed is the file:line error, shown trimmed.
    expect(
      await errors({
        'config.yaml': `${SERVERS}accounts_files: [a.csv]\n`,
        'a.csv': `address,name\n${address(1)}, bob\n ${BAD_CHECKSUM} , eve\n`,
      }),
    ).toEqual([`a.csv:3: invalid checksum: ${BAD_CHECKSUM}`]);
  });

  test('every problem is reported at once, as file:line, among the config errors in file order', async () => {
    expect(
      await errors({
        'config.yaml': `${SERVERS}  stale_afer: 1s\naccounts:\n  - {address: ${FAUCET}, name: hot}\naccounts_files: [deposits.csv, more.csv]\nmetrics: {aggregate_by: group}\n`,
        'deposits.csv': [
          'address,name,group',
          `${address(1)},a,g`,
          `${BAD_CHECKSUM},b,g`,
          `${FAUCET},c,g`,
          `${address(2)},hot,g`,
          `${address(3)},"multi`,
          `line",`,
          `${address(4)},e`,
          '',
        ].join('\n'),
        'more.csv': `address,name,group\n${address(1)},x,g\n${address(5)},${address(1)},g\n`,
      }),
    ).toEqual([
      'xrpl.stale_afer: unknown key (did you mean stale_after?)',
      'accounts[0].group: required when metrics.aggregate_by is "group"',
      `deposits.csv:3: invalid checksum: ${BAD_CHECKSUM}`,
      'deposits.csv:4: duplicate of accounts[0]',
      'deposits.csv:5: name "hot" is already used by accounts[0]',
      'deposits.csv:6: group required when metrics.aggregate_by is "group"',
      'deposits.csv:8: expected 3 fields, got 2',
      'more.csv:2: duplicate of deposits.csv:2',
      `more.csv:3: name "${address(1)}" is the address of deposits.csv:2`,
    ]);
  });

  test('rules may name accounts from files', async () => {
    const config = await load({
      'config.yaml': `${SERVERS}accounts_files: [a.csv]\nemail: {smtp: {host: h}, from: a@example.com, to: [b@example.com]}\nrules:\n  - {name: r, kind: silence, window: 1h, accounts: [cold]}\n`,
      'a.csv': `address,name\n${address(1)},cold\n`,
    });
    expect(config.rules[0]?.accounts).toEqual([address(1)]);
  });

  test.each([
    ['missing.csv', {}, ['missing.csv: cannot read accounts file: no such file']],
    ['a.csv', { 'a.csv': '' }, ['a.csv: empty file (expected a header row address[,name][,group])']],
    ['a.csv', { 'a.csv': 'address\n' }, ['accounts_files: the files hold no accounts (only a header row)']],
    [
      'a.csv',
      { 'a.csv': `name\nx\n` },
      ['a.csv:1: the header has no address column (expected address[,name][,group])'],
    ],
    ['a.csv', { 'a.csv': `address,name\n${address(1)},"open\n` }, ['a.csv:2: a quoted field is not closed']],
    [
      'a.csv',
      { 'a.csv': `address,name\n${address(1)},ab"c"\n` },
      ['a.csv:2: a quote inside an unquoted field (quote the whole field and double inner quotes)'],
    ],
  ])('%s: %j', async (listed, files, expected) => {
    expect(await errors({ 'config.yaml': `${SERVERS}accounts_files: [${listed}]\n`, ...files })).toEqual(
      expected,
    );
  });

  test('neither accounts nor accounts_files: accounts is required; a file listed twice is an error', async () => {
    expect(await errors({ 'config.yaml': SERVERS })).toEqual(['accounts: required']);
    expect(
      await errors({
        'config.yaml': `${SERVERS}accounts_files: [a.csv, a.csv]\n`,
        'a.csv': `address\n${address(1)}\n`,
      }),
    ).toEqual(['accounts_files[1]: duplicate of accounts_files[0]']);
  });

  test('a file of bad rows shows its first 20 errors and how many more there are', async () => {
    const rows = Array.from({ length: 50 }, () => 'rXXX');
    const found = await errors({
      'config.yaml': `${SERVERS}accounts:\n  - address: nope\naccounts_files: [a.csv]\nrules: 1\n`,
      'a.csv': `address\n${rows.join('\n')}\n`,
    });
    expect(found).toHaveLength(1 + 20 + 1 + 1);
    expect(found[0]).toMatch(/^accounts\[0\]\.address: invalid XRP Ledger address "nope"/);
    expect(found[1]).toBe('a.csv:2: wrong length: rXXX');
    expect(found[20]).toBe('a.csv:21: wrong length: rXXX');
    expect(found[21]).toBe('a.csv: 30 more errors not shown');
    expect(found[22]).toBe('rules: expected a list, got a number');
  });

  test('parseConfig takes files already read; a listed file it was not given is an error', () => {
    const yaml = `${SERVERS}accounts_files: [a.csv]\n`;
    const file = {
      path: 'a.csv',
      accounts: [{ address: FAUCET, name: null, group: null, line: 2 }],
      problems: [],
    };
    const result = parseConfig(yaml, {}, [file]);
    expect(result.ok && result.config.accounts).toEqual([
      { address: FAUCET, name: FAUCET, group: null, since: null },
    ]);
    expect(parseConfig(yaml, {})).toEqual({
      ok: false,
      errors: ['accounts_files[0]: "a.csv" was not read (only a config file\'s accounts files are)'],
    });
  });

  test('unknown key near accounts_files gets a hint', () => {
    expect(parseConfig(`${SERVERS}accounts: [{address: ${GENESIS}}]\naccount_files: [a.csv]\n`, {})).toEqual({
      ok: false,
      errors: ['account_files: unknown key (did you mean accounts_files?)'],
    });
  });
});
