/**
 * What `model-opt drop` sends from the local disk, decided before anything is sent: the files
 * are found and checked here, then ordered by the drop plan every uploader shares
 * ({@link planDrop}). Every bad input is refused with a {@link DropError}, and a manifest asking
 * for a job SageMaker would fail with an IncompatibleManifestError (manifest-check.ts), so
 * nothing reaches the bucket.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dropFilter, type LeftOut, MODELIGNORE } from '../drop/drop-filter';
import { DropError, type DropFile, type DropPlan, planDrop } from '../drop/drop-plan';
import { DEFAULT_DROP_RULES, type DropRules } from '../drop/drop-rules';
import { assertManifestCompatible } from './manifest-check';
import { registeredSourceOf } from './manifest-source';
import { type FolderFile, measureLeftOut, scanModelFolder } from './model-folder';
import type { LocalFile } from './s3-uploader';

/** What to drop, as the user gave it. */
export interface LocalDropOptions {
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
  /** gitignore patterns a folder drop leaves out, over the defaults and `.modelignore`. */
  exclude?: readonly string[];
  /** gitignore patterns a folder drop sends even so, over everything else. */
  include?: readonly string[];
  modelsPrefix?: string;
  manifestName?: string;
}

/**
 * A drop ready to send: objects from files (the plan's last upload is the trigger), or a folder
 * packed into one `.tar.gz` as it is sent; with what a folder drop leaves out.
 */
export type LocalDrop = (
  | { kind: 'objects'; plan: DropPlan<LocalFile> }
  | { kind: 'packed'; modelId: string; triggerKey: string; files: FolderFile[] }
) & { leftOut: LeftOut[] };

const statOf = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new DropError(`could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
};

const localFile = (path: string, stat: { size: number; mtimeMs: number }): LocalFile => ({
  path,
  size: stat.size,
  mtimeMs: stat.mtimeMs,
});

/** Plans the drop of `options.path`; throws {@link DropError} for a path that cannot be dropped. */
export function planLocalDrop(options: LocalDropOptions): LocalDrop {
  const rules: DropRules = {
    modelsPrefix: options.modelsPrefix ?? DEFAULT_DROP_RULES.modelsPrefix,
    manifestName: options.manifestName ?? DEFAULT_DROP_RULES.manifestName,
  };
  const stat = statOf(options.path);
  if (!stat) throw new DropError(`no such file or folder: ${options.path}`);

  if (stat.isFile()) {
    if (options.tar) throw new DropError(`--tar packs a folder, and ${options.path} is a file`);
    if (options.manifestPath && options.path.endsWith('.tar.gz'))
      throw new DropError('--manifest applies to folder drops only');
    if (options.include?.length || options.exclude?.length)
      throw new DropError('--include and --exclude apply to folder drops only');
    const plan = planDrop(
      {
        kind: 'artifact',
        name: options.path,
        size: stat.size,
        file: localFile(options.path, stat),
        modelId: options.modelId ?? basename(options.path, '.tar.gz'),
      },
      rules,
    );
    return { kind: 'objects', plan, leftOut: [] };
  }
  if (!stat.isDirectory()) throw new DropError(`${options.path} is neither a file nor a folder`);

  const filter = dropFilter({
    modelignore: readModelIgnore(options.path),
    exclude: options.exclude ?? [],
    include: options.include ?? [],
    manifestName: rules.manifestName,
  });
  let found: FolderFile[];
  let leftOut: LeftOut[];
  try {
    const scanned = scanModelFolder(options.path, { filter });
    found = scanned.files;
    leftOut = measureLeftOut(scanned.leftOut);
  } catch (error) {
    throw new DropError(`could not read folder ${options.path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const modelFiles = found.filter((file) => file.name !== rules.manifestName);
  const manifestFile = options.manifestPath ?? found.find((f) => f.name === rules.manifestName)?.path;
  const registeredSource =
    manifestFile && statOf(manifestFile)?.isFile() ? registeredSourceOf(manifestFile) : undefined;
  if (
    registeredSource === undefined &&
    modelFiles.length > 0 &&
    !options.allowMissingConfig &&
    !modelFiles.some((f) => f.name === 'config.json')
  ) {
    throw new DropError(
      `folder ${options.path} has no config.json at its root, so its optimization job would fail; pass --allow-missing-config to drop it anyway`,
    );
  }
  const modelId = options.modelId ?? basename(options.path);
  if (options.tar) {
    if (modelFiles.length === 0) throw new DropError(`folder ${options.path} has no files to drop`);
    if (options.manifestPath)
      throw new DropError(
        "--manifest applies to folder drops only; a .tar.gz drop uses the stage's default settings",
      );
    return {
      kind: 'packed',
      modelId,
      triggerKey: `${rules.modelsPrefix}${modelId}.tar.gz`,
      files: modelFiles,
      leftOut,
    };
  }

  let manifest: { size: number; file: LocalFile } | undefined;
  if (options.manifestPath) {
    const given = statOf(options.manifestPath);
    if (!given?.isFile()) throw new DropError(`no such manifest file: ${options.manifestPath}`);
    manifest = { size: given.size, file: localFile(options.manifestPath, given) };
  }
  if (manifestFile) assertManifestCompatible(manifestFile);
  const files: DropFile<LocalFile>[] = found.map((f) => ({
    path: f.name,
    size: f.size,
    file: localFile(f.path, f),
  }));
  const plan = planDrop(
    {
      kind: 'folder',
      name: options.path,
      files,
      modelId,
      ...(manifest && { manifest }),
      ...(registeredSource !== undefined && { registeredSource }),
    },
    rules,
  );
  return { kind: 'objects', plan, leftOut };
}

/** The folder's `.modelignore`, if it has one. */
function readModelIgnore(folder: string): string | undefined {
  const path = join(folder, MODELIGNORE);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DropError(`could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
