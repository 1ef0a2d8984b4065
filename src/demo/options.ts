import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LISTEN_ADDRESS } from '../cli.js';
import { parseDuration } from '../config/duration.js';
import { type FlagSpec, malformedFlag } from '../flag-check.js';
import type { LogFormat, LogLevel } from '../log.js';

export interface DemoOptions {
  readonly listenAddress: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Time between two simulated ledgers. */
  readonly intervalMs: number;
  /** Where real transactions are read from; null = synthesise them. */
  readonly fixturesDir: string | null;
  /** Why fixturesDir is what it is, for the start-up log line. */
  readonly fixturesFrom: 'flag' | 'env' | 'default' | 'none';
  /** A user's config file to run the demo with (its xrpl.servers replaced); null = the generated one. */
  readonly configFile: string | null;
}

export type DemoCommandLine =
  | { readonly kind: 'run'; readonly options: DemoOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export const DEMO_USAGE = `Usage: node dist/demo.js [flags]   (npm run demo)

Runs a simulated XRP Ledger (a local rippled-like WebSocket server) and the exporter against it in one
process. Every --interval a ledger closes with a few transactions to three demo accounts, so the metrics,
the status page and (with SMTP_HOST or ALERTMANAGER_URL set) the alerts move without network access.

Flags:
  --web.listen-address=HOST:PORT  default ${DEFAULT_LISTEN_ADDRESS}
  --config.file=PATH              run with this config instead of the generated one: its accounts get
                                  the demo transactions, its xrpl.servers become the simulated ledger,
                                  its state.path is ignored
  --log.level=debug|info|warn|error   default info
  --log.format=logfmt|json        default logfmt
  --interval=DURATION             time between ledgers, at least 1s, default 3s (e.g. 1500ms, 10s)
  --fixtures=DIR                  real transaction JSON files to replay (env XRPL_DEMO_FIXTURES;
                                  default <package>/../shared/fixtures/xrpl when it exists);
                                  with none, synthetic transactions are used
  -h, --help                      this text
Environment:
  SMTP_HOST, SMTP_PORT            when SMTP_HOST is set, demo alert rules email through it (port default 1025)
  ALERTMANAGER_URL                when set, demo alert rules also post to this Alertmanager
`;

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
const LOG_FORMATS: readonly string[] = ['logfmt', 'json'];
/**
 * The real network closes at most one ledger per second (each closes at least 1 s after its parent:
 * rippled `Consensus::effCloseTime`), and the exporter refuses a history that runs ahead of the clock
 * faster than that (src/pipeline/ledger-trust.ts): a faster demo would soon be refused as a liar.
 */
const MIN_INTERVAL_MS = 1000;

/**
 * Parses the demo's argv and environment. Pure apart from checking whether the default fixtures
 * directory exists. `packageRoot` is the folder holding package.json (dist/..).
 */
export function parseDemoArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  packageRoot: string,
): DemoCommandLine {
  const problem = malformedFlag(argv, DEMO_FLAGS);
  if (problem !== null) return { kind: 'error', message: problem };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) return { kind: 'error', message: `unexpected argument "${positionals[0]}"` };
  if (values.help) return { kind: 'help' };
  const logLevel = values['log.level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    return {
      kind: 'error',
      message: `--log.level: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    };
  }
  const logFormat = values['log.format'] ?? 'logfmt';
  if (!LOG_FORMATS.includes(logFormat)) {
    return {
      kind: 'error',
      message: `--log.format: must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`,
    };
  }
  const intervalText = values.interval ?? '3s';
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === null || intervalMs < MIN_INTERVAL_MS) {
    return {
      kind: 'error',
      message: `--interval: expected a duration of at least 1s such as 3s or 1500ms, got "${intervalText}"`,
    };
  }
  const fixtures = chooseFixtures(values.fixtures, env.XRPL_DEMO_FIXTURES, packageRoot);
  return {
    kind: 'run',
    options: {
      listenAddress: values['web.listen-address'] ?? DEFAULT_LISTEN_ADDRESS,
      logLevel: logLevel as LogLevel,
      logFormat: logFormat as LogFormat,
      intervalMs,
      ...fixtures,
      configFile: values['config.file'] ?? null,
    },
  };
}

function chooseFixtures(
  flag: string | undefined,
  env: string | undefined,
  packageRoot: string,
): Pick<DemoOptions, 'fixturesDir' | 'fixturesFrom'> {
  if (flag !== undefined && flag !== '') return { fixturesDir: path.resolve(flag), fixturesFrom: 'flag' };
  if (env !== undefined && env !== '') return { fixturesDir: path.resolve(env), fixturesFrom: 'env' };
  // The repository's sibling folder of real fixtures; absent in the Docker image.
  const sibling = path.resolve(packageRoot, '../shared/fixtures/xrpl');
  return existsSync(sibling)
    ? { fixturesDir: sibling, fixturesFrom: 'default' }
    : { fixturesDir: null, fixturesFrom: 'none' };
}

const DEMO_FLAGS = {
  'web.listen-address': { type: 'string' },
  'config.file': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  interval: { type: 'string' },
  fixtures: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, FlagSpec>;

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: DEMO_FLAGS });
}
