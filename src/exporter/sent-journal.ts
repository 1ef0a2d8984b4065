import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';

/**
 * An append-only record of the alert emails the SMTP server accepted, written synchronously (write +
 * fsync) the moment it answers, next to the state file. The state file is written at ledger pace; if
 * the process died between an accepted email and the next state write, a restart would otherwise send
 * that email again. What remains is the instant between the server's "250 OK" and this fsync.
 */
export class SentJournal {
  private fd: number;
  private lines: number;

  /** Keeps at most `keep` entries after a compaction; compacts when it holds twice that. */
  constructor(
    private readonly path: string,
    private readonly keep = 50_000,
  ) {
    this.lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
    this.fd = openSync(path, 'a');
  }

  /** Every recorded key digest, oldest first. A torn last line (a crash mid-write) is ignored. */
  load(): string[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((line) => /^[0-9a-f]{64}$/.test(line));
  }

  record(digest: string): void {
    writeSync(this.fd, `${digest}\n`);
    fsyncSync(this.fd);
    this.lines++;
    if (this.lines >= this.keep * 2) this.compact();
  }

  close(): void {
    closeSync(this.fd);
  }

  private compact(): void {
    const recent = this.load().slice(-this.keep);
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, recent.map((d) => `${d}\n`).join(''));
    const fd = openSync(temp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.fd);
    renameSync(temp, this.path);
    this.fd = openSync(this.path, 'a');
    this.lines = recent.length;
  }
}
