import { describe, expect, test } from 'vitest';
import { mappingKeysAt } from '../../src/config/schema.js';
import { closestKey } from '../../src/config/suggest.js';

describe('closestKey', () => {
  const xrpl = ['servers', 'api_version', 'stale_after', 'request_timeout', 'explorer_url'];
  test.each([
    ['stale_afer', xrpl, 'stale_after'], // a letter left out
    ['stael_after', xrpl, 'stale_after'], // two neighbours swapped: one edit
    ['stale-after', xrpl, 'stale_after'], // - for _ is free
    ['Servers', xrpl, 'servers'], // so is case
    ['server', xrpl, 'servers'],
    ['explorer', xrpl, null], // four letters short: too far
    ['colour', xrpl, null],
    ['nmae', ['name', 'group'], 'name'],
    ['nam', ['name', 'group'], 'name'],
    ['nm', ['name', 'group'], null], // short keys: one edit at most
    ['ab', ['a', 'b'], null], // two keys equally close: no guess
    ['x', [], null],
  ])('%s among %j -> %s', (unknown, known, expected) => {
    expect(closestKey(unknown, known)).toBe(expected);
  });
});

describe('mappingKeysAt reads the keys from the schema', () => {
  test.each([
    [[], ['xrpl', 'accounts', 'state', 'metrics', 'email', 'rules']],
    [['xrpl'], ['stale_after', 'servers']],
    [
      ['accounts', 3],
      ['address', 'name'],
    ],
    [
      ['email', 'smtp'],
      ['host', 'password'],
    ],
    [
      ['rules', 0],
      ['threshold', 'cooldown'],
    ],
  ])('%j', (path, some) => {
    expect(mappingKeysAt(path)).toEqual(expect.arrayContaining(some));
  });

  test.each([[['xrpl', 'servers']], [['rules', 'x']], [['nope']], [['xrpl', 'stale_after']]])(
    '%j is no mapping',
    (path) => {
      expect(mappingKeysAt(path)).toBeNull();
    },
  );
});
