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
import { DropError, type DropPlan, planDrop } from './drop-plan';

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

export { DropError } from './drop-plan';

/** Uploads a drop; resolves when every object, manifest last, is in the bucket. */
export async function dropModel(options: DropOptions): Promise<DropResult> {
  const { bucket } = options;
  const rules = {
    modelsPrefix: options.modelsPrefix ?? 'models/',
    manifestName: options.manifestName ?? 'optimization.json',
  };
  const stat = statSync(options.path, { throwIfNoEntry: false });
  if (!stat) throw new DropError(`no such file or folder: ${options.path}`);

  let plan: DropPlan<string>;
  if (stat.isFile()) {
    if (options.manifestPath && options.path.endsWith('.tar.gz'))
      throw new DropError('--manifest applies to folder drops only');
    plan = planDrop(
      {
        kind: 'artifact',
        name: options.path,
        size: stat.size,
        file: options.path,
        modelId: options.modelId ?? basename(options.path, '.tar.gz'),
      },
      rules,
    );
  } else {
    const files = [...walk(options.path)].map((path) => ({
      path: relative(options.path, path).split(sep).join('/'),
      size: statSync(path).size,
      file: path,
    }));
    plan = planDrop(
      {
        kind: 'folder',
        name: basename(options.path),
        files,
        ...(options.modelId && { modelId: options.modelId }),
        ...(options.manifestPath && {
          manifest: { size: statSync(options.manifestPath).size, file: options.manifestPath },
        }),
      },
      rules,
    );
  }

  let done = 0;
  let result: { ETag?: string; VersionId?: string } = {};
  for (const { key, size, source } of plan.uploads) {
    const upload = new Upload({
      client: options.s3,
      params: {
        Bucket: bucket,
        Key: key,
        Body: 'file' in source ? createReadStream(source.file) : source.text,
      },
      queueSize: 4,
    });
    upload.on('httpUploadProgress', (p) =>
      options.onProgress?.({
        key,
        loaded: p.loaded ?? 0,
        total: size,
        dropLoaded: done + (p.loaded ?? 0),
        dropTotal: plan.bytes,
      }),
    );
    result = await upload.done();
    done += size;
    options.onProgress?.({ key, loaded: size, total: size, dropLoaded: done, dropTotal: plan.bytes });
  }
  const version = result.VersionId ?? result.ETag?.replace(/"/g, '');
  return {
    triggerKey: plan.triggerKey,
    modelId: plan.modelId,
    jobName: jobNameFor(plan.modelId, { bucket, key: plan.triggerKey, version }),
    uploadedKeys: plan.uploads.map((u) => u.key),
    bytes: plan.bytes,
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
