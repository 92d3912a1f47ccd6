/**
 * Two of s3rver 3.7's request handlers replaced, for bugs a client can reach (s3rver is no
 * longer maintained, so they are fixed here rather than upstream):
 *
 * - ListObjects (`GET /<bucket>`): s3rver makes ListObjectsV2 continuation tokens with DES,
 *   which OpenSSL 3 (Node 17+) no longer offers, so a truncated listing or a continuation token
 *   was a 500. Tokens here are the bucket and last key, base64url-encoded.
 * - CompleteMultipartUpload: a `<Part>` without an `<ETag>`, or with a number in it, was a
 *   TypeError (500). Here a malformed list is `MalformedXML` and an unknown part `InvalidPart`.
 *   It also answers and announces the new version's id, as the handlers of
 *   ./versioned-handlers.ts do for the other writes.
 *
 * s3rver's router calls its controllers through their module objects at request time, so
 * replacing the functions there takes effect for every s3rver in the process.
 *
 * One operation s3rver lacks is added ahead of its router ({@link abortMultipartUpload}).
 */
import {
  type S3rverContext as Context,
  emitObjectCreated,
  invalidArgument,
  malformedXml,
  maxKeysOf,
  OWNER,
  readXml,
  requireBucket,
  s3rverModule,
  queryText as text,
} from './s3rver-context';

/**
 * DELETE Object ?uploadId: AbortMultipartUpload, which s3rver answers `405`. Its parts are
 * removed at once, so a drop interrupted with Ctrl-C gives its disk back (`model-opt drop`
 * aborts the uploads it leaves open). A middleware, since s3rver's router has no route for it.
 */
export async function abortMultipartUpload(ctx: Context, next: () => Promise<void>): Promise<void> {
  const bucket = /^\/([^/]+)\/./.exec(ctx.path)?.[1];
  if (ctx.method !== 'DELETE' || !bucket || !('uploadId' in ctx.query)) return next();
  await requireBucket(ctx, bucket);
  await ctx.store.abortUpload(bucket, text(ctx, 'uploadId') ?? '');
  ctx.status = 204;
}

/** The largest CompleteMultipartUpload body read: 10,000 parts of about 100 bytes each. */
const COMPLETE_BODY_MAX_BYTES = 2 * 1024 * 1024;

let applied = false;

/** Replaces the handlers (once per process). */
export function applyS3rverFixes(): void {
  if (applied) return;
  applied = true;
  const buckets = s3rverModule<{ getBucket: (ctx: Context) => Promise<void> }>(
    's3rver/lib/controllers/bucket.js',
  );
  const objects = s3rverModule<{ completeMultipartUpload: (ctx: Context) => Promise<void> }>(
    's3rver/lib/controllers/object.js',
  );
  buckets.getBucket = listObjects;
  objects.completeMultipartUpload = completeMultipartUpload;
}

/** GET Bucket: ListObjects (v1) and ListObjectsV2. */
async function listObjects(ctx: Context): Promise<void> {
  const bucket = ctx.params.bucket;
  const v2 = text(ctx, 'list-type') === '2';
  const { maxKeys, text: maxKeysText } = maxKeysOf(ctx);
  let startAfter: string | undefined;
  const token = text(ctx, 'continuation-token');
  if (v2) {
    if ('marker' in ctx.query)
      throw invalidArgument('Marker unsupported with REST.GET.BUCKET in list-type=2', 'marker');
    startAfter = token ? keyOfToken(token, bucket) : text(ctx, 'start-after');
  } else {
    if ('continuation-token' in ctx.query)
      throw invalidArgument(
        'continuation-token only supported in REST.GET.BUCKET with list-type=2',
        'continuation-token',
      );
    if ('start-after' in ctx.query)
      throw invalidArgument('startAfter only supported in REST.GET.BUCKET with list-type=2', 'start-after');
    startAfter = text(ctx, 'marker');
  }
  const prefix = text(ctx, 'prefix') || undefined;
  const delimiter = text(ctx, 'delimiter') || undefined;
  const result =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : await ctx.store.listObjects(bucket, { delimiter, startAfter, prefix, maxKeys });
  const last = result.objects.at(-1)?.key;
  ctx.body = {
    ListBucketResult: {
      '@': { xmlns: 'http://doc.s3.amazonaws.com/2006-03-01/' },
      Name: bucket,
      Prefix: prefix ?? '',
      ...(v2
        ? {
            StartAfter: token ? undefined : startAfter,
            ContinuationToken: token || undefined,
            NextContinuationToken:
              result.isTruncated && last !== undefined ? tokenOf(bucket, last) : undefined,
            KeyCount: result.objects.length,
          }
        : {
            Marker: startAfter ?? '',
            NextMarker: delimiter && result.isTruncated ? last : undefined,
          }),
      MaxKeys: maxKeysText || 1000,
      Delimiter: delimiter,
      IsTruncated: result.isTruncated,
      Contents: result.objects.map((object) => ({
        Key: object.key,
        LastModified: new Date(object.metadata['last-modified'] ?? 0).toISOString(),
        ETag: object.metadata.etag,
        Size: Number(object.metadata['content-length']),
        Owner: v2 && text(ctx, 'fetch-owner') !== 'true' ? undefined : OWNER,
        StorageClass: 'STANDARD',
      })),
      CommonPrefixes: result.commonPrefixes.map((Prefix) => ({ Prefix })),
    },
  };
}

function tokenOf(bucket: string, key: string): string {
  return Buffer.from(JSON.stringify([bucket, key])).toString('base64url');
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

/** POST Object ?uploadId: CompleteMultipartUpload. Answers the new version's id. */
async function completeMultipartUpload(ctx: Context): Promise<void> {
  const body = await readXml(ctx, COMPLETE_BODY_MAX_BYTES);
  const list = (body.CompleteMultipartUpload as { Part?: unknown } | undefined)?.Part;
  const parts = (Array.isArray(list) ? list : list === undefined ? [] : [list]).map((part) => {
    const { PartNumber, ETag } = (part ?? {}) as { PartNumber?: unknown; ETag?: unknown };
    if (typeof PartNumber !== 'string' || !/^\d{1,5}$/.test(PartNumber) || typeof ETag !== 'string')
      throw malformedXml();
    return { number: Number(PartNumber), etag: ETag.replace(/"/g, '') };
  });
  if (parts.length === 0) throw malformedXml();
  const uploadId = text(ctx, 'uploadId') ?? '';
  const { bucket, key } = ctx.params;
  const written = await ctx.store.putObjectMultipart(bucket, uploadId, parts);
  emitObjectCreated(ctx, bucket, 'ObjectCreated:CompleteMultipartUpload', { key, ...written });
  ctx.set('x-amz-version-id', written.versionId);
  ctx.body = {
    CompleteMultipartUploadResult: {
      Location: ctx.href.split('?')[0],
      Bucket: bucket,
      Key: key,
      ETag: JSON.stringify(written.md5),
    },
  };
}
