// Process plumbing shared by the two entry points (main.ts, demo.ts); with them, the only code that
// touches the process.

/** Sets the exit code, lets stdout/stderr drain, then leaves even if a stray handle would keep Node alive. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 50).unref();
}

/**
 * Runs an entry point: `main` resolves with an exit code, or null for a long-running service that
 * exits on a signal (see stopOnSignals). A bug must not take the service down silently: an unhandled
 * rejection is logged and the process keeps running (only start-up failures end it).
 */
export function runEntry(name: string, main: () => Promise<number | null>): void {
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`level=error msg="unhandled rejection" err=${JSON.stringify(String(reason))}\n`);
  });
  main().then(
    (code) => {
      if (code !== null) exitWhenFlushed(code);
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      exitWhenFlushed(1);
    },
  );
}

/** On SIGTERM or SIGINT: stop once, then exit 0 (1 if stopping failed). */
export function stopOnSignals(
  stop: () => Promise<void>,
  logger: { info(msg: string, fields?: object): void; error(msg: string, fields?: object): void },
): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    stop().then(
      () => exitWhenFlushed(0),
      (err: unknown) => {
        logger.error('shutdown failed', { err });
        exitWhenFlushed(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
