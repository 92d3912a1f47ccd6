/**
 * Resumable drops: whether an object already in the bucket holds a local file, judged by the
 * checksum S3 stores for it (docs/cli.md, "Resuming a drop"). Sizes first, then, in this
 * order, the first that S3 has:
 * 1. an additional checksum (CRC64NVME, CRC32, CRC32C, SHA-256, SHA-1), full-object or composite;
 * 2. the ETag, when it is an MD5 (single-part) or an MD5 of part MD5s (multipart, `-N`).
 * A composite checksum or a multipart ETag depends on the part size of the upload that made it:
 * the part sizes that give its part count are tried (see {@link candidatePartSizes}). Anything
 * else (an SSE-KMS ETag, say) cannot be compared, and the file is sent again.
 */
import { HeadObjectCommand, ListObjectsV2Command, NotFound, type S3Client } from '@aws-sdk/client-s3';
import type { ChecksumAlgorithm, LocalBytes } from './file-checksums';
import { candidatePartSizes } from './part-size';

/** An object in the bucket, as a listing or a HEAD shows it. */
export interface RemoteObject {
  key: string;
  size: number;
  /** Without quotes. */
  eTag?: string;
  /** From a HEAD, in a versioned bucket. */
  versionId?: string;
  /** Whether S3 says it stores an additional checksum (then a HEAD reads its value). */
  hasChecksum: boolean;
  /** The additional checksums, once read. */
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}

/** The verdict on one file: `same`, and how that was decided (for the docs, tests and `--json`). */
export interface MatchResult {
  same: boolean;
  /** E.g. `CRC32 composite`, `ETag (MD5)`, `size differs`. */
  by: string;
}

type Additional = Exclude<ChecksumAlgorithm, 'MD5'>;
const ADDITIONAL: Additional[] = ['CRC64NVME', 'CRC32', 'CRC32C', 'SHA256', 'SHA1'];
const unquote = (eTag: string | undefined) => eTag?.replace(/"/g, '');
/** An ETag that is an MD5 (single part) or an MD5 of part MD5s (multipart); SSE-KMS ETags are not. */
const MD5_ETAG = /^[0-9a-f]{32}(-\d+)?$/;

/** The objects under `prefix`, by key. */
export async function listRemote(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Map<string, RemoteObject>> {
  const objects = new Map<string, RemoteObject>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      objects.set(o.Key, {
        key: o.Key,
        size: o.Size ?? 0,
        eTag: unquote(o.ETag),
        hasChecksum: (o.ChecksumAlgorithm?.length ?? 0) > 0,
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

/** One object with its checksums, or `undefined` when there is none. */
export async function headRemote(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<RemoteObject | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const algorithm of ADDITIONAL) {
      const value = head[`Checksum${algorithm}`];
      if (value) checksums[algorithm] = value;
    }
    return {
      key,
      size: head.ContentLength ?? 0,
      eTag: unquote(head.ETag),
      ...(head.VersionId && { versionId: head.VersionId }),
      hasChecksum: Object.keys(checksums).length > 0,
      checksums,
    };
  } catch (error) {
    if (
      error instanceof NotFound ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return undefined;
    throw error;
  }
}

/** Whether `local` has the same bytes as `stored`: a part count `-N` tries each fitting part size. */
async function sameChecksum(
  local: LocalBytes,
  algorithm: ChecksumAlgorithm,
  stored: string,
  basePartSize: number,
): Promise<boolean> {
  const composite = /-(\d+)$/.exec(stored);
  if (!composite) return (await local.checksum({ algorithm })) === stored;
  for (const partSize of candidatePartSizes(local.size, Number(composite[1]), basePartSize)) {
    if ((await local.checksum({ algorithm, partSize })) === stored) return true;
  }
  return false;
}

/**
 * Whether `remote` holds the `local` bytes, by the checksum S3 stores (see the module comment).
 * `basePartSize` is the part size `drop` uploads with, tried first for multipart forms.
 */
export async function remoteHolds(
  s3: S3Client,
  bucket: string,
  remote: RemoteObject,
  local: LocalBytes,
  basePartSize: number,
): Promise<MatchResult> {
  if (remote.size !== local.size) return { same: false, by: 'size differs' };
  // A HEAD reads the checksums when the listing names one, or when the ETag is no MD5 (an
  // SSE-KMS bucket, such as the pipeline's on AWS) and a checksum is the only way to compare.
  let object = remote;
  const eTagComparable = MD5_ETAG.test(remote.eTag ?? '');
  if (!remote.checksums && (remote.hasChecksum || !eTagComparable))
    object = (await headRemote(s3, bucket, remote.key)) ?? remote;
  for (const algorithm of ADDITIONAL) {
    const stored = object.checksums?.[algorithm];
    if (!stored) continue;
    const form = /-\d+$/.test(stored) ? 'composite' : 'full object';
    return { same: await sameChecksum(local, algorithm, stored, basePartSize), by: `${algorithm} (${form})` };
  }
  const eTag = object.eTag ?? '';
  if (MD5_ETAG.test(eTag)) {
    const form = eTag.includes('-') ? 'ETag (multipart MD5)' : 'ETag (MD5)';
    return { same: await sameChecksum(local, 'MD5', eTag, basePartSize), by: form };
  }
  return { same: false, by: 'no checksum that can be computed locally' };
}
