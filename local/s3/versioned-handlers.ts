/**
 * s3rver's object handlers replaced by ones that answer as a versioning-enabled S3 bucket does
 * (the models bucket is versioned on AWS, and job names hash the version id). s3rver 3.7 knows
 * no versions: it ignored `?versionId=` and answered no `x-amz-version-id`.
 *
 * - PutObject and CopyObject answer the new version's id in `x-amz-version-id` (CopyObject also
 *   the source's, `x-amz-copy-source-version-id`), and announce it in their event, which
 *   becomes the notification's `s3.object.versionId` (./notifications.ts).
 * - GetObject and HeadObject answer the current version, or the one `?versionId=` names, with
 *   its id; a delete marker answers 404 (current) or 405 (named), with `x-amz-delete-marker`.
 * - DeleteObject and DeleteObjects add a delete marker, or remove a named version for good.
 * - On the bucket: ListObjectVersions (`?versions`), and GetBucketVersioning /
 *   PutBucketVersioning (`?versioning`: always Enabled; suspending is not emulated). s3rver's
 *   router has no route for these (it listed objects for `?versioning`, or created the bucket
 *   for a PUT), so they are served by a middleware ahead of it.
 *
 * CompleteMultipartUpload is replaced in ./s3rver-fixes.ts and answers its version id too.
 */
import S3Error from 's3rver/lib/models/error.js';
import S3Object from 's3rver/lib/models/object.js';
import { isDeleteMarker, type ListedVersion, type VersionListing } from './object-versions';
import { checkKeyLength } from './request-target';
import {
  type S3rverContext as Context,
  emitObjectCreated,
  invalidArgument,
  malformedXml,
  maxKeysOf,
  OWNER,
  queryText,
  readXml,
  requireBucket,
  s3rverModule,
} from './s3rver-context';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
/** DeleteObjects takes at most 1,000 keys; its body is read up to this size. */
const DELETE_OBJECTS_MAX = 1000;
const DELETE_BODY_MAX_BYTES = 2 * 1024 * 1024;
const VERSIONING_BODY_MAX_BYTES = 64 * 1024;

let applied = false;

/** Replaces s3rver's object handlers with the versioned ones (once per process). */
export function applyVersionedHandlers(): void {
  if (applied) return;
  applied = true;
  const objects = s3rverModule<Record<string, (ctx: Context) => Promise<void>>>(
    's3rver/lib/controllers/object.js',
  );
  Object.assign(objects, { getObject, putObject, putObjectCopy, deleteObject, deleteMultipleObjects });
}

/** `?versionId=`: undefined when absent; S3 refuses an empty one. */
function versionIdOf(ctx: Context): string | undefined {
  const versionId = queryText(ctx, 'versionId');
  if (versionId === '') throw emptyVersionId();
  return versionId;
}

function emptyVersionId(): S3Error {
  return invalidArgument('Version id cannot be the empty string', 'versionId', '');
}

/** GET and HEAD Object, of the current version or of `?versionId=`. */
async function getObject(ctx: Context): Promise<void> {
  const { bucket, key } = ctx.params;
  const versionId = versionIdOf(ctx);
  const options: { start?: number; end?: number; suffix?: number; versionId?: string } = { versionId };
  const range = ctx.headers.range;
  if (typeof range === 'string' && /^bytes=/.test(range)) {
    const [start, end] = range.replace('bytes=', '').split('-');
    // `bytes=-N` is the last N bytes (RFC 9110), not bytes 0..N.
    if (start === '' && end) options.suffix = Number(end);
    else {
      options.start = Number(start);
      if (end) options.end = Number(end);
    }
  }
  const object = await ctx.store.getObject(bucket, key, options);
  if (!object) throw notFound(ctx, versionId);
  if (object.range && !object.content) {
    throw new S3Error('InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: String(range),
      ActualObjectSize: Number(object.metadata['content-length']),
    });
  }
  const content = object.content as NodeJS.ReadableStream & { destroy(): void };
  const noneMatch = ctx.headers['if-none-match'];
  const modifiedSince = ctx.headers['if-modified-since'];
  const notModified =
    (noneMatch !== undefined && (noneMatch === object.metadata.etag || noneMatch === '*')) ||
    (typeof modifiedSince === 'string' &&
      new Date(modifiedSince) >= new Date(object.metadata['last-modified'] ?? 0));
  if (notModified) {
    content.destroy();
    ctx.status = 304;
    return;
  }
  ctx.set('Accept-Ranges', 'bytes');
  for (const [name, value] of Object.entries(object.metadata)) ctx.set(name, String(value));
  const size = Number(object.metadata['content-length']);
  if (object.range) {
    ctx.set('Content-Range', `bytes ${object.range.start}-${object.range.end}/${size}`);
    ctx.length = object.range.end + 1 - object.range.start;
    ctx.status = 206;
  } else {
    ctx.length = size;
    ctx.status = 200;
  }
  if (ctx.method === 'HEAD') content.destroy();
  else ctx.body = content;
}

/**
 * What a GET or HEAD that found no object answers: a delete marker is named in the headers,
 * and answers 405 when asked for by id; an unknown version id is NoSuchVersion.
 */
function notFound(ctx: Context, versionId: string | undefined): S3Error {
  const { bucket, key } = ctx.params;
  const version = ctx.store.findVersion(bucket, key, versionId);
  if (isDeleteMarker(version)) {
    ctx.set('x-amz-delete-marker', 'true');
    ctx.set('x-amz-version-id', version.versionId);
    if (versionId !== undefined) {
      return new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        Method: ctx.method,
        ResourceType: 'DeleteMarker',
      });
    }
  } else if (versionId !== undefined) {
    return new S3Error('NoSuchVersion', 'The specified version does not exist.', {
      Key: key,
      VersionId: versionId,
    });
  }
  return new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
}

/** PUT Object: a new version. */
async function putObject(ctx: Context): Promise<void> {
  const { bucket, key } = ctx.params;
  const object = new S3Object(bucket, key, ctx.req, ctx.headers as Record<string, string>);
  const written = await ctx.store.putObject(object);
  emitObjectCreated(ctx, bucket, 'ObjectCreated:Put', { key, ...written });
  ctx.set('x-amz-version-id', written.versionId);
  ctx.etag = written.md5;
  ctx.body = '';
}

/** PUT Object - Copy, from the source's current version or the one its `?versionId=` names. */
async function putObjectCopy(ctx: Context): Promise<void> {
  const { bucket, key } = ctx.params;
  const source = copySourceOf(String(ctx.headers['x-amz-copy-source']));
  await requireBucket(ctx, source.bucket);
  const replace = ctx.headers['x-amz-metadata-directive'] === 'REPLACE';
  // Copying a version over its own key restores it (S3's way to undo an overwrite).
  if (source.bucket === bucket && source.key === key && !replace && source.versionId === undefined) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const copied = await ctx.store.copyObject(
    source.bucket,
    source.key,
    bucket,
    key,
    replace ? (ctx.headers as Record<string, string>) : null,
    source.versionId,
  );
  emitObjectCreated(ctx, bucket, 'ObjectCreated:Copy', {
    key,
    size: Number(copied.metadata['content-length']),
    md5: JSON.parse(String(copied.metadata.etag)) as string,
    versionId: copied.versionId,
  });
  ctx.set('x-amz-version-id', copied.versionId);
  ctx.set('x-amz-copy-source-version-id', copied.sourceVersionId);
  ctx.body = {
    CopyObjectResult: {
      LastModified: new Date(String(copied.metadata['last-modified'])).toISOString(),
      ETag: copied.metadata.etag,
    },
  };
}

/**
 * The copy source as the proxy passes it on (./request-target.ts): bucket and key each
 * URI-component-encoded, then `?versionId=` and the encoded id when there is one.
 */
function copySourceOf(header: string): { bucket: string; key: string; versionId?: string } {
  const [path = '', query] = header.split('?', 2);
  const slash = path.indexOf('/');
  const versionId = query === undefined ? undefined : new URLSearchParams(query).get('versionId');
  return {
    bucket: decodeURIComponent(path.slice(0, slash)),
    key: decodeURIComponent(path.slice(slash + 1)),
    ...(versionId !== null && versionId !== undefined && { versionId }),
  };
}

/** DELETE Object: a delete marker, or `?versionId=` removed for good. */
async function deleteObject(ctx: Context): Promise<void> {
  const { bucket, key } = ctx.params;
  const deleted = await ctx.store.deleteObject(bucket, key, versionIdOf(ctx));
  if (deleted.deleteMarker) ctx.set('x-amz-delete-marker', 'true');
  ctx.set('x-amz-version-id', deleted.versionId);
  ctx.status = 204;
}

/** POST Bucket ?delete: DeleteObjects, each key as DeleteObject would, `Quiet` honoured. */
async function deleteMultipleObjects(ctx: Context): Promise<void> {
  const body = (await readXml(ctx, DELETE_BODY_MAX_BYTES)).Delete as
    | { Object?: unknown; Quiet?: unknown }
    | undefined;
  const list = body?.Object;
  const objects = (Array.isArray(list) ? list : list === undefined ? [] : [list]).map((entry) => {
    const { Key, VersionId } = (entry ?? {}) as { Key?: unknown; VersionId?: unknown };
    if (typeof Key !== 'string' || (VersionId !== undefined && typeof VersionId !== 'string'))
      throw malformedXml();
    if (VersionId === '') throw emptyVersionId();
    // Checked before any is deleted: a bad key refuses the whole request.
    if (Key === '') throw new S3Error('InvalidArgument', 'User key must have a length greater than 0.');
    checkKeyLength(Key);
    return { key: Key, versionId: VersionId as string | undefined };
  });
  if (objects.length === 0 || objects.length > DELETE_OBJECTS_MAX) throw malformedXml();
  const deleted = [];
  for (const { key, versionId } of objects) {
    const result = await ctx.store.deleteObject(ctx.params.bucket, key, versionId);
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: result.deleteMarker || undefined,
      DeleteMarkerVersionId: result.deleteMarker ? result.versionId : undefined,
    });
  }
  ctx.body = {
    DeleteResult: {
      '@': { xmlns: XMLNS },
      Deleted: body?.Quiet === 'true' ? [] : deleted,
    },
  };
}

type Next = () => Promise<void>;

/**
 * A Koa middleware for s3rver that serves the bucket's versioning requests, which s3rver's
 * router does not route: ListObjectVersions, GetBucketVersioning and PutBucketVersioning.
 * Everything else goes on to the router.
 */
export async function bucketVersioning(ctx: Context, next: Next): Promise<void> {
  const bucket = /^\/([^/]+)\/?$/.exec(ctx.path)?.[1];
  const operation = bucket && (['versions', 'versioning'] as const).find((name) => name in ctx.query);
  if (!bucket || !operation) return next();
  await requireBucket(ctx, bucket);
  const method = ctx.method === 'HEAD' ? 'GET' : ctx.method;
  if (operation === 'versions' && method === 'GET') return listObjectVersions(ctx, bucket);
  if (operation === 'versioning' && method === 'GET') {
    ctx.body = { VersioningConfiguration: { '@': { xmlns: XMLNS }, Status: 'Enabled' } };
    return;
  }
  if (operation === 'versioning' && method === 'PUT') return putBucketVersioning(ctx);
  throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: ctx.method,
    ResourceType: operation.toUpperCase(),
  });
}

/** GET Bucket ?versions: ListObjectVersions. */
function listObjectVersions(ctx: Context, bucket: string): void {
  const { maxKeys, text: maxKeysText } = maxKeysOf(ctx);
  const prefix = queryText(ctx, 'prefix') || undefined;
  const delimiter = queryText(ctx, 'delimiter') || undefined;
  const keyMarker = queryText(ctx, 'key-marker') || undefined;
  const versionIdMarker = queryText(ctx, 'version-id-marker') || undefined;
  const listing: VersionListing =
    maxKeys === 0
      ? { versions: [], commonPrefixes: [], isTruncated: false }
      : ctx.store.listObjectVersions(bucket, { prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const entry = ({ key, version, isLatest }: ListedVersion) => ({
    Key: key,
    VersionId: version.versionId,
    IsLatest: isLatest,
    LastModified: new Date(version.modified).toISOString(),
  });
  ctx.body = {
    ListVersionsResult: {
      '@': { xmlns: XMLNS },
      Name: bucket,
      Prefix: prefix ?? '',
      KeyMarker: keyMarker ?? '',
      VersionIdMarker: versionIdMarker ?? '',
      NextKeyMarker: listing.nextKeyMarker,
      NextVersionIdMarker: listing.nextVersionIdMarker,
      MaxKeys: maxKeysText || 1000,
      Delimiter: delimiter,
      IsTruncated: listing.isTruncated,
      Version: listing.versions.flatMap((row) =>
        isDeleteMarker(row.version)
          ? []
          : [
              {
                ...entry(row),
                ETag: JSON.stringify(row.version.md5),
                Size: row.version.size,
                Owner: OWNER,
                StorageClass: 'STANDARD',
              },
            ],
      ),
      DeleteMarker: listing.versions.flatMap((row) =>
        isDeleteMarker(row.version) ? [{ ...entry(row), Owner: OWNER }] : [],
      ),
      CommonPrefixes: listing.commonPrefixes.map((Prefix) => ({ Prefix })),
    },
  };
}

/** PUT Bucket ?versioning: Enabled is what the bucket is; anything else is not emulated. */
async function putBucketVersioning(ctx: Context): Promise<void> {
  const body = (await readXml(ctx, VERSIONING_BODY_MAX_BYTES)).VersioningConfiguration as
    | { Status?: unknown; MfaDelete?: unknown }
    | undefined;
  if (!body || typeof body !== 'object') throw malformedXml();
  const { Status, MfaDelete } = body;
  if (Status !== undefined && Status !== 'Enabled' && Status !== 'Suspended') throw malformedXml();
  if (Status === 'Suspended' || MfaDelete === 'Enabled') {
    throw new S3Error(
      'NotImplemented',
      'The local stack keeps every bucket versioned, as the models bucket is on AWS: suspending versioning and MFA delete are not emulated (docs/local.md).',
    );
  }
  ctx.body = '';
}
