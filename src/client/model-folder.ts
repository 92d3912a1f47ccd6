/**
 * The files of a local model folder, as a drop sends them: regular files (and symlinks to files,
 * as the Hugging Face cache keeps them) at any depth, with S3-style relative names, sorted. A
 * folder the drop leaves out ({@link DropFilter}) is not walked: a `.git/` of 100,000 objects
 * costs one directory entry.
 */
import { type Dirent, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DropFilter, LeftOut } from '../drop/drop-filter';

/** One file of the folder, with what `drop` checks to see it did not change. */
export interface FolderFile {
  path: string;
  /** Relative to the folder, `/`-separated. */
  name: string;
  size: number;
  mtimeMs: number;
}

/** One entry the filter left out, where the walk stopped. */
export interface LeftOutEntry {
  path: string;
  /** Relative to the folder, `/`-separated; a folder's ends in `/`. */
  name: string;
  directory: boolean;
}

/** Reads a directory's entries (tests count the calls). */
export type ReadDirectory = (dir: string) => Dirent[];

const readDirectory: ReadDirectory = (dir) => readdirSync(dir, { withFileTypes: true });

/** The folder's files, sorted by name. Throws what `readdir`/`stat` throw. */
export function listModelFolder(folder: string): FolderFile[] {
  return scanModelFolder(folder).files;
}

/**
 * The folder's files the filter keeps, sorted by name, and what it left out (not walked
 * further). Throws what `readdir`/`stat` throw.
 */
export function scanModelFolder(
  folder: string,
  options: { filter?: DropFilter; readdir?: ReadDirectory } = {},
): { files: FolderFile[]; leftOut: LeftOutEntry[] } {
  const readdir = options.readdir ?? readDirectory;
  const files: FolderFile[] = [];
  const leftOut: LeftOutEntry[] = [];
  const walk = (dir: string) => {
    for (const entry of readdir(dir)) {
      const path = join(dir, entry.name);
      const name = relative(folder, path).split(sep).join('/');
      const directory = entry.isDirectory();
      if (options.filter?.leavesOut(name, directory)) {
        leftOut.push({ path, name: directory ? `${name}/` : name, directory });
      } else if (directory) walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const stat = statSync(path, { throwIfNoEntry: false });
        if (!stat?.isFile()) continue;
        files.push({ path, name, size: stat.size, mtimeMs: stat.mtimeMs });
      }
    }
  };
  walk(folder);
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return { files: files.sort(byName), leftOut: leftOut.sort(byName) };
}

/** Entries counted at most, over all the folders left out, before the plan says "at least". */
export const LEFT_OUT_COUNT_LIMIT = 10_000;

/**
 * The bytes of what was left out, for the plan. A folder is counted (its symlinks not
 * followed) up to `limit` entries in all: a freshly cloned model's `.git/` has a few hundred, so its
 * count is exact, and a repository with 100,000 loose objects costs no more than the limit.
 * What cannot be read counts as nothing and makes the figure a lower bound.
 */
export function measureLeftOut(
  entries: readonly LeftOutEntry[],
  options: { limit?: number; readdir?: ReadDirectory } = {},
): LeftOut[] {
  const readdir = options.readdir ?? readDirectory;
  let budget = options.limit ?? LEFT_OUT_COUNT_LIMIT;
  const count = (dir: string): { bytes: number; complete: boolean } => {
    let bytes = 0;
    if (budget <= 0) return { bytes, complete: false };
    let entriesRead: Dirent[];
    try {
      entriesRead = readdir(dir);
    } catch {
      return { bytes, complete: false };
    }
    let complete = true;
    for (const entry of entriesRead) {
      if (budget <= 0) return { bytes, complete: false };
      budget--;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const inner = count(path);
        bytes += inner.bytes;
        complete &&= inner.complete;
      } else if (entry.isFile()) {
        const size = sizeOf(path);
        if (size === undefined) complete = false;
        else bytes += size;
      }
    }
    return { bytes, complete };
  };
  return entries.map((entry) => {
    if (!entry.directory) {
      const size = sizeOf(entry.path);
      return { path: entry.name, bytes: size ?? 0, complete: size !== undefined };
    }
    return { path: entry.name, ...count(entry.path) };
  });
}

const sizeOf = (path: string): number | undefined => {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
};
