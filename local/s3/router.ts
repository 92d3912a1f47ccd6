/**
 * The local S3's router: an S3 REST request (path style) to its operation, over the store, and
 * the operation's answer back to the client, streamed both ways. It is served on the edge's
 * one listener, behind its guard (../edge/server.ts).
 *
 * Written here rather than taken from a package: the S3 servers on npm are whole servers with a
 * store of their own (s3rver, which this replaced, was bent with patches and a proxy to fit the
 * store's versions, hard-linked parts and outbox); routing S3's ~25 operations is a table.
 *
 * Every stream's end is handled: a client that goes away mid-upload leaves no object (the
 * store stages the body and discards it), one that goes away mid-download releases the files;
 * an aws-chunked body that breaks its framing is `400 IncompleteBody`. An error the router did
 * not expect is `500 InternalError` for that request alone, and reported as a bug.
 */
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AwsChunkedDecodeError,
  AwsChunkedDecoder,
  decodedContentLength,
  decodedHeaders,
  isAwsChunked,
} from './aws-chunked';
import type { HashedStore, Written } from './hashed-store';
import type { ObjectCreatedEvent } from './notifications';
import {
  createBucket,
  deleteBucket,
  deleteObjects,
  getBucketLocation,
  getBucketVersioning,
  headBucket,
  listBuckets,
  listObjects,
  listObjectVersions,
  putBucketVersioning,
} from './operations/buckets';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './operations/multipart';
import { copyObject, deleteObject, getObject, getObjectAttributes, putObject } from './operations/objects';
import type { S3Answer, S3Call } from './s3-call';
import { malformedXml, methodNotAllowed, notImplemented, S3ApiError } from './s3-error';
import { s3Target } from './s3-target';

export interface S3RouterStats {
  requests: number;
  /** Requests whose client went away before the answer was complete. */
  clientsGone: number;
}

export interface S3RouterOptions {
  store: HashedStore;
  announce(bucket: string, event: ObjectCreatedEvent, key: string, written: Written): void;
  /** A bug: an error no operation expected. */
  onInternalError(error: unknown, path: string): void;
}

export interface S3Router {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  stats: S3RouterStats;
}

type Operation = (call: S3Call) => Promise<S3Answer>;

/** Bucket subresources S3 has and the local stack does not serve: 501, never a listing. */
const UNSERVED_BUCKET = [
  'acl',
  'cors',
  'encryption',
  'lifecycle',
  'logging',
  'notification',
  'ownershipControls',
  'policy',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'tagging',
  'website',
  'accelerate',
  'analytics',
  'intelligent-tiering',
  'inventory',
  'metrics',
  'object-lock',
  'policyStatus',
];
const UNSERVED_OBJECT = ['acl', 'tagging', 'legal-hold', 'retention', 'torrent', 'restore', 'select'];

export function createS3Router(options: S3RouterOptions): S3Router {
  const stats: S3RouterStats = { requests: 0, clientsGone: 0 };
  let requestIds = 0;
  return {
    stats,
    async handle(req, res) {
      stats.requests += 1;
      const requestId = (++requestIds).toString(16).toUpperCase().padStart(16, '0');
      res.setHeader('x-amz-request-id', requestId);
      let clientGone = false;
      const onGone = () => {
        if (clientGone || res.writableFinished) return;
        clientGone = true;
        stats.clientsGone += 1;
        res.destroy();
      };
      req.once('aborted', onGone);
      res.once('close', () => {
        if (!res.writableFinished) onGone();
      });
      const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
      try {
        const call = callOf(req, options.store, options.announce);
        const answer = await routeOf(call)(call);
        await send(req, res, answer);
      } catch (error) {
        if (clientGone || res.destroyed) {
          onGone();
          return;
        }
        if (!(error instanceof S3ApiError) && !isBodyError(error)) options.onInternalError(error, path);
        answerError(req, res, toS3Error(error), requestId);
      }
    },
  };
}

/** The operation a request names, by method, bucket/key and subresource. */
function routeOf(call: S3Call): Operation {
  const { method, bucket, key, query } = call;
  const has = (name: string) => query.has(name);
  if (bucket === undefined) {
    if (method === 'GET' || method === 'HEAD') return listBuckets;
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (key === undefined) {
    const unserved = UNSERVED_BUCKET.find(has);
    if (unserved) throw notImplemented(`The bucket's ${unserved} subresource`);
    switch (method) {
      case 'GET':
      case 'HEAD':
        if (has('versioning')) return getBucketVersioning;
        if (has('versions')) return listObjectVersions;
        if (has('uploads')) return listMultipartUploads;
        if (has('location')) return getBucketLocation;
        return method === 'HEAD' ? headBucket : listObjects;
      case 'PUT':
        return has('versioning') ? putBucketVersioning : createBucket;
      case 'DELETE':
        return deleteBucket;
      case 'POST':
        if (has('delete')) return deleteObjects;
        if (/^multipart\/form-data/i.test(String(call.headers['content-type'] ?? ''))) {
          throw notImplemented('Browser-form uploads (POST Object)');
        }
        throw methodNotAllowed(method, 'BUCKET');
      default:
        throw methodNotAllowed(method, 'BUCKET');
    }
  }
  const unserved = UNSERVED_OBJECT.find(has);
  if (unserved) throw notImplemented(`The object's ${unserved} subresource`);
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (has('uploadId') && method === 'GET') return listParts;
      if (has('attributes') && method === 'GET') return getObjectAttributes;
      return getObject;
    case 'PUT':
      if (has('uploadId') || has('partNumber')) return uploadPart;
      return call.headers['x-amz-copy-source'] !== undefined ? copyObject : putObject;
    case 'POST':
      if (has('uploads')) return createMultipartUpload;
      if (has('uploadId')) return completeMultipartUpload;
      throw methodNotAllowed(method, 'OBJECT');
    case 'DELETE':
      return has('uploadId') ? abortMultipartUpload : deleteObject;
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}

/** The call an operation is given: the target parsed, the body decoded as it is read. */
function callOf(
  req: http.IncomingMessage,
  store: HashedStore,
  announce: S3RouterOptions['announce'],
): S3Call {
  const target = s3Target(req.url ?? '/');
  const chunked = isAwsChunked(req.headers);
  const headers = chunked ? decodedHeaders(req.headers) : { ...req.headers };
  let taken = false;
  const body = (): Readable => {
    if (taken) throw new Error('a request body is read once');
    taken = true;
    if (!chunked) return req;
    const decoder = new AwsChunkedDecoder(decodedContentLength(req.headers));
    req.on('error', (error) => decoder.destroy(error));
    req.pipe(decoder);
    return decoder;
  };
  return {
    method: req.method ?? 'GET',
    ...target,
    headers,
    store,
    announce,
    body,
    async text(limit) {
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of body()) {
        length += (chunk as Buffer).length;
        if (length > limit) throw malformedXml();
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

async function send(req: http.IncomingMessage, res: http.ServerResponse, answer: S3Answer): Promise<void> {
  const { body } = answer;
  const headers: Record<string, string | number> = { ...answer.headers };
  if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
  else if (body === undefined && headers['content-length'] === undefined) headers['content-length'] = 0;
  // A request whose body no operation read (a GET with a body, say): drained, so the connection stays usable.
  if (!req.readableEnded && !req.readableFlowing) req.resume();
  res.writeHead(answer.status, headers);
  if (body === undefined || req.method === 'HEAD') {
    if (body !== undefined && typeof body !== 'string') body.destroy();
    res.end();
    return;
  }
  if (typeof body === 'string') {
    res.end(body);
    return;
  }
  try {
    await pipeline(body, res);
  } catch {
    // The client went away mid-download (counted by the close handler), or a file read failed
    // after the headers left: the connection is cut, so the client sees a short body.
    res.destroy();
  }
}

function isBodyError(error: unknown): boolean {
  return error instanceof AwsChunkedDecodeError;
}

function toS3Error(error: unknown): S3ApiError {
  if (error instanceof S3ApiError) return error;
  if (error instanceof AwsChunkedDecodeError) {
    return new S3ApiError(
      'IncompleteBody',
      `The request body is not valid aws-chunked encoding: ${error.message}`,
    );
  }
  return new S3ApiError('InternalError', 'We encountered an internal error. Please try again.');
}

/** An S3 error as S3 answers it (HEAD: status and headers only), unless an answer has begun. */
function answerError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  error: S3ApiError,
  requestId: string,
): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = req.method === 'HEAD' ? '' : error.toXml(requestId);
  const bodyUnread = !req.readableEnded;
  res.writeHead(error.status, {
    ...error.headers,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    // The request body may not have been read: the connection is not kept for another request.
    ...(bodyUnread && { connection: 'close' }),
  });
  res.end(body);
  if (bodyUnread) req.resume();
}
