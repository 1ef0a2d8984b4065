import { describe, expect, test } from 'vitest';
import { configAccountsNote } from '../../src/commands/explain.js';
import { generatedAddresses } from '../rippled/addresses.js';

describe('the note explain writes when the config file chose the accounts', () => {
  const [a, b, ...rest] = generatedAddresses(7, 'note');

  test('an unnamed account is shown by its address, a named one by both', () => {
    const accounts = [
      { address: a!, name: a!, group: null, since: null },
      { address: b!, name: 'hot', group: null, since: null },
    ];
    expect(configAccountsNote({ file: 'config.yaml', accounts }, 2)).toBe(
      `explain: showing only the accounts in config.yaml (2 accounts: ${a}, hot ${b}); ` +
        'the transaction touches 2 of them. --all-accounts shows every account it touches.',
    );
  });

  test('a long list names the first five and counts the rest', () => {
    const accounts = [a!, b!, ...rest].map((address, i) => ({
      address,
      name: `n${i}`,
      group: null,
      since: null,
    }));
    const note = configAccountsNote({ file: '/etc/x.yaml', accounts }, 0);
    expect(note).toContain(`(7 accounts: n0 ${a}, n1 ${b}, `);
    expect(note).toContain(`n4 ${rest[2]}, and 2 more); the transaction touches none of them.`);
    expect(note).not.toContain('n5');
  });
});
