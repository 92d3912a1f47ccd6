import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { InvalidDropError } from '../errors';
import { toIssues } from './issues';
import { type Manifest, manifestSchema } from './manifest-schema';
import type { S3ObjectRef } from './s3-notification';

const BYTE_ORDER_MARK = '\uFEFF';

export interface ManifestRules {
  maxManifestBytes: number;
}

/**
 * Parses and validates manifest text, after a leading UTF-8 byte-order mark if there is one.
 * Throws InvalidDropError with every problem and its path.
 */
export function parseManifest(text: string): Manifest {
  // Notepad and other editors start UTF-8 files with a byte-order mark, which JSON.parse refuses.
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
  let json: unknown;
  try {
    json = body.trim() === '' ? {} : JSON.parse(body);
  } catch (error) {
    throw new InvalidDropError([
      { path: '$', message: `manifest is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) throw new InvalidDropError(toIssues(result.error));
  return result.data;
}

/**
 * Reads the exact manifest version that was notified and validates it. The folder must hold
 * at least one file besides the manifest, since the manifest is uploaded last; a manifest whose
 * `source.sageMakerModel` names a registered model is the whole drop, so its folder must hold
 * nothing else (files there would be uploaded for nothing, or meant for another drop).
 */
export async function readManifest(
  s3: S3Client,
  object: S3ObjectRef,
  folderKey: string,
  rules: ManifestRules,
): Promise<Manifest> {
  if (object.size > rules.maxManifestBytes) {
    throw new InvalidDropError([
      { path: '$', message: `manifest is ${object.size} bytes; at most ${rules.maxManifestBytes}` },
    ]);
  }
  let text: string;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }),
    );
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (error instanceof NoSuchKey) {
      throw new InvalidDropError([{ path: '$', message: 'manifest no longer exists in the bucket' }], {
        cause: error,
      });
    }
    // The notified version was deleted for good: no retry brings it back, so the drop ends here
    // instead of being retried up to maxReceiveCount and dead-lettered. The SDK has no class for it.
    if ((error as { name?: unknown }).name === 'NoSuchVersion') {
      throw new InvalidDropError(
        [{ path: '$', message: `manifest version ${object.versionId} was deleted from the bucket` }],
        { cause: error },
      );
    }
    throw error;
  }
  if (Buffer.byteLength(text) > rules.maxManifestBytes) {
    throw new InvalidDropError([
      {
        path: '$',
        message: `manifest is ${Buffer.byteLength(text)} bytes; at most ${rules.maxManifestBytes}`,
      },
    ]);
  }
  const manifest = parseManifest(text);
  const others = await otherFiles(s3, object, folderKey);
  const sourceModel = manifest.source?.sageMakerModel?.name;
  if (sourceModel !== undefined && others.length > 0) {
    throw new InvalidDropError([
      {
        path: '$.source.sageMakerModel',
        message: `optimizes the registered model "${sourceModel}", so the folder s3://${object.bucket}/${folderKey} must hold the manifest only; it also holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ' and more' : ''}: drop the manifest alone in a folder of its own, or leave source out to optimize the folder's files`,
      },
    ]);
  }
  if (sourceModel === undefined && others.length === 0) {
    throw new InvalidDropError([
      {
        path: '$',
        message: `folder s3://${object.bucket}/${folderKey} has no model files besides the manifest`,
      },
    ]);
  }
  return manifest;
}

/** Up to ten keys under the folder besides the manifest (one is enough to decide). */
async function otherFiles(s3: S3Client, manifest: S3ObjectRef, folderKey: string): Promise<string[]> {
  const listing = await s3.send(
    new ListObjectsV2Command({ Bucket: manifest.bucket, Prefix: folderKey, MaxKeys: 10 }),
  );
  return (listing.Contents ?? [])
    .map((o) => o.Key ?? '')
    .filter((key) => key !== manifest.key && key !== '' && !key.endsWith('/'));
}
