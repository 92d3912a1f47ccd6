/**
 * Reads a source model the way an optimization job does: a `.tar.gz` object is unpacked, any
 * other S3 URI is a folder whose objects are the model files. Either way the model must have a
 * `config.json` at its root. Everything streams: an archive passes through gunzip and the tar
 * reader one chunk at a time, and only `config.json` is ever held whole (it is parsed).
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ObjectStore } from './object-store';
import { asFolderPrefix, formatS3Uri, parseS3Uri, type S3Location } from './s3-uri';

/** One model file, by its path relative to the model's root. */
export interface ModelFile {
  path: string;
  size: number;
}

/** How the model was given. */
export type ModelSourceKind = 'archive' | 'folder';

/** A model that was read through and found usable. */
export interface InspectedModel {
  kind: ModelSourceKind;
  /** The model files, sorted by path. */
  files: ModelFile[];
}

/** The model cannot be used; `message` says why and becomes the job's FailureReason. */
export class ModelSourceError extends Error {
  override readonly name = 'ModelSourceError';
}

/** A `config.json` above this size is refused rather than read (real ones are a few KiB). */
export const MAX_CONFIG_JSON_BYTES = 16 * 1024 * 1024;

const MAX_LISTED = 10;

/** `paths` for a message: the first few, then how many more. */
const listForMessage = (paths: string[]): string =>
  paths.length <= MAX_LISTED
    ? paths.join(', ')
    : `${paths.slice(0, MAX_LISTED).join(', ')} and ${paths.length - MAX_LISTED} more`;

const byPath = (a: ModelFile, b: ModelFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

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

/**
 * Streams the regular files of a gzipped tarball, in archive order, to `onFile`. Each file's
 * `body` must be consumed before the next one is read; what `onFile` leaves unread is skipped.
 * Throws {@link ModelSourceError} when the archive does not unpack.
 */
export async function forEachArchiveFile(
  archive: Readable,
  where: string,
  onFile: (file: ModelFile, body: Readable) => Promise<void>,
): Promise<void> {
  const gunzip = createGunzip();
  const extractor = extract();
  archive.once('error', (error) => extractor.destroy(error));
  gunzip.once('error', (error) =>
    extractor.destroy(
      new ModelSourceError(`Could not unpack model archive ${where}: not a gzip file (${error.message})`),
    ),
  );
  archive.pipe(gunzip).pipe(extractor);
  // An error of `onFile` (a failed write, say) is the caller's, not a broken archive.
  let callerError: { error: unknown } | undefined;
  try {
    for await (const entry of extractor) {
      const type = entry.header.type ?? 'file';
      if (type === 'file' || type === 'contiguous-file') {
        const path = entryPath(entry.header.name, where);
        if (path !== '') {
          // tar-stream's entries are streamx streams; the SDK and Node's consumers want a Readable.
          const body = Readable.from(entry, { objectMode: false });
          try {
            await onFile({ path, size: entry.header.size ?? 0 }, body);
          } catch (error) {
            callerError = { error };
            throw error;
          }
        }
      }
      entry.resume();
    }
  } catch (error) {
    if (callerError || error instanceof ModelSourceError) throw error;
    throw new ModelSourceError(`Could not unpack model archive ${where}: ${(error as Error).message}`);
  } finally {
    archive.unpipe(gunzip);
    archive.destroy();
    gunzip.destroy();
  }
}

/** Reads a small stream whole; refuses one longer than `limit` bytes. */
async function readSmall(body: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += (chunk as Buffer).length;
    if (length > limit) {
      body.destroy();
      throw new ModelSourceError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function checkConfigJson(text: Buffer | undefined, files: ModelFile[], what: string): void {
  if (text === undefined) {
    const found = files.length ? ` (found: ${listForMessage(files.map((f) => f.path))})` : ' (it is empty)';
    throw new ModelSourceError(`${what} has no config.json at its root${found}`);
  }
  try {
    JSON.parse(text.toString('utf8'));
  } catch {
    throw new ModelSourceError(`config.json in ${what} is not valid JSON`);
  }
}

async function openArchive(store: ObjectStore, location: S3Location, uri: string): Promise<Readable> {
  const archive = await store.read(location.bucket, location.key);
  if (!archive) throw new ModelSourceError(`Could not find model archive ${uri}: the object does not exist`);
  return archive;
}

async function inspectArchive(
  store: ObjectStore,
  location: S3Location,
  uri: string,
): Promise<InspectedModel> {
  const files: ModelFile[] = [];
  let config: Buffer | undefined;
  await forEachArchiveFile(await openArchive(store, location, uri), uri, async (file, body) => {
    files.push(file);
    if (file.path === 'config.json')
      config = await readSmall(body, MAX_CONFIG_JSON_BYTES, `config.json in ${uri}`);
  });
  files.sort(byPath);
  checkConfigJson(config, files, `Model archive ${uri}`);
  return { kind: 'archive', files };
}

/** The files of a model folder with their keys, sorted by path; throws when there are none. */
export async function listFolder(
  store: ObjectStore,
  location: S3Location,
): Promise<{ prefix: string; where: string; files: (ModelFile & { key: string })[] }> {
  const prefix = asFolderPrefix(location.key);
  const where = formatS3Uri({ bucket: location.bucket, key: prefix });
  const files = (await store.list(location.bucket, prefix))
    .filter((o) => !o.key.endsWith('/'))
    .map((o) => ({ key: o.key, path: o.key.slice(prefix.length), size: o.size }))
    .sort(byPath);
  if (files.length === 0) throw new ModelSourceError(`Could not find any model files under ${where}`);
  return { prefix, where, files };
}

async function inspectFolder(store: ObjectStore, location: S3Location): Promise<InspectedModel> {
  const { prefix, where, files } = await listFolder(store, location);
  const what = `Model folder ${where}`;
  let config: Buffer | undefined;
  if (files.some((file) => file.path === 'config.json')) {
    const body = await store.read(location.bucket, `${prefix}config.json`);
    if (body) config = await readSmall(body, MAX_CONFIG_JSON_BYTES, `config.json in ${what}`);
  }
  checkConfigJson(
    config,
    files.map(({ path, size }) => ({ path, size })),
    what,
  );
  return { kind: 'folder', files: files.map(({ path, size }) => ({ path, size })) };
}

/** The model's location; throws {@link ModelSourceError} for a URI that is not S3's. */
export function modelLocation(uri: string): S3Location {
  const location = parseS3Uri(uri);
  if (!location) throw new ModelSourceError(`Could not parse the model S3 URI ${uri}`);
  return location;
}

/**
 * Reads the model at `uri` through (an archive is unpacked and discarded, a folder listed) and
 * checks its `config.json`. Throws {@link ModelSourceError} when it is missing, does not unpack,
 * or has no valid `config.json` at its root.
 */
export async function inspectModel(store: ObjectStore, uri: string): Promise<InspectedModel> {
  const location = modelLocation(uri);
  return isArchiveUri(location.key) ? inspectArchive(store, location, uri) : inspectFolder(store, location);
}

/**
 * Streams the files of the archive at `uri` to `onFile` (see {@link forEachArchiveFile}).
 */
export async function readArchive(
  store: ObjectStore,
  uri: string,
  onFile: (file: ModelFile, body: Readable) => Promise<void>,
): Promise<void> {
  const location = modelLocation(uri);
  await forEachArchiveFile(await openArchive(store, location, uri), uri, onFile);
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
  const found = (await store.list(location.bucket, location.key)).some(
    (o) => dataType === 'S3Prefix' || o.key === location.key,
  );
  if (!found) throw new ModelSourceError(`Could not find speculative decoding training data at ${uri}`);
}
