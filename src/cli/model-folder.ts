/**
 * The files of a local model folder, as a drop sends them: regular files (and symlinks to files,
 * as the Hugging Face cache keeps them) at any depth, with S3-style relative names, sorted.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** One file of the folder, with what `drop` checks to see it did not change. */
export interface FolderFile {
  path: string;
  /** Relative to the folder, `/`-separated. */
  name: string;
  size: number;
  mtimeMs: number;
}

/** The folder's files, sorted by name. Throws what `readdir`/`stat` throw. */
export function listModelFolder(folder: string): FolderFile[] {
  const files: FolderFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const stat = statSync(path, { throwIfNoEntry: false });
        if (!stat?.isFile()) continue;
        files.push({
          path,
          name: relative(folder, path).split(sep).join('/'),
          size: stat.size,
          mtimeMs: stat.mtimeMs,
        });
      }
    }
  };
  walk(folder);
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
