/**
 * Reads a source model the way an optimization job does: a `.tar.gz` object is downloaded and
 * unpacked, any other S3 URI is a folder whose objects are the model files. Either way the
 * model must have a `config.json` at its root.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ObjectStore } from './object-store';
import { asFolderPrefix, formatS3Uri, parseS3Uri, type S3Location } from './s3-uri';

const gunzipAsync = promisify(gunzip);

/** One model file, by its path relative to the model's root. */
export interface ModelFile {
  path: string;
  body: Buffer;
}

/** How the model was given. */
export type ModelSourceKind = 'archive' | 'folder';

/** A model that was read completely. */
export interface LoadedModel {
  kind: ModelSourceKind;
  /** The model files, sorted by path. */
  files: ModelFile[];
}

/** The model cannot be used; `message` says why and becomes the job's FailureReason. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

const MAX_LISTED = 10;

/** `paths` for a message: the first few, then how many more. */
const listForMessage = (paths: string[]): string =>
  paths.length <= MAX_LISTED
    ? paths.join(', ')
    : `${paths.slice(0, MAX_LISTED).join(', ')} and ${paths.length - MAX_LISTED} more`;

/** Whether `uri` names a gzipped tarball rather than a folder. */
export const isArchiveUri = (uri: string): boolean => uri.endsWith('.tar.gz');

/** A tar entry path as a model-relative path; throws for paths that leave the model's root. */
function entryPath(name: string, where: string): string {
  const path = name.replace(/^(\.\/)+/, '');
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw new ModelSourceError(`Model archive ${where} contains an unsafe path: ${name}`);
  }
  return path;
}

/** Unpacks a gzipped tarball held in memory into its regular files. */
export async function unpackTarGz(archive: Buffer, where: string): Promise<ModelFile[]> {
  let tar: Buffer;
  try {
    tar = await gunzipAsync(archive);
  } catch (error) {
    throw new ModelSourceError(
      `Could not unpack model archive ${where}: not a gzip file (${(error as Error).message})`,
    );
  }
  const files: ModelFile[] = [];
  const extractor = extract();
  const reading = (async () => {
    for await (const entry of extractor) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const type = entry.header.type ?? 'file';
      if (type === 'file' || type === 'contiguous-file') {
        const path = entryPath(entry.header.name, where);
        if (path !== '') files.push({ path, body: Buffer.concat(chunks) });
      }
    }
  })();
  extractor.end(tar);
  try {
    await reading;
  } catch (error) {
    if (error instanceof ModelSourceError) throw error;
    throw new ModelSourceError(`Could not unpack model archive ${where}: ${(error as Error).message}`);
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function requireConfigJson(files: ModelFile[], what: string): void {
  const config = files.find((file) => file.path === 'config.json');
  if (!config) {
    const found = files.length ? ` (found: ${listForMessage(files.map((f) => f.path))})` : ' (it is empty)';
    throw new ModelSourceError(`${what} has no config.json at its root${found}`);
  }
  try {
    JSON.parse(config.body.toString('utf8'));
  } catch {
    throw new ModelSourceError(`config.json in ${what} is not valid JSON`);
  }
}

async function loadArchive(store: ObjectStore, location: S3Location, uri: string): Promise<LoadedModel> {
  const archive = await store.get(location.bucket, location.key);
  if (!archive) throw new ModelSourceError(`Could not find model archive ${uri}: the object does not exist`);
  const files = await unpackTarGz(archive, uri);
  requireConfigJson(files, `Model archive ${uri}`);
  return { kind: 'archive', files };
}

async function loadFolder(store: ObjectStore, location: S3Location): Promise<LoadedModel> {
  const prefix = asFolderPrefix(location.key);
  const where = formatS3Uri({ bucket: location.bucket, key: prefix });
  const keys = (await store.list(location.bucket, prefix)).filter((key) => !key.endsWith('/'));
  if (keys.length === 0) throw new ModelSourceError(`Could not find any model files under ${where}`);
  const files: ModelFile[] = [];
  for (const key of keys) {
    const body = await store.get(location.bucket, key);
    if (body) files.push({ path: key.slice(prefix.length), body });
  }
  requireConfigJson(files, `Model folder ${where}`);
  return { kind: 'folder', files };
}

/**
 * Reads the model at `uri` completely. Throws {@link ModelSourceError} when it is missing, does
 * not unpack, or has no valid `config.json` at its root.
 */
export async function loadModel(store: ObjectStore, uri: string): Promise<LoadedModel> {
  const location = parseS3Uri(uri);
  if (!location) throw new ModelSourceError(`Could not parse the model S3 URI ${uri}`);
  return isArchiveUri(location.key) ? loadArchive(store, location, uri) : loadFolder(store, location);
}

/**
 * Checks that speculative-decoding training data exists: a manifest file, or a prefix with at
 * least one object. Throws {@link ModelSourceError} otherwise.
 */
export async function checkTrainingData(
  store: ObjectStore,
  uri: string,
  dataType: 'S3Prefix' | 'ManifestFile',
): Promise<void> {
  const location = parseS3Uri(uri);
  if (!location) throw new ModelSourceError(`Could not parse the training data S3 URI ${uri}`);
  const found =
    dataType === 'ManifestFile'
      ? (await store.get(location.bucket, location.key)) !== undefined
      : (await store.list(location.bucket, location.key)).length > 0;
  if (!found) throw new ModelSourceError(`Could not find speculative decoding training data at ${uri}`);
}
