import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isValidClassicAddress } from 'ripple-address-codec';
import { analyzeTransaction, explainJson } from '../accounting/index.js';
import type { WatchSet } from '../accounting/types.js';
import type { Flags } from '../cli.js';
import { type AccountConfig, formatConfigErrors, loadConfigFile } from '../config/index.js';
import type { CommandIO } from './io.js';

/**
 * `explain FILE|-`: classify one transaction in any envelope and print the spec's JSON. Accounts:
 * --all-accounts, else the --account list, else the config's accounts, else (no config file) all.
 * Standard output is the JSON and nothing else, and only on success: a script can pipe it.
 */
export async function explainCommand(file: string, flags: Flags, io: CommandIO): Promise<number> {
  const chosen = await chooseAccounts(flags, io);
  if ('error' in chosen) {
    io.stderr(`${chosen.error}\n`);
    return 1;
  }
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
  } catch (err) {
    io.stderr(`explain: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    io.stderr(`explain: ${file === '-' ? 'standard input' : file} is not JSON: ${(err as Error).message}\n`);
    return 1;
  }
  const analysis = analyzeTransaction(input, chosen.watch);
  if (!analysis.valid) {
    io.stderr(`explain: not a transaction the exporter can count: ${analysis.invalidReason}\n`);
    return 1;
  }
  io.stdout(`${JSON.stringify(explainJson(analysis), null, 2)}\n`);
  if (chosen.fromConfig !== null)
    io.stderr(`${configAccountsNote(chosen.fromConfig, analysis.accounts.length)}\n`);
  return 0;
}

interface Chosen {
  readonly watch: WatchSet;
  /** Set when the accounts are the config file's, which the user did not ask for on the command line. */
  readonly fromConfig: { readonly file: string; readonly accounts: readonly AccountConfig[] } | null;
}

async function chooseAccounts(flags: Flags, io: CommandIO): Promise<Chosen | { error: string }> {
  if (flags.allAccounts) return { watch: 'all', fromConfig: null };
  if (flags.accounts.length > 0) {
    const bad = flags.accounts.find((a) => !isValidClassicAddress(a));
    if (bad !== undefined) return { error: `explain: --account: invalid XRP Ledger address "${bad}"` };
    return { watch: new Set(flags.accounts), fromConfig: null };
  }
  if (!flags.configFileGiven && !existsSync(flags.configFile)) return { watch: 'all', fromConfig: null };
  const loaded = await loadConfigFile(flags.configFile, io.env);
  if (!loaded.ok) return { error: formatConfigErrors(loaded.errors) };
  const { accounts } = loaded.config;
  return {
    watch: new Set(accounts.map((a) => a.address)),
    fromConfig: { file: flags.configFile, accounts },
  };
}

/** Names this many accounts of the config at most; the count says how many there are. */
const NAMED_ACCOUNTS = 5;

/**
 * Says that only the config's accounts are shown, which, and how to see the rest: without it an empty
 * `"accounts": []` reads as "the transaction touches no account".
 */
export function configAccountsNote(
  from: { readonly file: string; readonly accounts: readonly AccountConfig[] },
  shown: number,
): string {
  const { file, accounts } = from;
  const named = accounts
    .slice(0, NAMED_ACCOUNTS)
    .map((a) => (a.name === a.address ? a.address : `${a.name} ${a.address}`));
  if (accounts.length > NAMED_ACCOUNTS) named.push(`and ${accounts.length - NAMED_ACCOUNTS} more`);
  const count = accounts.length === 1 ? '1 account' : `${accounts.length} accounts`;
  const touched = shown === 0 ? 'none of them' : `${shown} of them`;
  return (
    `explain: showing only the accounts in ${file} (${count}: ${named.join(', ')}); ` +
    `the transaction touches ${touched}. --all-accounts shows every account it touches.`
  );
}
