/**
 * What a drop will send, decided from the local path before anything is sent. Every bad input
 * is refused here with a {@link DropError} (exit code 4), so nothing reaches the bucket.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DropError } from './drop-errors';
import { type FolderFile, listModelFolder } from './model-folder';
import type { FileToSend } from './s3-uploader';

/** What to drop, as the user gave it. */
export interface DropPlanOptions {
  /** A `.tar.gz` file or a model folder. */
  path: string;
  /** Default: the file name without `.tar.gz`, or the folder name. */
  modelId?: string;
  /** A manifest file for a folder drop. Default: the folder's own `optimization.json`, else `{}`. */
  manifestPath?: string;
  /** Pack the folder into one `.tar.gz` object, streamed (a single-artifact drop). */
  tar?: boolean;
  /** Drop a folder that has no `config.json` (its job will fail; for trying the failure path). */
  allowMissingConfig?: boolean;
  modelsPrefix?: string;
  manifestName?: string;
}

/** The manifest of a folder drop: a file, or `{}`. */
export type ManifestToSend = { key: string; file: FileToSend } | { key: string; body: string };

/** A drop, ready to send. `triggerKey` is the object whose notification starts the job: it goes last. */
export type DropPlan =
  | { kind: 'archive'; modelId: string; triggerKey: string; file: FileToSend }
  | {
      kind: 'folder';
      modelId: string;
      triggerKey: string;
      prefix: string;
      files: FileToSend[];
      manifest: ManifestToSend;
    }
  | { kind: 'packed'; modelId: string; triggerKey: string; files: FolderFile[] };

const statOf = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new DropError(`could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
};

/** Plans the drop of `options.path`; throws {@link DropError} for a path that cannot be dropped. */
export function planDrop(options: DropPlanOptions): DropPlan {
  const modelsPrefix = options.modelsPrefix ?? 'models/';
  const manifestName = options.manifestName ?? 'optimization.json';
  const stat = statOf(options.path);
  if (!stat) throw new DropError(`no such file or folder: ${options.path}`);

  if (stat.isFile()) {
    if (options.tar) throw new DropError(`--tar packs a folder, and ${options.path} is a file`);
    if (!options.path.endsWith('.tar.gz'))
      throw new DropError(`a file drop must be a .tar.gz: ${options.path}`);
    if (options.manifestPath) throw new DropError('--manifest applies to folder drops only');
    const modelId = options.modelId ?? basename(options.path, '.tar.gz');
    const triggerKey = `${modelsPrefix}${modelId}.tar.gz`;
    return {
      kind: 'archive',
      modelId,
      triggerKey,
      file: { path: options.path, key: triggerKey, size: stat.size, mtimeMs: stat.mtimeMs },
    };
  }
  if (!stat.isDirectory()) throw new DropError(`${options.path} is neither a file nor a folder`);

  let found: FolderFile[];
  try {
    found = listModelFolder(options.path);
  } catch (error) {
    throw new DropError(`could not read folder ${options.path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const files = found.filter((file) => file.name !== manifestName);
  if (files.length === 0) throw new DropError(`folder ${options.path} has no files to drop`);
  if (!options.allowMissingConfig && !files.some((file) => file.name === 'config.json')) {
    throw new DropError(
      `folder ${options.path} has no config.json at its root, so its optimization job would fail; pass --allow-missing-config to drop it anyway`,
    );
  }
  const modelId = options.modelId ?? basename(options.path);
  if (options.tar) {
    if (options.manifestPath)
      throw new DropError(
        "--manifest applies to folder drops only; a .tar.gz drop uses the stage's default settings",
      );
    return { kind: 'packed', modelId, triggerKey: `${modelsPrefix}${modelId}.tar.gz`, files };
  }

  const prefix = `${modelsPrefix}${modelId}/`;
  const manifestKey = `${prefix}${manifestName}`;
  const own = found.find((file) => file.name === manifestName);
  let manifest: ManifestToSend = { key: manifestKey, body: '{}' };
  if (options.manifestPath) {
    const given = statOf(options.manifestPath);
    if (!given?.isFile()) throw new DropError(`no such manifest file: ${options.manifestPath}`);
    manifest = {
      key: manifestKey,
      file: { path: options.manifestPath, key: manifestKey, size: given.size, mtimeMs: given.mtimeMs },
    };
  } else if (own) {
    manifest = {
      key: manifestKey,
      file: { path: own.path, key: manifestKey, size: own.size, mtimeMs: own.mtimeMs },
    };
  }
  return {
    kind: 'folder',
    modelId,
    triggerKey: manifestKey,
    prefix,
    files: files.map((file) => ({
      path: file.path,
      key: `${prefix}${file.name}`,
      size: file.size,
      mtimeMs: file.mtimeMs,
    })),
    manifest,
  };
}
