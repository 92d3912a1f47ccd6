/**
 * Dropping a model: upload a `.tar.gz`, or a folder with its manifest uploaded last. Uploads
 * go through `@aws-sdk/lib-storage` (multipart for large files, with progress). The same code
 * runs against the local stack and AWS; only the client's endpoint differs.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { jobNameFor } from '../job/job-name';
import { CliError } from './errors';

/** Upload progress of one object and of the whole drop. */
export interface DropProgress {
  key: string;
  loaded: number;
  total: number;
  /** Bytes of the whole drop uploaded so far, and its size. */
  dropLoaded: number;
  dropTotal: number;
}

/** What to drop, and where. */
export interface DropOptions {
  s3: S3Client;
  bucket: string;
  /** A `.tar.gz` file or a model folder. */
  path: string;
  /** Default: the file name without `.tar.gz`, or the folder name. */
  modelId?: string;
  /** A manifest file for a folder drop. Default: the folder's own `optimization.json`, else `{}`. */
  manifestPath?: string;
  modelsPrefix?: string;
  manifestName?: string;
  onProgress?: (progress: DropProgress) => void;
}

/** What a drop uploaded and the job it starts. */
export interface DropResult {
  /** The object whose notification starts the job. */
  triggerKey: string;
  modelId: string;
  /** The job the pipeline will create for this drop. */
  jobName: string;
  uploadedKeys: string[];
  bytes: number;
}

/** A drop that cannot be made as asked: no such path, not a `.tar.gz`, an empty folder. */
export class DropError extends CliError {
  override readonly name = 'DropError';
}

/** Uploads a drop; resolves when every object, manifest last, is in the bucket. */
export async function dropModel(options: DropOptions): Promise<DropResult> {
  const { bucket } = options;
  const modelsPrefix = options.modelsPrefix ?? 'models/';
  const manifestName = options.manifestName ?? 'optimization.json';
  const stat = statSync(options.path, { throwIfNoEntry: false });
  if (!stat) throw new DropError(`no such file or folder: ${options.path}`);

  const files: { path: string; key: string; size: number }[] = [];
  let modelId: string;
  let manifest: { path?: string; body?: string; key: string } | undefined;
  if (stat.isFile()) {
    if (!options.path.endsWith('.tar.gz'))
      throw new DropError(`a file drop must be a .tar.gz: ${options.path}`);
    if (options.manifestPath) throw new DropError('--manifest applies to folder drops only');
    modelId = options.modelId ?? basename(options.path, '.tar.gz');
    files.push({ path: options.path, key: `${modelsPrefix}${modelId}.tar.gz`, size: stat.size });
  } else {
    modelId = options.modelId ?? basename(options.path);
    const folder = `${modelsPrefix}${modelId}/`;
    for (const path of walk(options.path)) {
      const rel = relative(options.path, path).split(sep).join('/');
      if (rel === manifestName) continue;
      files.push({ path, key: `${folder}${rel}`, size: statSync(path).size });
    }
    if (files.length === 0) throw new DropError(`folder ${options.path} has no files to drop`);
    const ownManifest = join(options.path, manifestName);
    const manifestPath =
      options.manifestPath ?? (statSync(ownManifest, { throwIfNoEntry: false }) ? ownManifest : undefined);
    manifest = manifestPath
      ? { path: manifestPath, key: `${folder}${manifestName}` }
      : { body: '{}', key: `${folder}${manifestName}` };
  }

  const manifestSize = !manifest
    ? 0
    : manifest.path
      ? statSync(manifest.path).size
      : Buffer.byteLength(manifest.body ?? '');
  const dropTotal = files.reduce((n, f) => n + f.size, 0) + manifestSize;
  let done = 0;
  const upload = async (key: string, body: string | ReturnType<typeof createReadStream>, size: number) => {
    const upload = new Upload({
      client: options.s3,
      params: { Bucket: bucket, Key: key, Body: body },
      queueSize: 4,
    });
    upload.on('httpUploadProgress', (p) =>
      options.onProgress?.({
        key,
        loaded: p.loaded ?? 0,
        total: size,
        dropLoaded: done + (p.loaded ?? 0),
        dropTotal,
      }),
    );
    const result = await upload.done();
    done += size;
    options.onProgress?.({ key, loaded: size, total: size, dropLoaded: done, dropTotal });
    return result;
  };

  for (const file of files) {
    const result = await upload(file.key, createReadStream(file.path), file.size);
    if (!manifest) {
      return finish(
        options,
        file.key,
        modelId,
        result,
        files.map((f) => f.key),
        dropTotal,
      );
    }
  }
  if (!manifest) throw new DropError('nothing was uploaded');
  const body = manifest.path ? createReadStream(manifest.path) : (manifest.body ?? '{}');
  const result = await upload(manifest.key, body, manifestSize);
  return finish(
    options,
    manifest.key,
    modelId,
    result,
    [...files.map((f) => f.key), manifest.key],
    dropTotal,
  );
}

function finish(
  options: DropOptions,
  triggerKey: string,
  modelId: string,
  result: { ETag?: string; VersionId?: string },
  uploadedKeys: string[],
  bytes: number,
): DropResult {
  const version = result.VersionId ?? result.ETag?.replace(/"/g, '');
  return {
    triggerKey,
    modelId,
    jobName: jobNameFor(modelId, { bucket: options.bucket, key: triggerKey, version }),
    uploadedKeys,
    bytes,
  };
}

function* walk(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
