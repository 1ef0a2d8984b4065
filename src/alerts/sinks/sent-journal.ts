/*
 * An append-only file of the digests of sent alert emails. The state file is written in the
 * background (coalesced, fsynced, renamed), so a crash can come after the SMTP server accepted an email
 * but before the state file recorded it; a restart would then send it again. This journal narrows that
 * window to one synchronous append of 33 bytes right after the server's 250 reply. Appends are not
 * fsynced: they survive a killed process (the data is in the kernel's page cache), not a power cut.
 * The file is rewritten with the remembered digests when it grows past twice their number.
 */

import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../../log.js';

const DIGEST = /^[0-9a-f]{32}$/;

export class SentJournal {
  private lines = 0;

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** The digests recorded so far; a missing file is empty, unreadable lines are skipped. */
  load(): string[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn('alert sent-journal unreadable; relying on the state file', {
          path: this.path,
          error,
        });
      }
      return [];
    }
    const digests = text.split('\n').filter((line) => DIGEST.test(line));
    this.lines = digests.length;
    return digests;
  }

  /** Records one sent digest; `all` (the remembered digests) is used to compact the file when it grew large. */
  append(digest: string, all: () => Iterable<string>, limit: number): void {
    try {
      if (this.lines >= 2 * limit) {
        const kept = [...all()];
        const temp = `${this.path}.tmp`;
        writeFileSync(temp, kept.length === 0 ? '' : `${kept.join('\n')}\n`);
        renameSync(temp, this.path);
        this.lines = kept.length;
        if (kept.includes(digest)) return;
      }
      appendFileSync(this.path, `${digest}\n`);
      this.lines += 1;
    } catch (error) {
      this.logger.error('alert sent-journal not written; the state file still records sent emails', {
        path: this.path,
        error,
      });
    }
  }
}
