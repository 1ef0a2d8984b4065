import type { Flags } from '../cli.js';
import { renderCheckConfigSummary } from '../config/index.js';
import { configOrExit } from './config.js';
import type { CommandIO } from './io.js';

/** `check-config` / `--config.check`: exit 0 with a redacted summary, or 1 with every error. */
export async function checkConfigCommand(flags: Flags, io: CommandIO): Promise<number> {
  const config = await configOrExit(flags, io);
  if (!config) return 1;
  io.stdout(`${flags.configFile}: configuration is valid\n${renderCheckConfigSummary(config)}\n`);
  return 0;
}
