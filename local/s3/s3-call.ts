/**
 * What an S3 operation is given and what it answers: the request as the router parsed it, the
 * store, and how to announce a new version; an answer is a status, headers and a body (XML
 * text, or an object's bytes as a stream).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { HashedStore, Written } from './hashed-store';
import type { ObjectCreatedEvent } from './notifications';
import { invalidArgument, malformedXml, noSuchBucket } from './s3-error';
import { parseXml, xmlDocument } from './xml';

export interface S3Call {
  method: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  store: HashedStore;
  /** The request's body, aws-chunked framing removed; read it once. */
  body(): Readable;
  /** The request's body as text, refused as MalformedXML past `limit` bytes. */
  text(limit: number): Promise<string>;
  /** Announces a new version (an object-created event). */
  announce(bucket: string, event: ObjectCreatedEvent, key: string, written: Written): void;
}

export interface S3Answer {
  status: number;
  headers?: Record<string, string | number>;
  body?: string | Readable;
}

/** The owner S3 lists objects and uploads with. */
export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'local',
};

export function xmlAnswer(
  root: string,
  body: Record<string, unknown>,
  headers: S3Answer['headers'] = {},
): S3Answer {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: xmlDocument(root, body),
  };
}

/** The call's bucket, which must exist (NoSuchBucket otherwise). */
export async function existingBucket(call: S3Call, name = call.bucket): Promise<string> {
  if (name === undefined || !(await call.store.getBucket(name))) throw noSuchBucket(name ?? '');
  return name;
}

/** A query parameter's value: undefined when absent. */
export function param(call: S3Call, name: string): string | undefined {
  return call.query.get(name) ?? undefined;
}

export function header(call: S3Call, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `?versionId=`: undefined when absent; S3 refuses an empty one. */
export function versionIdOf(call: S3Call): string | undefined {
  const versionId = param(call, 'versionId');
  if (versionId === '') throw invalidArgument('Version id cannot be the empty string', 'versionId', '');
  return versionId;
}

/** A count parameter (`max-keys`, `max-parts`, `max-uploads`): `fallback` unless given, at most 1,000. */
export function maxOf(call: S3Call, name: string, fallback = 1000): number {
  const text = param(call, name);
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,10}$/.test(text) || Number(text) > 2_147_483_647) {
    throw invalidArgument(`Provided ${name} not an integer or within integer range`, name, text);
  }
  return Math.min(1000, Number(text));
}

/** A request body parsed as XML; MalformedXML when it is not, or when its root is another. */
export async function xmlBody(call: S3Call, root: string, limit: number): Promise<Record<string, unknown>> {
  const parsed = parseXml(await call.text(limit));
  const element = parsed?.[root];
  if (element === undefined) throw malformedXml();
  return typeof element === 'object' && element !== null ? (element as Record<string, unknown>) : {};
}

/** S3's quoted ETag of an md5 (or a multipart `<md5>-<n>`). */
export function quotedEtag(md5: string): string {
  return `"${md5}"`;
}

export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * `encoding-type=url`: keys and prefixes in the answer URL-encoded as S3 encodes them (every
 * byte but unreserved characters and `/`); anything else is refused as S3 refuses it.
 */
export function keyEncoder(call: S3Call): (text: string | undefined) => string | undefined {
  const type = param(call, 'encoding-type');
  if (type === undefined) return (text) => text;
  if (type !== 'url')
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return (text) =>
    text === undefined
      ? undefined
      : encodeURIComponent(text)
          .replace(/%2F/g, '/')
          .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
