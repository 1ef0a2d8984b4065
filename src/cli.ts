import { parseArgs } from 'node:util';
import { isValidClassicAddress } from 'ripple-address-codec';
import { type FlagSpec, flagSpec, flagTokens, malformedFlag } from './flag-check.js';
import { type HistoryPoint, parseHistoryPoint } from './history/since.js';
import type { LogFormat, LogLevel } from './log.js';

export const COMMANDS = [
  'run',
  'check-config',
  'explain',
  'report',
  'send-test-email',
  'prometheus-rules',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface Flags {
  readonly configFile: string;
  readonly listenAddress: string;
  readonly telemetryPath: string;
  readonly webConfigFile: string | null;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** explain and report: accounts to report on; empty = the config's accounts. */
  readonly accounts: readonly string[];
  readonly allAccounts: boolean;
  /** Explicitly given, as opposed to the default ./config.yaml. */
  readonly configFileGiven: boolean;
  /** `--shard=i/n`: watch only the accounts whose stable hash falls in shard i of n. */
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** report only: the period and the output format. */
  readonly report: ReportFlags | null;
}

export interface ReportFlags {
  readonly since: HistoryPoint;
  /** Null: up to the newest validated ledger. */
  readonly until: HistoryPoint | null;
  readonly format: 'csv' | 'json';
}

export type CommandLine =
  | {
      readonly kind: 'command';
      readonly command: CommandName;
      readonly flags: Flags;
      readonly args: readonly string[];
    }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'error'; readonly message: string };

export const DEFAULT_LISTEN_ADDRESS = ':29770';

export const USAGE = `Usage:
  xrpl-payments-exporter [run] [flags]            run the exporter (default command)
  xrpl-payments-exporter check-config [flags]     validate the config, print a redacted summary
  xrpl-payments-exporter explain [flags] FILE|-   classify one transaction and print JSON
  xrpl-payments-exporter report [flags] --since=DATE|LEDGER [--until=DATE|LEDGER] [--format=csv|json]
                                                  print every receipt of the period, oldest first
  xrpl-payments-exporter send-test-email [flags]  send one test email through the configured SMTP server
  xrpl-payments-exporter prometheus-rules [flags] print Prometheus alerting rules for the configured rules

Flags:
  --config.file=PATH              default ./config.yaml (env XRPL_EXPORTER_CONFIG)
  --config.check                  same as check-config
  --web.listen-address=HOST:PORT  default ${DEFAULT_LISTEN_ADDRESS}
  --web.telemetry-path=PATH       default /metrics
  --web.config.file=PATH          TLS and basic auth (Prometheus exporter-toolkit format, subset)
  --log.level=debug|info|warn|error   default info
  --log.format=logfmt|json        default logfmt
  --shard=I/N                     watch only shard I (0-based) of N (stable hash of the address)
  --version                       print the version and exit
  -h, --help                      this text
explain only:
  --account ADDRESS               report on this account (repeatable)
  --all-accounts                  report on every account the transaction touches
                                  (default: the config's accounts; without a config file: all)
report only:
  --since=DATE|LEDGER             first ledger: an index, or the first ledger closing at or after
                                  an ISO 8601 date-time (2026-01-01 or 2026-01-01T00:00:00Z)
  --until=DATE|LEDGER             last ledger: an index (included), or the last ledger closing
                                  before the date-time (default: the newest validated ledger)
  --format=csv|json               default csv
  --account=ADDRESS               report on this account (repeatable; default: the config's accounts)
`;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];

/**
 * Every flag, and the commands it applies to (`commands` absent: every command). parseArgs reads argv
 * with this table; malformedFlag and misplacedFlag turn an unknown flag, a missing value or a flag given
 * to the wrong command into one clear message, so a new command only adds its flags here.
 */
const FLAGS = {
  'config.file': { type: 'string' },
  'config.check': { type: 'boolean' },
  'web.listen-address': { type: 'string' },
  'web.telemetry-path': { type: 'string' },
  'web.config.file': { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  shard: { type: 'string' },
  account: { type: 'string', multiple: true, commands: ['explain', 'report'] },
  'all-accounts': { type: 'boolean', commands: ['explain'] },
  since: { type: 'string', commands: ['report'] },
  until: { type: 'string', commands: ['report'] },
  format: { type: 'string', commands: ['report'] },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Record<string, CommandFlag>;

interface CommandFlag extends FlagSpec {
  readonly commands?: readonly CommandName[];
}

/** Parses argv (without node and the script) and the environment into a command. Pure. */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CommandLine {
  const problem = malformedFlag(argv, FLAGS);
  if (problem !== null) return { kind: 'error', message: problem };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  let command: CommandName = 'run';
  let args = positionals;
  const first = positionals[0];
  if (first !== undefined && (COMMANDS as readonly string[]).includes(first)) {
    command = first as CommandName;
    args = positionals.slice(1);
  } else if (first !== undefined) {
    return { kind: 'error', message: `unknown command "${first}" (commands: ${COMMANDS.join(', ')})` };
  }
  if (values['config.check']) command = 'check-config';
  const misplaced = misplacedFlag(argv, command);
  if (misplaced !== null) return { kind: 'error', message: misplaced };
  const report = command === 'report' ? parseReportFlags(values) : null;
  if (report !== null && 'error' in report) return { kind: 'error', message: report.error };

  const logLevel = values['log.level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    return {
      kind: 'error',
      message: `--log.level: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    };
  }
  const logFormat = values['log.format'] ?? 'logfmt';
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) {
    return {
      kind: 'error',
      message: `--log.format: must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`,
    };
  }
  const telemetryPath = values['web.telemetry-path'] ?? '/metrics';
  if (!telemetryPath.startsWith('/') || telemetryPath === '/') {
    return {
      kind: 'error',
      message: `--web.telemetry-path: must start with / and not be /, got "${telemetryPath}"`,
    };
  }
  let shard: Flags['shard'] = null;
  if (values.shard !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(values.shard);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || count < 1 || index >= count) {
      return { kind: 'error', message: `--shard: expected I/N with 0 <= I < N, got "${values.shard}"` };
    }
    shard = { index, count };
  }
  if (command === 'explain' && args.length !== 1) {
    return {
      kind: 'error',
      message: 'explain: expected exactly one FILE argument (or - for standard input)',
    };
  }
  if (command !== 'explain' && args.length > 0) {
    return { kind: 'error', message: `${command}: unexpected argument "${args[0]}"` };
  }

  const configFlag = values['config.file'] ?? env.XRPL_EXPORTER_CONFIG;
  const flags: Flags = {
    configFile: configFlag ?? './config.yaml',
    configFileGiven: configFlag !== undefined,
    listenAddress: values['web.listen-address'] ?? DEFAULT_LISTEN_ADDRESS,
    telemetryPath,
    webConfigFile: values['web.config.file'] ?? null,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    accounts: values.account ?? [],
    allAccounts: values['all-accounts'] ?? false,
    shard,
    report,
  };
  return { kind: 'command', command, flags, args };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: FLAGS });
}

/** The first flag given to a command it does not apply to, as a message; null when there is none. */
function misplacedFlag(argv: readonly string[], command: CommandName): string | null {
  for (const token of flagTokens(argv, FLAGS)) {
    const allowed = flagSpec<CommandFlag>(FLAGS, token.name)?.commands;
    if (allowed !== undefined && !allowed.includes(command)) {
      return `${token.rawName} only applies to ${allowed.join(' and ')}`;
    }
  }
  return null;
}

/** `report`'s flags: --since required, --until optional, --format csv or json, --account addresses. */
function parseReportFlags(values: ReturnType<typeof parse>['values']): ReportFlags | { error: string } {
  const bad = values.account?.find((a) => !isValidClassicAddress(a));
  if (bad !== undefined) return { error: `--account: invalid XRP Ledger address "${bad}"` };
  if (values.since === undefined) return { error: 'report: --since=DATE|LEDGER is required' };
  const since = parseHistoryPoint(values.since);
  if (!since.ok) return { error: `--since: ${since.error}` };
  const until = values.until === undefined ? null : parseHistoryPoint(values.until);
  if (until !== null && !until.ok) return { error: `--until: ${until.error}` };
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json')
    return { error: `--format: must be csv or json, got "${format}"` };
  if (until !== null && until.point.kind === since.point.kind) {
    const ahead = pointValue(until.point) - pointValue(since.point);
    if (ahead < 0) return { error: `--until (${values.until}) is before --since (${values.since})` };
    // A time period is [since, until): with equal times it is empty (a ledger --until is included).
    if (ahead === 0 && until.point.kind === 'time') {
      return {
        error: `--until (${values.until}) is not after --since (${values.since}): the period is empty`,
      };
    }
  }
  return { since: since.point, until: until?.point ?? null, format };
}

function pointValue(point: HistoryPoint): number {
  return point.kind === 'ledger' ? point.index : point.unixSeconds;
}
