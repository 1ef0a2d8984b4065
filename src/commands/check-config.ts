import type { Flags } from '../cli.js';
import { formatConfigErrors, loadConfigFile, renderCheckConfigSummary } from '../config/index.js';
import type { CommandIO } from './io.js';

/** `check-config` / `--config.check`: exit 0 with a redacted summary, or 1 with every error. */
export async function checkConfigCommand(flags: Flags, io: CommandIO): Promise<number> {
  const loaded = await loadConfigFile(flags.configFile, io.env);
  if (!loaded.ok) {
    io.stderr(`${formatConfigErrors(loaded.errors)}\n`);
    return 1;
  }
  io.stdout(`${flags.configFile}: configuration is valid\n${renderCheckConfigSummary(loaded.config)}\n`);
  return 0;
}
