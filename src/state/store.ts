import { copyFile, link, lstat, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
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
  /**
   * Set when there is no usable state although an earlier run left some (a corrupt file, a backup, a
   * `.corrupt` copy): that run's counting is lost. `checkpoint` is its last checkpoint when a damaged
   * file still shows it, else null.
   */
  readonly lost: { readonly checkpoint: number | null } | null;
}

export interface SaveResult {
  /** False when the content was unchanged (and still on disk) and nothing was written. */
  readonly written: boolean;
}

/** Told once per write attempt (however many saves it coalesced). */
export interface StoreObserver {
  written(): void;
  failed(error: Error): void;
}

/** What identifies the file this store last wrote or loaded, to notice it was deleted or replaced. */
interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

interface PendingSave {
  build: () => StateToSave;
  readonly promise: Promise<SaveResult>;
  readonly resolve: (result: SaveResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The durable state file at `path`, with one backup at `<path>.bak`.
 *
 * A save writes `<path>.tmp` and fsyncs it, moves the current primary's content to the backup (a hard
 * link, or a synced copy where links are not supported, renamed over `.bak`), renames the temporary
 * file over the primary and fsyncs the directory: at every instant a complete primary or backup exists,
 * and a crash leaves either the old or the new state. The backup is only ever replaced by a complete
 * file, and only by the primary this store wrote itself (same inode, size and mtime): a primary that
 * failed to load, or that something else replaced, is kept as `<path>.corrupt` instead; a deleted one
 * is written again from memory. When the primary cannot be written (a directory in its place), the
 * new state goes to the backup and the save still fails loudly.
 * Identical content is not rewritten while the file is still there; while a write runs, further saves
 * coalesce into one write of the latest state. The state is built and encoded only when a write starts:
 * a burst of saves (one per delivered notification, say) costs at most two encodings, not one each.
 */
export class StateStore {
  private readonly backupPath: string;
  private readonly tempPath: string;
  private readonly corruptPath: string;
  /** The primary as this store last wrote or loaded it; null when it has none of its own yet. */
  private own: FileIdentity | null = null;
  /** Whether a primary existed at load or was written since: its disappearance is then an incident. */
  private hadPrimary = false;
  private lastWritten: string | null = null;
  private inFlight: Promise<void> | null = null;
  private pending: PendingSave | null = null;
  private observer: StoreObserver | null = null;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    this.backupPath = `${path}.bak`;
    this.tempPath = `${path}.tmp`;
    this.corruptPath = `${path}.corrupt`;
  }

  observe(observer: StoreObserver): void {
    this.observer = observer;
  }

  async load(): Promise<LoadResult> {
    const warnings: string[] = [];
    const primary = await readState(this.path);
    if (primary.status === 'valid') {
      this.lastWritten = primary.text;
      this.own = await identify(this.path);
      this.hadPrimary = true;
      return { state: primary.state, source: 'primary', warnings, lost: null };
    }
    if (primary.status === 'invalid') {
      this.hadPrimary = true;
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
        lost: null,
      };
    }
    if (backup.status === 'invalid')
      warnings.push(`backup state file ${this.backupPath} is unusable: ${backup.error}`);
    // Damaged files still tell where the last run stood, when their start survived.
    const earlier = [primary, backup, await readState(this.corruptPath)];
    if (earlier[2]!.status !== 'absent') {
      warnings.push(`an earlier damaged state file is kept at ${this.corruptPath}`);
    }
    if (warnings.length === 0) return { state: null, source: 'none', warnings, lost: null };
    const checkpoint = earlier.map(readableCheckpoint).find((c) => c !== null) ?? null;
    warnings.push(
      `starting without saved state: totals restart at 0; ${
        checkpoint === null
          ? 'the previous checkpoint is unknown'
          : `the previous run had counted up to ledger ${checkpoint}`
      }`,
    );
    for (const message of warnings) this.logger.error(message, { path: this.path });
    return { state: null, source: 'none', warnings, lost: { checkpoint } };
  }

  /**
   * Persists the state. Resolves once this state (or a newer one) is durable on disk. Pass a function that
   * builds the state to have it built only when its write starts (never for a save a later one replaces),
   * and the live ReceiptTotals as `totals` to serialise only what changed since the last save.
   */
  save(state: StateToSave | (() => StateToSave)): Promise<SaveResult> {
    const build = typeof state === 'function' ? state : () => state;
    if (this.inFlight) {
      if (!this.pending) this.pending = deferred(build);
      this.pending.build = build;
      return this.pending.promise;
    }
    return this.start(build);
  }

  /** Waits until no write is running or queued (for shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private start(build: () => StateToSave): Promise<SaveResult> {
    const run = this.writeIfNeeded(build);
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
    this.start(pending.build).then(pending.resolve, pending.reject);
  }

  private async writeIfNeeded(build: () => StateToSave): Promise<SaveResult> {
    const text = encodeStateFile(build());
    // Unchanged content is skipped only while the file written last is still the one on disk.
    if (text === this.lastWritten && sameFile(this.own, await identify(this.path))) return { written: false };
    try {
      await this.write(text);
    } catch (error) {
      const failure = new Error(`cannot write state file ${this.path}: ${(error as Error).message}`, {
        cause: error,
      });
      this.observer?.failed(failure);
      throw failure;
    }
    this.lastWritten = text;
    this.observer?.written();
    return { written: true };
  }

  private async write(text: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    try {
      await writeDurably(this.tempPath, text);
      const current = await lstat(this.path).catch(ignoreCode('ENOENT'));
      if (current === undefined) {
        // Deleted under us (or never written): the backup stays as it is, the primary is written anew.
        if (this.hadPrimary)
          this.logger.warn('state file was missing; writing it again', { path: this.path });
      } else if (!current.isFile()) {
        await rename(this.tempPath, this.backupPath);
        await syncDirectory(dirname(this.path));
        throw new Error(
          `it is not a regular file (${current.isDirectory() ? 'a directory' : 'not a file'}); the state was saved to ${this.backupPath} instead`,
        );
      } else if (sameFile(this.own, current)) {
        await this.backUpPrimary();
      } else {
        // Not what this store wrote (unusable at load, or replaced since): keep it aside, never as backup.
        this.logger.warn('state file is not the one last written; keeping it aside', {
          path: this.path,
          kept_as: this.corruptPath,
        });
        await rename(this.path, this.corruptPath);
      }
      await rename(this.tempPath, this.path);
      this.own = await identify(this.path);
      this.hadPrimary = true;
      await syncDirectory(dirname(this.path));
    } catch (error) {
      await unlink(this.tempPath).catch(() => undefined);
      throw error;
    }
  }

  /** Replaces the backup with the current primary, atomically: the old backup stays until then. */
  private async backUpPrimary(): Promise<void> {
    const staging = `${this.backupPath}.tmp`;
    await unlink(staging).catch(ignoreCode('ENOENT'));
    try {
      await stageCopy(this.path, staging);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // Deleted since it was looked at: as for a primary deleted before the save, the backup stays.
      this.logger.warn('state file was missing; writing it again', { path: this.path });
      await unlink(staging).catch(ignoreCode('ENOENT'));
      return;
    }
    await rename(staging, this.backupPath);
  }
}

type ReadOutcome =
  | { readonly status: 'valid'; readonly state: PersistedState; readonly text: string }
  | { readonly status: 'invalid'; readonly error: string; readonly text: string | null }
  | { readonly status: 'absent' };

async function readState(path: string): Promise<ReadOutcome> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'absent' };
    return { status: 'invalid', error: (error as Error).message, text: null };
  }
  try {
    return { status: 'valid', state: decodeStateFile(text), text };
  } catch (error) {
    return { status: 'invalid', error: (error as Error).message, text };
  }
}

/** The checkpoint a damaged state file still shows in its readable start, or null. */
function readableCheckpoint(outcome: ReadOutcome): number | null {
  if (outcome.status !== 'invalid' || outcome.text === null) return null;
  const match = /"state":\{"version":1,"checkpoint":(\d{1,10})[,}]/.exec(outcome.text.slice(0, 4096));
  return match ? Number(match[1]) : null;
}

async function identify(path: string): Promise<FileIdentity | null> {
  try {
    const { dev, ino, size, mtimeMs } = await stat(path);
    return { dev, ino, size, mtimeMs };
  } catch {
    return null;
  }
}

function sameFile(a: FileIdentity | null, b: FileIdentity | null | undefined): boolean {
  return (
    a !== null &&
    b !== null &&
    b !== undefined &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs
  );
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A hard link to `path` at `staging`, or a synced copy where links are not supported. */
async function stageCopy(path: string, staging: string): Promise<void> {
  try {
    await link(path, staging);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    // Some filesystems (e.g. certain container volumes) have no hard links: copy and sync instead.
    await copyFile(path, staging);
    await syncFile(staging);
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

function ignoreCode(code: string): (error: unknown) => undefined {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code !== code) throw error;
    return undefined;
  };
}

function deferred(build: () => StateToSave): PendingSave {
  let resolve!: (result: SaveResult) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<SaveResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { build, promise, resolve, reject };
}
