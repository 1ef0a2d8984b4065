import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isValidClassicAddress } from 'ripple-address-codec';
import { analyzeTransaction, explainJson } from '../accounting/index.js';
import type { WatchSet } from '../accounting/types.js';
import type { Flags } from '../cli.js';
import { formatConfigErrors, loadConfigFile } from '../config/index.js';
import type { CommandIO } from './io.js';

/**
 * `explain FILE|-`: classify one transaction in any envelope and print the spec's JSON. Accounts:
 * --all-accounts, else the --account list, else the config's accounts, else (no config file) all.
 */
export async function explainCommand(file: string, flags: Flags, io: CommandIO): Promise<number> {
  const watch = await chooseAccounts(flags, io);
  if (typeof watch === 'string') {
    io.stderr(`${watch}\n`);
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
  io.stdout(`${JSON.stringify(explainJson(analyzeTransaction(input, watch)), null, 2)}\n`);
  return 0;
}

async function chooseAccounts(flags: Flags, io: CommandIO): Promise<WatchSet | string> {
  if (flags.allAccounts) return 'all';
  if (flags.accounts.length > 0) {
    const bad = flags.accounts.find((a) => !isValidClassicAddress(a));
    if (bad !== undefined) return `explain: --account: invalid XRP Ledger address "${bad}"`;
    return new Set(flags.accounts);
  }
  if (!flags.configFileGiven && !existsSync(flags.configFile)) return 'all';
  const loaded = await loadConfigFile(flags.configFile, io.env);
  if (!loaded.ok) return `explain: invalid config ${flags.configFile}:\n${formatConfigErrors(loaded.errors)}`;
  return new Set(loaded.config.accounts.map((a) => a.address));
}
