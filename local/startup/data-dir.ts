/**
 * The data dir of `npm start` (`.local/` by default), made ready before the stack starts: a
 * folder this process can write, held by a lock file so a second stack cannot write the same
 * state, then emptied (a fresh start) or checked (`--keep-state`: every state file parses).
 *
 * The stack only ever empties a folder it made: one that carries its marker file, or that was
 * missing or empty when it was claimed. Any other folder (`--data-dir .`, a home folder, a
 * folder of models) is refused before anything in it is touched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { StartupError } from './startup-error';

/** The lock file's name inside the data dir. */
export const LOCK_FILE = 'stack.lock';

/** The file that marks a folder as a local stack's data dir, which the stack may empty. */
export const MARKER_FILE = '.model-opt-local-stack';

const MARKER_TEXT =
  'This folder is the data dir of the model-optimization-pipeline local stack (npm start).\n' +
  'A fresh start empties it. Remove this file and the stack will refuse the folder.\n';

/**
 * Makes `dir` a data dir the stack may write and empty: creates it with the marker when it is
 * missing or empty, and accepts it when it carries the marker. `adopt` accepts an unmarked
 * folder too (the project's own `.local/`, made before the marker existed) and marks it.
 * Throws a {@link StartupError}, touching nothing, for any other folder.
 */
export function prepareDataDir(dir: string, options: { adopt?: boolean } = {}): void {
  let entries: string[];
  try {
    entries = existsSync(dir) ? readdirSync(dir) : [];
  } catch (error) {
    throw dataDirError(dir, error);
  }
  const ours = entries.length === 0 || entries.includes(MARKER_FILE) || options.adopt === true;
  if (!ours) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
    throw new StartupError(
      `the data dir ${dir} holds files the local stack did not create (${shown}), and a fresh start would delete them: pass a new or empty folder with --data-dir <dir> (the stack marks it as its own with ${MARKER_FILE})`,
    );
  }
  try {
    mkdirSync(dir, { recursive: true });
    if (!entries.includes(MARKER_FILE)) writeFileSync(join(dir, MARKER_FILE), MARKER_TEXT);
  } catch (error) {
    throw dataDirError(dir, error);
  }
}

/** Empties a data dir that {@link prepareDataDir} accepted, keeping its marker and `keep` entries. */
export function emptyDataDir(dir: string, keep: string[] = []): void {
  for (const entry of readdirSync(dir)) {
    if (entry !== MARKER_FILE && !keep.includes(entry))
      rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

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
 * Claims `dir` for this process's stack: creates it (or accepts it, {@link prepareDataDir}),
 * takes its lock, and empties it unless `keepState`, in which case its state files must parse.
 * Throws a {@link StartupError} that says what to do when the folder is not the stack's, cannot
 * be written, another live stack holds it, or a state file is corrupt.
 */
export function claimDataDir(dir: string, options: { keepState: boolean; adopt?: boolean }): DataDirClaim {
  prepareDataDir(dir, { adopt: options.adopt ?? false });
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
    emptyDataDir(dir, [LOCK_FILE]);
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

/** The lock at `path`, or undefined when there is none or it is unreadable. */
export function readLock(path: string): LockContent | undefined {
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
