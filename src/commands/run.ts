import type { Flags } from '../cli.js';
import { loadConfigFile, secretRedactor } from '../config/index.js';
import { Exporter } from '../exporter/index.js';
import { favourMemoryForLargeDeployments } from '../heap.js';
import { createLogger, type Logger, redactingLogger } from '../log.js';
import { loadWebConfig } from '../server/index.js';
import type { BuildInfo } from '../version.js';
import { configOrExit } from './config.js';
import type { CommandIO } from './io.js';

export interface ProcessHooks {
  /** Registers a handler for SIGHUP. */
  onSignal(signal: 'SIGHUP', handler: () => void): void;
  /** Stops with `stop` on SIGTERM/SIGINT, then exits. */
  stopOnSignals(stop: () => Promise<void>, logger: Logger): void;
}

/**
 * `run`: only an invalid configuration (or web configuration) at start-up ends the process; anything
 * that goes wrong later is a metric and a log line.
 */
export async function runCommand(
  flags: Flags,
  io: CommandIO,
  build: BuildInfo,
  hooks: ProcessHooks,
): Promise<number | null> {
  const config = await configOrExit(flags, io);
  if (!config) return 1;
  // A password or query value in a server or Alertmanager URL is a secret: whatever module logs the URL, the log shows it masked.
  const logger = redactingLogger(
    createLogger({ level: flags.logLevel, format: flags.logFormat, write: (line) => io.stderr(`${line}\n`) }),
    secretRedactor(config),
  );
  let webConfig = null;
  if (flags.webConfigFile !== null) {
    const web = loadWebConfig(flags.webConfigFile);
    if (!web.ok) {
      // The web config's errors name paths inside that file, so the file heads them (not in the spec).
      const lines = web.errors.map((error) => `  ${error}`).join('\n');
      io.stderr(`${flags.webConfigFile}: invalid web configuration\n${lines}\n`);
      return 1;
    }
    webConfig = web.config;
  }
  logger.info('starting xrpl-payments-exporter', {
    version: build.version,
    revision: build.revision,
    config: flags.configFile,
    accounts: config.accounts.length,
    servers: config.xrpl.servers.join(','), // masked by the logger
    optimize_for_size: favourMemoryForLargeDeployments(config.accounts.length),
  });
  let exporter: Exporter;
  try {
    exporter = await Exporter.start({
      config,
      flags,
      webConfig,
      logger,
      build,
      loadConfig: () => loadConfigFile(flags.configFile, io.env),
      now: () => Date.now(),
    });
  } catch (err) {
    // Listening failed (address in use, bad address, unreadable TLS files): nothing can run.
    logger.error('cannot start', { err });
    return 1;
  }
  hooks.stopOnSignals(() => exporter.stop(), logger);
  hooks.onSignal('SIGHUP', () => {
    logger.info('reloading configuration', { signal: 'SIGHUP' });
    void exporter.reload();
  });
  return null;
}
