/**
 * What an S3 request names (path style): its bucket and key, decoded and checked as S3 checks
 * them, and its query. S3 keys are any UTF-8 of up to 1,024 bytes, `/` included (runs, a leading
 * or trailing one) and `..` included, so the key is everything after the bucket's slash,
 * percent-decoded once. A target that cannot be parsed is S3's `400 InvalidURI`, never a 500.
 */
import { invalidArgument, S3ApiError } from './s3-error';

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const KEY_MAX_BYTES = 1024;

/** Bucket names S3 accepts (general purpose buckets). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Target {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

/** The bucket, key and query of a request target (origin or absolute form). */
export function s3Target(url: string): S3Target {
  // An absolute-form request line (`PUT http://host/b/k`) carries the path after the authority.
  const relative = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '');
  if (!relative.startsWith('/')) throw invalidUri(url);
  const queryAt = relative.indexOf('?');
  const rawPath = queryAt < 0 ? relative : relative.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : relative.slice(queryAt + 1));
  if (rawPath === '/') return { query };
  const slash = rawPath.indexOf('/', 1);
  const bucket = decoded(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
  if (!BUCKET_NAME.test(bucket)) {
    throw new S3ApiError('InvalidBucketName', 'The specified bucket is not valid.', {
      BucketName: bucket.slice(0, 200),
    });
  }
  const rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  if (rawKey === '') return { bucket, query };
  const key = decoded(rawKey);
  checkKey(key);
  return { bucket, key, query };
}

/** Throws S3's refusal of a key: empty, or over {@link KEY_MAX_BYTES}. */
export function checkKey(key: string): void {
  if (key === '') throw new S3ApiError('InvalidArgument', 'User key must have a length greater than 0.');
  const size = Buffer.byteLength(key);
  if (size > KEY_MAX_BYTES) {
    throw new S3ApiError('KeyTooLongError', 'Your key is too long', {
      Size: size,
      MaxSizeAllowed: KEY_MAX_BYTES,
    });
  }
}

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, URL-encoded. */
export function copySource(value: string): { bucket: string; key: string; versionId?: string } {
  const source = value.startsWith('/') ? value.slice(1) : value;
  const versionAt = source.indexOf('?versionId=');
  const path = versionAt < 0 ? source : source.slice(0, versionAt);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      value,
    );
  }
  const bucket = decoded(path.slice(0, slash));
  const key = decoded(path.slice(slash + 1));
  checkKey(key);
  if (versionAt < 0) return { bucket, key };
  const versionId = decoded(source.slice(versionAt + '?versionId='.length));
  if (versionId === '') throw invalidArgument('Version id cannot be the empty string', 'versionId', '');
  return { bucket, key, versionId };
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidUri(text);
  }
}

function invalidUri(text: string): S3ApiError {
  return new S3ApiError('InvalidURI', "Couldn't parse the specified URI.", { URI: text.slice(0, 200) });
}
