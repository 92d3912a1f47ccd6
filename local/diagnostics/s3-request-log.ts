/**
 * The S3 requests the edge received, named by operation: what a client really sent, for tests
 * and benchmarks that count (a resumed drop must not send again what is already in place).
 * Bounded: the oldest entries go first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One S3 request. `bytes` is the body length the client declared (0 when none). */
export interface S3RequestRecord {
  operation: string;
  bucket: string;
  key: string;
  bytes: number;
  partNumber?: number;
  /** When the edge received it (epoch ms, real time), and how long until its response ended (absent until then). */
  at: number;
  ms?: number;
  status?: number;
}

/** The operation an S3 REST request performs (path-style), as far as a drop needs to tell them apart. */
export function s3Operation(
  method: string,
  bucket: string,
  key: string,
  query: URLSearchParams,
  copy: boolean,
): string {
  const objectOr = (object: string, bucket: string) => (key ? object : bucket);
  switch (method) {
    case 'PUT':
      if (query.has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return objectOr(copy ? 'CopyObject' : 'PutObject', 'CreateBucket');
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      return objectOr('PostObject', 'DeleteObjects');
    case 'GET':
      return objectOr(
        query.has('uploadId') ? 'ListParts' : 'GetObject',
        bucket ? 'ListObjects' : 'ListBuckets',
      );
    case 'HEAD':
      return objectOr('HeadObject', 'HeadBucket');
    case 'DELETE':
      return objectOr(query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject', 'DeleteBucket');
    default:
      return method;
  }
}

/** A path segment decoded, or as sent when it is no valid percent-encoded UTF-8: S3 answers such a request itself. */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class S3RequestLog {
  private readonly records: S3RequestRecord[] = [];

  constructor(private readonly capacity = 20_000) {}

  /** Records a request as the edge receives it (path-style URL), and its end once `res` finishes. */
  record(req: IncomingMessage, res: ServerResponse): void {
    // Split by hand, not by `new URL`: a target such as `//` is no URL (it threw, and the
    // request answered 500), and `//b/k` would read as a host; S3 answers such targets itself.
    const target = (req.url ?? '/').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
    const queryAt = target.indexOf('?');
    const path = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    const [bucket = '', ...rest] = path.slice(1).split('/');
    const key = decodedOrRaw(rest.join('/'));
    const declared = req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length'];
    const partNumber = query.get('partNumber');
    const record: S3RequestRecord = {
      at: Date.now(),
      operation: s3Operation(req.method ?? 'GET', bucket, key, query, 'x-amz-copy-source' in req.headers),
      bucket: decodedOrRaw(bucket),
      key,
      bytes: Number(declared ?? 0) || 0,
      ...(partNumber !== null && { partNumber: Number(partNumber) }),
    };
    res.once('close', () => {
      record.ms = Date.now() - record.at;
      record.status = res.statusCode;
    });
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  list(): S3RequestRecord[] {
    return [...this.records];
  }

  clear(): void {
    this.records.length = 0;
  }
}
