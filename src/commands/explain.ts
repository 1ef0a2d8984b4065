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
  const chosen = await chooseAccounts(flags, io);
  if ('error' in chosen) {
    io.stderr(`${chosen.error}\n`);
    return 1;
  }
  const { watch } = chosen;
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
  const analysis = analyzeTransaction(input, watch);
  io.stdout(`${JSON.stringify(explainJson(analysis), null, 2)}\n`);
  if (!analysis.valid) {
    // The JSON shape has no place for it, so the reason goes to stderr and the exit code says so.
    io.stderr(`explain: not a transaction the exporter can count: ${analysis.invalidReason}\n`);
    return 1;
  }
  return 0;
}

async function chooseAccounts(flags: Flags, io: CommandIO): Promise<{ watch: WatchSet } | { error: string }> {
  if (flags.allAccounts) return { watch: 'all' };
  if (flags.accounts.length > 0) {
    const bad = flags.accounts.find((a) => !isValidClassicAddress(a));
    if (bad !== undefined) return { error: `explain: --account: invalid XRP Ledger address "${bad}"` };
    return { watch: new Set(flags.accounts) };
  }
  if (!flags.configFileGiven && !existsSync(flags.configFile)) return { watch: 'all' };
  const loaded = await loadConfigFile(flags.configFile, io.env);
  if (!loaded.ok)
    return { error: `explain: invalid config ${flags.configFile}:\n${formatConfigErrors(loaded.errors)}` };
  return { watch: new Set(loaded.config.accounts.map((a) => a.address)) };
}
