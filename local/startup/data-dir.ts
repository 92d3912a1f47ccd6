/**
 * The data dir of `npm start` (`.local/` by default), made ready before the stack starts: a
 * folder this process can write, held by a lock file so a second stack cannot write the same
 * state, then emptied (a fresh start) or checked (`--keep-state`: every state file parses).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { StartupError } from './startup-error';

/** The lock file's name inside the data dir. */
export const LOCK_FILE = 'stack.lock';

/** What the lock file holds. */
export interface LockContent {
  pid: number;
  /** Known once the edge listens. */
  endpoint?: string;
  startedAt: string;
}

/** A data dir held by this process. */
export interface DataDirClaim {
  /** Records the stack's endpoint in the lock, for the message a second stack prints. */
  setEndpoint(endpoint: string): void;
  /** Removes the lock (also done when the process exits). */
  release(): void;
}

/**
 * Claims `dir` for this process's stack: creates it, takes its lock, and empties it unless
 * `keepState`, in which case its state files must parse. Throws a {@link StartupError} that
 * says what to do when the folder cannot be written, another live stack holds it, or a state
 * file is corrupt.
 */
export function claimDataDir(dir: string, options: { keepState: boolean }): DataDirClaim {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw dataDirError(dir, error);
  }
  const lockPath = join(dir, LOCK_FILE);
  let content: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  takeLock(dir, lockPath, content);

  if (options.keepState) {
    const corrupt = findCorruptStateFile(dir);
    if (corrupt) {
      release();
      throw new StartupError(
        `the state file ${corrupt.path} is corrupt (${corrupt.reason}): start without --keep-state to begin with empty state (this empties ${dir}), or move that file away and start again`,
      );
    }
  } else {
    for (const entry of readdirSync(dir)) {
      if (entry !== LOCK_FILE) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }

  function release(): void {
    process.off('exit', release);
    if (readLock(lockPath)?.pid === process.pid) rmSync(lockPath, { force: true });
  }
  process.on('exit', release);
  return {
    setEndpoint(endpoint) {
      content = { ...content, endpoint };
      writeFileSync(lockPath, JSON.stringify(content));
    },
    release,
  };
}

function takeLock(dir: string, lockPath: string, content: LockContent): void {
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify(content), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw dataDirError(dir, error);
    }
    const holder = readLock(lockPath);
    if (holder && holder.pid !== process.pid && isAlive(holder.pid)) {
      throw new StartupError(
        `another local stack (pid ${holder.pid}${holder.endpoint ? `, ${holder.endpoint}` : ''}) is using the data dir ${dir}: stop it (Ctrl-C in its terminal), or give this one its own state with --data-dir <dir> and --port <n>`,
      );
    }
    // The stack that held it is gone (killed, or its machine restarted): the lock is stale.
    unlinkSync(lockPath);
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What to say when `dir` cannot be made or written (`error` from the file system). */
export function dataDirError(dir: string, error: unknown): StartupError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new StartupError(
      `the data dir ${dir} cannot be a folder (${code}: a file is in its way): pass another folder with --data-dir <dir>, or move that file`,
      { cause: error },
    );
  }
  return new StartupError(
    `cannot write to the data dir ${dir} (${code}): pass a folder you can write with --data-dir <dir>, or make this one writable`,
    { cause: error },
  );
}

/**
 * The first state file under `dir` that does not parse, with the parser's reason. State files
 * are the `*.json` snapshots of the services; `s3/` is left out, as it holds the objects users
 * dropped (a bad manifest is a legitimate object), and so are the append-only journals, whose
 * last line a crash may cut short (the services skip it).
 */
export function findCorruptStateFile(dir: string): { path: string; reason: string } | undefined {
  const walk = (folder: string): { path: string; reason: string } | undefined => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (relative(dir, path) === 's3') continue;
        const found = walk(path);
        if (found) return found;
      } else if (entry.name.endsWith('.json')) {
        try {
          JSON.parse(readFileSync(path, 'utf8'));
        } catch (error) {
          return { path, reason: (error as Error).message };
        }
      }
    }
    return undefined;
  };
  return walk(dir);
}
