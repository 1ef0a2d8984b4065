import type { Flags } from '../cli.js';
import { type ConfigOptions, formatConfigErrors, loadConfigFile } from '../config/index.js';
import type { Config } from '../config/types.js';
import type { CommandIO } from './io.js';

/** The config named by --config.file; null once its errors are on standard error (the command exits 1). */
export async function configOrExit(
  flags: Flags,
  io: CommandIO,
  options: ConfigOptions = {},
): Promise<Config | null> {
  const loaded = await loadConfigFile(flags.configFile, io.env, options);
  if (loaded.ok) return loaded.config;
  io.stderr(`${formatConfigErrors(loaded.errors)}\n`);
  return null;
}
