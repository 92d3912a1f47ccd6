/**
 * Two of s3rver 3.7's request handlers replaced, for bugs a client can reach (s3rver is no
 * longer maintained, so they are fixed here rather than upstream):
 *
 * - ListObjects (`GET /<bucket>`): s3rver makes ListObjectsV2 continuation tokens with DES,
 *   which OpenSSL 3 (Node 17+) no longer offers, so a truncated listing or a continuation token
 *   was a 500. Tokens here are the bucket and last key, base64url-encoded.
 * - CompleteMultipartUpload: a `<Part>` without an `<ETag>`, or with a number in it, was a
 *   TypeError (500). Here a malformed list is `MalformedXML` and an unknown part `InvalidPart`.
 *
 * s3rver's router calls its controllers through their module objects at request time, so
 * replacing the functions there takes effect for every s3rver in the process.
 */
import { createRequire } from 'node:module';
import S3Error from 's3rver/lib/models/error.js';
import S3Event from 's3rver/lib/models/event.js';
import S3Object from 's3rver/lib/models/object.js';

const requireCjs = createRequire(import.meta.url);
const fromS3rver = createRequire(requireCjs.resolve('s3rver'));
/** s3rver's own XML parser and entity decoder (its dependencies), as its handlers use them. */
const xmlParser = fromS3rver('fast-xml-parser') as {
  validate(xml: string): true | object;
  parse(xml: string, options: object): Record<string, unknown>;
};
const he = fromS3rver('he') as { decode(text: string): string };

/** The part of a Koa context the handlers use. */
interface Context {
  params: { bucket: string; key: string };
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  href: string;
  ip: string;
  req: NodeJS.ReadableStream;
  body: unknown;
  store: {
    listObjects(
      bucket: string,
      options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys: number },
    ): Promise<{ objects: S3Object[]; commonPrefixes: string[]; isTruncated: boolean }>;
    putObjectMultipart(
      bucket: string,
      uploadId: string,
      parts: { number: number; etag: string }[],
    ): Promise<{ size: number; md5: string }>;
  };
  app: { emit(event: string, value: unknown): void };
}

const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };
/** The largest CompleteMultipartUpload body read: 10,000 parts of about 100 bytes each. */
const COMPLETE_BODY_MAX_BYTES = 2 * 1024 * 1024;

let applied = false;

/** Replaces the handlers (once per process). */
export function applyS3rverFixes(): void {
  if (applied) return;
  applied = true;
  const buckets = requireCjs('s3rver/lib/controllers/bucket.js') as {
    getBucket: (ctx: Context) => Promise<void>;
  };
  const objects = requireCjs('s3rver/lib/controllers/object.js') as {
    completeMultipartUpload: (ctx: Context) => Promise<void>;
  };
  buckets.getBucket = listObjects;
  objects.completeMultipartUpload = completeMultipartUpload;
}

function text(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

function invalidArgument(message: string, name: string, value?: string): S3Error {
  return new S3Error('InvalidArgument', message, {
    ArgumentName: name,
    ...(value !== undefined && { ArgumentValue: value.slice(0, 200) }),
  });
}

/** GET Bucket: ListObjects (v1) and ListObjectsV2. */
async function listObjects(ctx: Context): Promise<void> {
  const bucket = ctx.params.bucket;
  const v2 = text(ctx, 'list-type') === '2';
  let maxKeys = 1000;
  const maxKeysText = text(ctx, 'max-keys');
  if (maxKeysText) {
    if (!/^\d{1,10}$/.test(maxKeysText) || Number(maxKeysText) > 2_147_483_647) {
      throw invalidArgument(
        'Provided max-keys not an integer or within integer range',
        'max-keys',
        maxKeysText,
      );
    }
    maxKeys = Math.min(1000, Number(maxKeysText));
  }
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

/** POST Object ?uploadId: CompleteMultipartUpload. */
async function completeMultipartUpload(ctx: Context): Promise<void> {
  const malformed = () =>
    new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  const xml = await readText(ctx.req, COMPLETE_BODY_MAX_BYTES);
  if (xml === undefined || xmlParser.validate(xml) !== true) throw malformed();
  const body = xmlParser.parse(xml, {
    parseNodeValue: false,
    tagValueProcessor: (v: string) => he.decode(v),
  });
  const list = (body.CompleteMultipartUpload as { Part?: unknown } | undefined)?.Part;
  const parts = (Array.isArray(list) ? list : list === undefined ? [] : [list]).map((part) => {
    const { PartNumber, ETag } = (part ?? {}) as { PartNumber?: unknown; ETag?: unknown };
    if (typeof PartNumber !== 'string' || !/^\d{1,5}$/.test(PartNumber) || typeof ETag !== 'string')
      throw malformed();
    return { number: Number(PartNumber), etag: ETag.replace(/"/g, '') };
  });
  if (parts.length === 0) throw malformed();
  const uploadId = text(ctx, 'uploadId') ?? '';
  const { md5, size } = await ctx.store.putObjectMultipart(ctx.params.bucket, uploadId, parts);
  ctx.app.emit(
    'event',
    new S3Event(
      {
        bucket: ctx.params.bucket,
        eventType: 'Post',
        S3Item: new S3Object(ctx.params.bucket, ctx.params.key, null, {
          etag: JSON.stringify(md5),
          'content-length': size,
        }),
      },
      { reqHeaders: ctx.headers, sourceIp: ctx.ip },
    ),
  );
  ctx.body = {
    CompleteMultipartUploadResult: {
      Location: ctx.href.split('?')[0],
      Bucket: ctx.params.bucket,
      Key: ctx.params.key,
      ETag: JSON.stringify(md5),
    },
  };
}

/** A request body as UTF-8, or undefined when it is over `limit` bytes. */
async function readText(stream: NodeJS.ReadableStream, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
