import type { Logger } from '../log.js';

/** Distinct reasons logged before the rest are only counted. */
const MAX_LOGGED_REASONS = 100;

/**
 * Invalid messages from a server (malformed, hostile or out of order): every one is counted, each
 * distinct reason is logged once, and only the first ones, so a hostile server cannot flood the log.
 */
export class InvalidMessages {
  private readonly logged = new Set<string>();

  constructor(
    private readonly count: () => void,
    private readonly logger: Logger,
    private readonly maxLoggedReasons = MAX_LOGGED_REASONS,
  ) {}

  report(reason: string): void {
    this.count();
    if (this.logged.has(reason) || this.logged.size >= this.maxLoggedReasons) return;
    this.logged.add(reason);
    this.logger.warn('invalid message from the server', { reason });
  }
}
