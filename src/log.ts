/** A small structured logger: logfmt or JSON lines on stderr, one level threshold. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const severity: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  write?: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = severity[options.level ?? 'info'];
  const format = options.format ?? 'logfmt';
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (severity[level] < threshold) return;
      const record: LogFields = { ts: now().toISOString(), level, msg, ...fields };
      write(format === 'json' ? JSON.stringify(record, jsonSafe) : toLogfmt(record));
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything: for tests and pure callers that need one. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  return value;
}

function toLogfmt(record: LogFields): string {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${logfmtValue(v)}`)
    .join(' ');
}

function logfmtValue(value: unknown): string {
  const text =
    value instanceof Error
      ? value.message
      : typeof value === 'string'
        ? value
        : (JSON.stringify(value, jsonSafe) ?? String(value));
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * A logger that passes every message and string field (and error message) through `redact` first,
 * e.g. to mask a password or an API key that a server URL carries, wherever a module puts that URL.
 */
export function redactingLogger(logger: Logger, redact: (text: string) => string): Logger {
  const clean = (fields: LogFields = {}): LogFields =>
    Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [
        k,
        typeof v === 'string' ? redact(v) : v instanceof Error ? redact(v.message) : v,
      ]),
    );
  return {
    debug: (msg, fields) => logger.debug(redact(msg), clean(fields)),
    info: (msg, fields) => logger.info(redact(msg), clean(fields)),
    warn: (msg, fields) => logger.warn(redact(msg), clean(fields)),
    error: (msg, fields) => logger.error(redact(msg), clean(fields)),
  };
}
