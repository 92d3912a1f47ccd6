/**
 * An S3 request as s3rver must see it. S3 keys are any UTF-8 of up to 1,024 bytes, `/` included
 * (runs, a leading or trailing one), `..` included; s3rver's router splits paths on `/` and
 * drops empty segments. So the key is decoded here, checked as S3 checks it, and passed on as
 * one encoded path segment, which s3rver's router decodes back to the exact key. The copy
 * source header gets the same treatment, and what only signs a request (signatures are not
 * checked locally) is dropped.
 */
import type { IncomingHttpHeaders } from 'node:http';
import S3Error from 's3rver/lib/models/error.js';

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const KEY_MAX_BYTES = 1024;

/** Bucket names S3 accepts (path-style requests). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Query parameters of presigned URLs (SigV4 and SigV2). */
const SIGNATURE_QUERY =
  /^(x-amz-(algorithm|credential|signature|date|expires|signedheaders|security-token)|awsaccesskeyid|signature|expires)$/i;

/** Where an S3 request goes: its path for s3rver, and what it names. */
export interface S3RequestTarget {
  /** Path and query for s3rver. */
  path: string;
  bucket?: string;
  key?: string;
  headers: IncomingHttpHeaders;
}

/**
 * Checks and rewrites an S3 request (path-style). Throws an s3rver `S3Error` (InvalidURI,
 * InvalidBucketName, KeyTooLongError, InvalidArgument) for what S3 itself would refuse.
 */
export function s3RequestTarget(url: string, incoming: IncomingHttpHeaders): S3RequestTarget {
  // An absolute-form request line (`PUT http://host/b/k`) carries the path after the authority.
  const relative = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '') || '/';
  const queryAt = relative.indexOf('?');
  const rawPath = queryAt < 0 ? relative : relative.slice(0, queryAt);
  const query = queryOf(queryAt < 0 ? '' : relative.slice(queryAt + 1));
  const headers = { ...incoming };
  delete headers.authorization;
  delete headers['x-amz-security-token'];
  if (headers['x-amz-copy-source'] !== undefined) {
    headers['x-amz-copy-source'] = copySource(String(headers['x-amz-copy-source']));
  }
  if (!rawPath.startsWith('/') || rawPath === '/') return { path: `/${query}`, headers };

  const slash = rawPath.indexOf('/', 1);
  const bucket = decoded(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
  if (!BUCKET_NAME.test(bucket)) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: bucket });
  }
  const rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  if (rawKey === '') {
    refuseFormUpload(headers);
    return { path: `/${bucket}${query}`, bucket, headers };
  }
  const key = decoded(rawKey);
  checkKeyLength(key);
  return { path: `/${bucket}/${encodeURIComponent(key)}${query}`, bucket, key, headers };
}

/** Throws KeyTooLongError for a key over {@link KEY_MAX_BYTES}. */
export function checkKeyLength(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > KEY_MAX_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long', {
      Size: size,
      MaxSizeAllowed: KEY_MAX_BYTES,
    });
  }
}

/**
 * Browser-form uploads (`POST /<bucket>`, multipart/form-data) are not served: s3rver's form
 * parser lets a form cut short end the process (an error on a stream nobody listens to yet).
 */
function refuseFormUpload(headers: IncomingHttpHeaders): void {
  if (/^multipart\/form-data/i.test(String(headers['content-type'] ?? ''))) {
    throw new S3Error(
      'NotImplemented',
      'Browser-form uploads (POST Object) are not served by the local stack.',
    );
  }
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", { URI: text.slice(0, 200) });
  }
}

/** The query without signature parameters, each name once (s3rver reads a repeated one as a list). */
function queryOf(raw: string): string {
  const kept = new URLSearchParams();
  for (const [name, value] of new URLSearchParams(raw)) {
    if (!SIGNATURE_QUERY.test(name) && !kept.has(name)) kept.append(name, value);
  }
  const text = kept.toString();
  return text ? `?${text}` : '';
}

/**
 * `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`, URL-encoded) as the copy handler reads
 * it (./versioned-handlers.ts): bucket and key each checked, and passed on encoded as URI
 * components (so no `?` of a key is left to split on), then the version id when there is one.
 */
function copySource(value: string): string {
  const source = value.startsWith('/') ? value.slice(1) : value;
  const versionAt = source.indexOf('?versionId=');
  const path = versionAt < 0 ? source : source.slice(0, versionAt);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error(
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: value.slice(0, 200),
      },
    );
  }
  const bucket = decoded(path.slice(0, slash));
  const key = decoded(path.slice(slash + 1));
  checkKeyLength(key);
  const versionId = versionAt < 0 ? '' : decoded(source.slice(versionAt + '?versionId='.length));
  if (versionAt >= 0 && versionId === '') {
    throw new S3Error('InvalidArgument', 'Version id cannot be the empty string', {
      ArgumentName: 'versionId',
      ArgumentValue: '',
    });
  }
  return `${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;
}
