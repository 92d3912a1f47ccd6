/**
 * S3's conditional requests (RFC 9110's preconditions, as the S3 API reference states their
 * combinations):
 * - reads (GET, HEAD): `If-Match` / `If-Unmodified-Since` fail with 412; `If-None-Match` /
 *   `If-Modified-Since` answer 304. A true `If-Match` overrides a false `If-Unmodified-Since`,
 *   a false `If-None-Match` a true `If-Modified-Since`.
 * - copies: the same four as `x-amz-copy-source-if-*`, each failure a 412.
 * - writes (PUT, CompleteMultipartUpload): `If-None-Match: *` (no object may be there) and
 *   `If-Match: <etag>` (that object must be), checked under the key's lock at the moment of the
 *   write.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { WriteCheck } from './hashed-store';
import { noSuchKey, notImplemented, preconditionFailed } from './s3-error';

/** What a condition is tested against: the object's md5 (ETag, unquoted) and its last-modified. */
export interface Validators {
  md5: string;
  modified: number;
}

/** A GET's or HEAD's conditions: 'not-modified' for a 304, throws PreconditionFailed for a 412. */
export function checkRead(headers: IncomingHttpHeaders, object: Validators): 'not-modified' | undefined {
  return evaluate(headers, object, '', 'not-modified');
}

/** A copy's source conditions: throws PreconditionFailed when one fails. */
export function checkCopySource(headers: IncomingHttpHeaders, object: Validators): void {
  evaluate(headers, object, 'x-amz-copy-source-', 'fail');
}

/** A write's conditions as a check the store runs under the key's lock, or undefined when none. */
export function writeCheck(headers: IncomingHttpHeaders, key: string): WriteCheck | undefined {
  const noneMatch = text(headers['if-none-match']);
  const match = text(headers['if-match']);
  if (noneMatch !== undefined && noneMatch.trim() !== '*') throw notImplemented('If-None-Match other than *');
  if (noneMatch === undefined && match === undefined) return undefined;
  return (current) => {
    if (noneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
    if (match === undefined) return;
    if (!current) throw noSuchKey(key);
    if (!etagMatches(match, current.md5)) throw preconditionFailed('If-Match');
  };
}

function evaluate(
  headers: IncomingHttpHeaders,
  object: Validators,
  prefix: string,
  onNotModified: 'not-modified' | 'fail',
): 'not-modified' | undefined {
  const match = text(headers[`${prefix}if-match`]);
  const unmodifiedSince = date(headers[`${prefix}if-unmodified-since`]);
  const noneMatch = text(headers[`${prefix}if-none-match`]);
  const modifiedSince = date(headers[`${prefix}if-modified-since`]);
  const modified = Math.floor(object.modified / 1000) * 1000;
  if (match !== undefined) {
    if (!etagMatches(match, object.md5)) throw preconditionFailed(`${header(prefix, 'If-Match')}`);
  } else if (unmodifiedSince !== undefined && modified > unmodifiedSince) {
    throw preconditionFailed(header(prefix, 'If-Unmodified-Since'));
  }
  const notModified =
    noneMatch !== undefined
      ? etagMatches(noneMatch, object.md5)
      : modifiedSince !== undefined && modified <= modifiedSince;
  if (!notModified) return undefined;
  if (onNotModified === 'fail')
    throw preconditionFailed(header(prefix, noneMatch !== undefined ? 'If-None-Match' : 'If-Modified-Since'));
  return 'not-modified';
}

/** True when a list of entity tags (`"a", W/"b"`, or `*`) names the object's. */
function etagMatches(list: string, md5: string): boolean {
  return list.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value.replace(/^"|"$/g, '') === md5;
  });
}

function header(prefix: string, name: string): string {
  return prefix ? `${prefix}${name.toLowerCase()}` : name;
}

function text(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** An HTTP date, epoch ms; undefined when absent or not a date (S3 ignores such a condition). */
function date(value: string | string[] | undefined): number | undefined {
  const parsed = Date.parse(text(value) ?? '');
  return Number.isNaN(parsed) ? undefined : parsed;
}
