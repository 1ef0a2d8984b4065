import { copyFile, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import { decodeStateFile, encodeStateFile, type PersistedState, type StateToSave } from './document.js';

export type { PersistedState, StateToSave } from './document.js';

export interface LoadResult {
  /** Null when there is nothing usable: start from scratch. */
  readonly state: PersistedState | null;
  readonly source: 'primary' | 'backup' | 'none';
  /** Human-readable problems found (also logged): a corrupt primary, an unusable backup. */
  readonly warnings: readonly string[];
}

export interface SaveResult {
  /** False when the content was unchanged and nothing was written. */
  readonly written: boolean;
}

type FileStatus = 'valid' | 'invalid' | 'absent' | 'unknown';

interface PendingSave {
  text: string;
  readonly promise: Promise<SaveResult>;
  readonly resolve: (result: SaveResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The durable state file at `path`, with one backup at `<path>.bak`.
 *
 * A save writes `<path>.tmp`, fsyncs it, hard-links the current primary to `.bak` (copy where links
 * are not supported), renames the temporary file over the primary and fsyncs the directory: at every
 * instant a complete primary exists, and a crash leaves either the old or the new state. A primary
 * that failed to load is never rotated into the backup (it is kept as `<path>.corrupt`).
 * Identical content is not rewritten; while a write runs, further saves coalesce into one write of
 * the latest state.
 */
export class StateStore {
  private readonly backupPath: string;
  private readonly tempPath: string;
  private readonly corruptPath: string;
  private primaryStatus: FileStatus = 'unknown';
  private lastWritten: string | null = null;
  private inFlight: Promise<void> | null = null;
  private pending: PendingSave | null = null;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    this.backupPath = `${path}.bak`;
    this.tempPath = `${path}.tmp`;
    this.corruptPath = `${path}.corrupt`;
  }

  async load(): Promise<LoadResult> {
    const warnings: string[] = [];
    const primary = await readState(this.path);
    this.primaryStatus = primary.status;
    if (primary.status === 'valid') {
      this.lastWritten = primary.text;
      return { state: primary.state, source: 'primary', warnings };
    }
    if (primary.status === 'invalid') {
      warnings.push(`state file ${this.path} is unusable: ${primary.error}`);
    }
    const backup = await readState(this.backupPath);
    if (backup.status === 'valid') {
      if (primary.status === 'absent') warnings.push(`state file ${this.path} is missing`);
      for (const message of warnings) this.logger.error(message, { path: this.path });
      this.logger.warn('using the backup state file', { path: this.backupPath });
      return {
        state: backup.state,
        source: 'backup',
        warnings: [...warnings, `using backup ${this.backupPath}`],
      };
    }
    if (backup.status === 'invalid')
      warnings.push(`backup state file ${this.backupPath} is unusable: ${backup.error}`);
    if (warnings.length > 0) {
      warnings.push('starting without saved state: totals restart at 0 and no checkpoint is known');
      for (const message of warnings) this.logger.error(message, { path: this.path });
    }
    return { state: null, source: 'none', warnings };
  }

  /**
   * Persists the state. Resolves once this state (or a newer one) is durable on disk. Pass the live
   * ReceiptTotals as `totals` to serialise only what changed since the last save.
   */
  save(state: StateToSave): Promise<SaveResult> {
    const text = encodeStateFile(state);
    if (this.inFlight) {
      if (!this.pending) this.pending = deferred(text);
      this.pending.text = text;
      return this.pending.promise;
    }
    return this.start(text);
  }

  /** Waits until no write is running or queued (for shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private start(text: string): Promise<SaveResult> {
    if (text === this.lastWritten) return Promise.resolve({ written: false });
    const run = this.write(text).then(() => {
      this.lastWritten = text;
      return { written: true };
    });
    this.inFlight = run.then(
      () => this.next(),
      () => this.next(),
    );
    return run;
  }

  private next(): void {
    this.inFlight = null;
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    this.start(pending.text).then(pending.resolve, pending.reject);
  }

  private async write(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    if (this.primaryStatus === 'unknown') this.primaryStatus = (await readState(this.path)).status;
    try {
      await writeDurably(this.tempPath, text);
      if (this.primaryStatus === 'valid') await this.backUpPrimary();
      else if (this.primaryStatus === 'invalid') await rename(this.path, this.corruptPath);
      await rename(this.tempPath, this.path);
      this.primaryStatus = 'valid';
      await syncDirectory(dirname(this.path));
    } catch (error) {
      await unlink(this.tempPath).catch(() => undefined);
      throw new Error(`cannot write state file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async backUpPrimary(): Promise<void> {
    await unlink(this.backupPath).catch(ignoreCode('ENOENT'));
    try {
      await link(this.path, this.backupPath);
    } catch {
      // Some filesystems (e.g. certain container volumes) have no hard links: copy and sync instead.
      await copyFile(this.path, this.backupPath);
      const handle = await open(this.backupPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
}

type ReadOutcome =
  | { readonly status: 'valid'; readonly state: PersistedState; readonly text: string }
  | { readonly status: 'invalid'; readonly error: string }
  | { readonly status: 'absent' };

async function readState(path: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'absent' };
    return { status: 'invalid', error: (error as Error).message };
  }
  try {
    return { status: 'valid', state: decodeStateFile(text), text };
  } catch (error) {
    return { status: 'invalid', error: (error as Error).message };
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the renames durable. Not every platform can fsync a directory; there it is skipped. */
async function syncDirectory(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

function ignoreCode(code: string): (error: unknown) => void {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code !== code) throw error;
  };
}

function deferred(text: string): PendingSave {
  let resolve!: (result: SaveResult) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<SaveResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { text, promise, resolve, reject };
}
