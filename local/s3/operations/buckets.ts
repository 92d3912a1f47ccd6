/**
 * The bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
 * GetBucketLocation, Get/PutBucketVersioning, ListObjects (v1 and v2), ListObjectVersions and
 * DeleteObjects.
 */
import { isDeleteMarker, type ListedVersion } from '../object-versions';
import {
  existingBucket,
  isoDate,
  keyEncoder,
  maxOf,
  OWNER,
  param,
  quotedEtag,
  type S3Answer,
  type S3Call,
  versionIdOf,
  xmlAnswer,
  xmlBody,
} from '../s3-call';
import { invalidArgument, malformedXml, S3ApiError } from '../s3-error';
import { checkKey } from '../s3-target';
import { textOf } from '../xml';

/** DeleteObjects takes at most 1,000 keys; its body is read up to this size. */
const DELETE_OBJECTS_MAX = 1000;
const DELETE_BODY_MAX_BYTES = 2 * 1024 * 1024;
const SMALL_BODY_MAX_BYTES = 64 * 1024;

export async function listBuckets(call: S3Call): Promise<S3Answer> {
  const buckets = await call.store.listBuckets();
  return xmlAnswer('ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.created.toISOString() })) },
  });
}

/** PUT Bucket: the stack's buckets exist from the start; creating one again is S3's answer to its owner. */
export async function createBucket(call: S3Call): Promise<S3Answer> {
  const bucket = call.bucket as string;
  if (await call.store.getBucket(bucket)) {
    throw new S3ApiError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: bucket },
    );
  }
  await call.store.putBucket(bucket);
  return { status: 200, headers: { location: `/${bucket}` } };
}

export async function headBucket(call: S3Call): Promise<S3Answer> {
  await existingBucket(call);
  return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
}

export async function deleteBucket(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  if (!call.store.isEmpty(bucket)) {
    throw new S3ApiError(
      'BucketNotEmpty',
      'The bucket you tried to delete is not empty. You must delete all versions in the bucket.',
      { BucketName: bucket },
    );
  }
  await call.store.deleteBucket(bucket);
  return { status: 204 };
}

export async function getBucketLocation(call: S3Call): Promise<S3Answer> {
  await existingBucket(call);
  // us-east-1 is answered as an empty constraint, as S3 does.
  return xmlAnswer('LocationConstraint', {});
}

export async function getBucketVersioning(call: S3Call): Promise<S3Answer> {
  await existingBucket(call);
  return xmlAnswer('VersioningConfiguration', { Status: 'Enabled' });
}

/** PUT Bucket ?versioning: Enabled is what the bucket is; suspending is not emulated. */
export async function putBucketVersioning(call: S3Call): Promise<S3Answer> {
  await existingBucket(call);
  const body = await xmlBody(call, 'VersioningConfiguration', SMALL_BODY_MAX_BYTES);
  const status = textOf(body.Status);
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  if (status === 'Suspended' || textOf(body.MfaDelete) === 'Enabled') {
    throw new S3ApiError(
      'NotImplemented',
      'The local stack keeps every bucket versioned, as the models bucket is on AWS: suspending versioning and MFA delete are not emulated (docs/local.md).',
    );
  }
  return { status: 200 };
}

/** GET Bucket: ListObjects (v1) and ListObjectsV2 (`list-type=2`). */
export async function listObjects(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const encode = keyEncoder(call);
  const v2 = param(call, 'list-type') === '2';
  if (param(call, 'list-type') !== undefined && !v2) {
    throw invalidArgument('Invalid List Type specified in Request', 'list-type', param(call, 'list-type'));
  }
  const maxKeys = maxOf(call, 'max-keys');
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const token = param(call, 'continuation-token');
  let startAfter: string;
  if (v2) {
    if (param(call, 'marker') !== undefined)
      throw invalidArgument('Marker unsupported with REST.GET.BUCKET in list-type=2', 'marker');
    startAfter = token !== undefined ? keyOfToken(token, bucket) : (param(call, 'start-after') ?? '');
  } else {
    if (token !== undefined)
      throw invalidArgument(
        'continuation-token only supported in REST.GET.BUCKET with list-type=2',
        'continuation-token',
      );
    if (param(call, 'start-after') !== undefined)
      throw invalidArgument('startAfter only supported in REST.GET.BUCKET with list-type=2', 'start-after');
    startAfter = param(call, 'marker') ?? '';
  }
  const listing = call.store.listObjects(bucket, { prefix, delimiter, startAfter, maxKeys });
  const withOwner = !v2 || param(call, 'fetch-owner') === 'true';
  const page = {
    Name: bucket,
    Prefix: encode(prefix),
    ...(v2
      ? {
          StartAfter:
            param(call, 'start-after') !== undefined ? encode(param(call, 'start-after')) : undefined,
          ContinuationToken: token,
          NextContinuationToken:
            listing.isTruncated && listing.last !== undefined ? tokenOf(bucket, listing.last) : undefined,
          KeyCount: listing.objects.length + listing.commonPrefixes.length,
        }
      : {
          Marker: encode(startAfter),
          NextMarker: delimiter && listing.isTruncated ? encode(listing.last) : undefined,
        }),
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: param(call, 'encoding-type'),
    IsTruncated: listing.isTruncated,
    Contents: listing.objects.map(({ key, version }) => ({
      Key: encode(key),
      LastModified: isoDate(version.modified),
      ETag: quotedEtag(version.md5),
      Size: version.size,
      Owner: withOwner ? OWNER : undefined,
      StorageClass: version.metadata['x-amz-storage-class'] ?? 'STANDARD',
    })),
    CommonPrefixes: listing.commonPrefixes.map((Prefix) => ({ Prefix: encode(Prefix) })),
  };
  return xmlAnswer('ListBucketResult', page);
}

/** A continuation token: the bucket and the last row returned, opaque to clients. */
function tokenOf(bucket: string, last: string): string {
  return Buffer.from(JSON.stringify([bucket, last])).toString('base64url');
}

function keyOfToken(token: string, bucket: string): string {
  try {
    const [tokenBucket, key] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (tokenBucket === bucket && typeof key === 'string') return key;
  } catch {
    // refused below
  }
  throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

/** GET Bucket ?versions: ListObjectVersions. */
export async function listObjectVersions(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const encode = keyEncoder(call);
  const maxKeys = maxOf(call, 'max-keys');
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const keyMarker = param(call, 'key-marker') ?? '';
  const versionIdMarker = param(call, 'version-id-marker') ?? '';
  const listing =
    maxKeys === 0
      ? { versions: [], commonPrefixes: [], isTruncated: false }
      : call.store.listObjectVersions(bucket, { prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const entry = ({ key, version, isLatest }: ListedVersion) => ({
    Key: encode(key),
    VersionId: version.versionId,
    IsLatest: isLatest,
    LastModified: isoDate(version.modified),
  });
  return xmlAnswer('ListVersionsResult', {
    Name: bucket,
    Prefix: encode(prefix),
    KeyMarker: encode(keyMarker),
    VersionIdMarker: versionIdMarker,
    NextKeyMarker: encode(listing.nextKeyMarker),
    NextVersionIdMarker: listing.nextVersionIdMarker,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: param(call, 'encoding-type'),
    IsTruncated: listing.isTruncated,
    Version: listing.versions.flatMap((row) =>
      isDeleteMarker(row.version)
        ? []
        : [
            {
              ...entry(row),
              ETag: quotedEtag(row.version.md5),
              Size: row.version.size,
              Owner: OWNER,
              StorageClass: 'STANDARD',
            },
          ],
    ),
    DeleteMarker: listing.versions.flatMap((row) =>
      isDeleteMarker(row.version) ? [{ ...entry(row), Owner: OWNER }] : [],
    ),
    CommonPrefixes: listing.commonPrefixes.map((Prefix) => ({ Prefix: encode(Prefix) })),
  });
}

/**
 * POST Bucket ?delete: DeleteObjects, each key as DeleteObject would, `Quiet` honoured. Keys are
 * taken exactly as sent, whitespace included (a key of spaces is a key).
 */
export async function deleteObjects(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  versionIdOf(call);
  const body = await xmlBody(call, 'Delete', DELETE_BODY_MAX_BYTES);
  const list = body.Object;
  const objects = (Array.isArray(list) ? list : []).map((entry) => {
    const fields = (entry ?? {}) as Record<string, unknown>;
    const key = textOf(fields.Key);
    const versionId = textOf(fields.VersionId);
    if (key === undefined) throw malformedXml();
    if (versionId === '') throw invalidArgument('Version id cannot be the empty string', 'versionId', '');
    // Checked before any is deleted: a bad key refuses the whole request.
    checkKey(key);
    return { key, versionId };
  });
  if (objects.length === 0 || objects.length > DELETE_OBJECTS_MAX) throw malformedXml();
  const quiet = textOf(body.Quiet)?.trim() === 'true';
  const deleted = [];
  for (const { key, versionId } of objects) {
    const result = await call.store.deleteObject(bucket, key, versionId);
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: result.deleteMarker || undefined,
      DeleteMarkerVersionId: result.deleteMarker ? result.versionId : undefined,
    });
  }
  return xmlAnswer('DeleteResult', { Deleted: quiet ? [] : deleted });
}
