import type { Logger } from '../log.js';
import type { StoreObserver } from './store.js';

/**
 * Turns the state store's write outcomes into metrics, log lines and the status page warning. A
 * failure is logged when it starts or changes (a blocked path fails on every ledger) and again once it
 * has been fixed, so the log tells when state stopped and resumed being saved.
 */
export class StateWriteHealth implements StoreObserver {
  private problem: { message: string; failures: number } | null = null;

  constructor(
    private readonly path: string,
    private readonly report: (ok: boolean, nowSeconds: number) => void,
    private readonly logger: Logger,
    /** Unix ms. */
    private readonly now: () => number,
  ) {}

  written(): void {
    this.report(true, this.now() / 1000);
    if (this.problem === null) return;
    this.logger.info('state file written again', { path: this.path, failed_writes: this.problem.failures });
    this.problem = null;
  }

  failed(error: Error): void {
    this.report(false, this.now() / 1000);
    const problem = this.problem;
    if (problem !== null) {
      // Counted since the last successful write, whatever the reason; the warning shows the latest.
      problem.failures++;
      if (problem.message === error.message) return;
      problem.message = error.message;
    } else {
      this.problem = { message: error.message, failures: 1 };
    }
    this.logger.error('state file not written; it is tried again at the next save', {
      path: this.path,
      err: error,
    });
  }

  /** For the status page: why the state is not being saved, or null while it is. */
  warning(): string | null {
    const p = this.problem;
    return p === null ? null : `State file not saved (${p.failures} failed writes): ${p.message}`;
  }
}
