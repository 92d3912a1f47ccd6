/**
 * What a drop uploads, and in which order: the drop contract (README, "Model drop contract")
 * from the uploader's side. `model-opt drop` plans with it over files on disk, the local
 * console over files dropped into a browser; only the upload differs. No I/O here.
 */
import { DEFAULT_DROP_RULES, type DropRules } from './drop-rules';

/** A drop that cannot be made as asked: not a `.tar.gz`, an empty folder, a pattern that cannot be used. */
export class DropError extends Error {
  override readonly name = 'DropError';
}

/** One file of a folder drop: its path inside the folder (`/`-separated), its size, and a handle. */
export interface DropFile<T> {
  path: string;
  size: number;
  file: T;
}

/** What to drop: one `.tar.gz`, or a model folder (with a manifest from elsewhere, optionally). */
export type DropInput<T> =
  | { kind: 'artifact'; name: string; size: number; file: T; modelId?: string }
  | {
      kind: 'folder';
      name: string;
      files: DropFile<T>[];
      modelId?: string;
      /** Overrides the folder's own manifest. */
      manifest?: { size: number; file: T };
      /**
       * The manifest names a registered model (`source.sageMakerModel`): the drop is the
       * manifest alone, and a folder with other files is refused.
       */
      registeredSource?: string;
    };

/** One object to put: from a file, or the default manifest's text. */
export interface PlannedUpload<T> {
  key: string;
  size: number;
  source: { file: T } | { text: string };
}

/** The uploads in order; the last one's notification starts the job. */
export interface DropPlan<T> {
  modelId: string;
  uploads: PlannedUpload<T>[];
  triggerKey: string;
  bytes: number;
}

/** The manifest a folder gets when it brings none: the stage's defaults. */
export const DEFAULT_MANIFEST_TEXT = '{}';

/**
 * Plans a drop. A `.tar.gz` is one upload to `<models>/<id>.tar.gz`; a folder's files go to
 * `<models>/<id>/…` in path order, and its manifest (given, its own, else `{}`) goes last.
 */
export function planDrop<T>(input: DropInput<T>, rules: Partial<DropRules> = {}): DropPlan<T> {
  const modelsPrefix = rules.modelsPrefix ?? DEFAULT_DROP_RULES.modelsPrefix;
  const manifestName = rules.manifestName ?? DEFAULT_DROP_RULES.manifestName;
  if (input.kind === 'artifact') {
    if (!input.name.endsWith('.tar.gz')) throw new DropError(`a file drop must be a .tar.gz: ${input.name}`);
    const modelId = input.modelId ?? input.name.slice(0, -'.tar.gz'.length);
    const key = `${modelsPrefix}${modelId}.tar.gz`;
    return {
      modelId,
      uploads: [{ key, size: input.size, source: { file: input.file } }],
      triggerKey: key,
      bytes: input.size,
    };
  }
  const modelId = input.modelId ?? input.name;
  const folder = `${modelsPrefix}${modelId}/`;
  const sorted = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const own = sorted.find((f) => f.path === manifestName);
  const uploads: PlannedUpload<T>[] = sorted
    .filter((f) => f.path !== manifestName)
    .map((f) => ({ key: `${folder}${f.path}`, size: f.size, source: { file: f.file } }));
  const manifest = input.manifest ?? own;
  if (input.registeredSource !== undefined) {
    if (uploads.length > 0) {
      throw new DropError(
        `the manifest optimizes the registered SageMaker model "${input.registeredSource}" (source.sageMakerModel), so the folder must hold the manifest only; ${input.name} also holds ${uploads.length} other file${uploads.length === 1 ? '' : 's'} (${sorted.find((f) => f.path !== manifestName)?.path}${uploads.length > 1 ? ', …' : ''}): drop the manifest from a folder of its own, or leave source out`,
      );
    }
  } else if (uploads.length === 0) throw new DropError(`folder ${input.name} has no files to drop`);
  const manifestKey = `${folder}${manifestName}`;
  uploads.push(
    manifest
      ? { key: manifestKey, size: manifest.size, source: { file: manifest.file } }
      : { key: manifestKey, size: DEFAULT_MANIFEST_TEXT.length, source: { text: DEFAULT_MANIFEST_TEXT } },
  );
  return { modelId, uploads, triggerKey: manifestKey, bytes: uploads.reduce((n, u) => n + u.size, 0) };
}
