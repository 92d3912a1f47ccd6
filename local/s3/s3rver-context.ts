/**
 * What the handlers that replace s3rver's (./s3rver-fixes.ts, ./versioned-handlers.ts) share:
 * the part of s3rver's Koa context they use, its XML parser, and the small readers of a
 * request's query and body.
 */
import { createRequire } from 'node:module';
import S3Error from 's3rver/lib/models/error.js';
import type { HashedStore } from './hashed-store';
import { type ObjectCreatedEvent, objectCreatedRecord } from './notifications';

const requireCjs = createRequire(import.meta.url);
const fromS3rver = createRequire(requireCjs.resolve('s3rver'));

/** s3rver's own XML parser (its dependency), as its handlers use it. */
export const xmlParser = fromS3rver('fast-xml-parser') as {
  validate(xml: string): true | object;
  parse(xml: string, options: object): Record<string, unknown>;
};
/** s3rver's entity decoder (its dependency), for XML text values. */
export const he = fromS3rver('he') as { decode(text: string): string };

/** Loads one of s3rver's CommonJS modules (its controllers, to replace their functions). */
export function s3rverModule<T>(path: string): T {
  return requireCjs(path) as T;
}

/** The part of a Koa context of s3rver's the replacing handlers use. */
export interface S3rverContext {
  method: string;
  path: string;
  params: { bucket: string; key: string };
  query: Record<string, string | string[] | undefined>;
  headers: Record<string, string | string[] | undefined>;
  href: string;
  ip: string;
  req: NodeJS.ReadableStream;
  body: unknown;
  status: number;
  length: number;
  etag: string;
  type: string;
  set(name: string, value: string): void;
  store: HashedStore;
  app: { emit(event: string, value: unknown): void };
}

/** The owner S3 lists objects with (s3rver's dummy account). */
export const OWNER = { ID: '123456789000', DisplayName: 'S3rver' };

/** The first value of a query parameter. */
export function queryText(ctx: Pick<S3rverContext, 'query'>, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

export function invalidArgument(message: string, name: string, value?: string): S3Error {
  return new S3Error('InvalidArgument', message, {
    ArgumentName: name,
    ...(value !== undefined && { ArgumentValue: value.slice(0, 200) }),
  });
}

/** Throws S3's `NoSuchBucket` unless `bucket` exists. */
export async function requireBucket(ctx: Pick<S3rverContext, 'store'>, bucket: string): Promise<void> {
  if (!(await ctx.store.getBucket(bucket))) {
    throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  }
}

export function malformedXml(): S3Error {
  return new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );
}

/** A listing's `max-keys`: 1,000 unless given, at most 1,000; InvalidArgument when not a number. */
export function maxKeysOf(ctx: Pick<S3rverContext, 'query'>): { maxKeys: number; text?: string } {
  const text = queryText(ctx, 'max-keys');
  if (!text) return { maxKeys: 1000 };
  if (!/^\d{1,10}$/.test(text) || Number(text) > 2_147_483_647) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', text);
  }
  return { maxKeys: Math.min(1000, Number(text)), text };
}

/** A request body as UTF-8, or undefined when it is over `limit` bytes. */
export async function readText(stream: NodeJS.ReadableStream, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An XML request body parsed as s3rver parses them (values as text); MalformedXML when it is not XML. */
export async function readXml(
  ctx: Pick<S3rverContext, 'req'>,
  limit: number,
): Promise<Record<string, unknown>> {
  const xml = await readText(ctx.req, limit);
  if (xml === undefined || xmlParser.validate(xml) !== true) throw malformedXml();
  return xmlParser.parse(xml, { parseNodeValue: false, tagValueProcessor: (v: string) => he.decode(v) });
}

/**
 * Announces a stored object the way s3rver's server announces events (`event`, a `Records`
 * list), with what s3rver's own event leaves out: the version id, and S3's event names.
 */
export function emitObjectCreated(
  ctx: Pick<S3rverContext, 'app'>,
  bucket: string,
  eventName: ObjectCreatedEvent,
  object: { key: string; size: number; md5: string; versionId: string },
): void {
  ctx.app.emit('event', { Records: [objectCreatedRecord(bucket, eventName, object, new Date())] });
}
