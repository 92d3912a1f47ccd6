/**
 * The object operations: GetObject and HeadObject (versions, ranges, `partNumber`, conditions),
 * PutObject, CopyObject, DeleteObject and GetObjectAttributes.
 */
import { checkCopySource, checkRead, writeCheck } from '../conditions';
import type { HashedStore } from '../hashed-store';
import { headersOf, metadataOf } from '../object-metadata';
import { dataFiles, isDeleteMarker, type ObjectVersion } from '../object-versions';
import {
  existingBucket,
  header,
  httpDate,
  isoDate,
  quotedEtag,
  type S3Answer,
  type S3Call,
  versionIdOf,
  xmlAnswer,
} from '../s3-call';
import { invalidArgument, methodNotAllowed, noSuchKey, noSuchVersion, S3ApiError } from '../s3-error';
import { copySource } from '../s3-target';

const MAX_PART_NUMBER = 10_000;

/** GET and HEAD Object: the current version or `?versionId=`, whole, ranged, or one part. */
export async function getObject(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const versionId = versionIdOf(call);
  const version = objectVersion(call.store, call.method, bucket, key, versionId);
  const headers: Record<string, string | number> = {
    ...headersOf(version.metadata),
    etag: quotedEtag(version.md5),
    'last-modified': httpDate(version.modified),
    'x-amz-version-id': version.versionId,
    'accept-ranges': 'bytes',
  };
  if (checkRead(call.headers, version) === 'not-modified') {
    return {
      status: 304,
      headers: {
        etag: headers.etag as string,
        'last-modified': headers['last-modified'] as string,
        'x-amz-version-id': version.versionId,
      },
    };
  }
  const span = spanOf(call, version);
  if (span.partsCount !== undefined) headers['x-amz-mp-parts-count'] = span.partsCount;
  if (span.status === 206) headers['content-range'] = `bytes ${span.start}-${span.end}/${version.size}`;
  headers['content-length'] = span.end + 1 - span.start;
  if (call.method === 'HEAD') return { status: span.status, headers };
  const read = await call.store.readObject(bucket, key, version.versionId, span.start, span.end);
  // Deleted for good between the lookup and the read.
  if (!read) throw versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
  return { status: span.status, headers, body: read.content };
}

/**
 * The version a GET, HEAD or GetObjectAttributes reads, or what S3 answers when there is none:
 * a delete marker is named in the headers and answers 405 when asked for by id; an unknown
 * version id is NoSuchVersion.
 */
function objectVersion(
  store: HashedStore,
  method: string,
  bucket: string,
  key: string,
  versionId: string | undefined,
): ObjectVersion {
  const version = store.findVersion(bucket, key, versionId);
  if (version && !isDeleteMarker(version)) return version;
  if (isDeleteMarker(version)) {
    const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId };
    if (versionId === undefined) throw withHeaders(noSuchKey(key), headers);
    throw withHeaders(methodNotAllowed(method, 'DeleteMarker'), headers);
  }
  throw versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
}

function withHeaders(error: S3ApiError, headers: Record<string, string>): S3ApiError {
  return new S3ApiError(error.code, error.message, error.fields, headers);
}

interface Span {
  status: 200 | 206;
  start: number;
  end: number;
  partsCount?: number;
}

/** Which bytes a read answers: `?partNumber=` (one part), a `Range`, or the whole object. */
function spanOf(call: S3Call, version: ObjectVersion): Span {
  const whole: Span = { status: 200, start: 0, end: version.size - 1 };
  const range = header(call, 'range');
  const partNumber = call.query.get('partNumber');
  if (partNumber !== null) {
    if (range !== undefined) {
      throw new S3ApiError(
        'InvalidRequest',
        'Cannot specify both Range header and partNumber query parameter',
      );
    }
    const number = /^\d{1,5}$/.test(partNumber) ? Number(partNumber) : Number.NaN;
    if (!(number >= 1 && number <= MAX_PART_NUMBER)) {
      throw invalidArgument(
        'Part number must be an integer between 1 and 10000, inclusive',
        'partNumber',
        partNumber,
      );
    }
    const parts = version.parts;
    // A single-part object is its own part 1, answered as a range of the whole.
    if (!parts) {
      if (number !== 1) throw invalidPartNumber(number, 1);
      return { status: 206, start: 0, end: version.size - 1 };
    }
    if (number > parts.length) throw invalidPartNumber(number, parts.length);
    let start = 0;
    for (const part of parts.slice(0, number - 1)) start += part.size;
    const size = (parts[number - 1] as { size: number }).size;
    return { status: 206, start, end: start + size - 1, partsCount: parts.length };
  }
  if (range === undefined) return whole;
  // One range only; S3 answers the whole object for a Range it does not parse (several ranges).
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) return whole;
  const [, first = '', last = ''] = match;
  let start: number;
  let end: number;
  if (first === '') {
    const suffix = Number(last);
    start = Math.max(0, version.size - suffix);
    end = version.size - 1;
    if (suffix === 0) start = version.size;
  } else {
    start = Number(first);
    end = last === '' ? version.size - 1 : Math.min(Number(last), version.size - 1);
    if (last !== '' && Number(last) < start) return whole;
  }
  if (start >= version.size || end < start) {
    throw new S3ApiError('InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: range.slice(0, 200),
      ActualObjectSize: version.size,
    });
  }
  return { status: 206, start, end };
}

function invalidPartNumber(requested: number, count: number): S3ApiError {
  return new S3ApiError('InvalidPartNumber', 'The requested partnumber is not satisfiable', {
    PartNumberRequested: requested,
    ActualPartCount: count,
  });
}

/** PUT Object: a new version, refused if a condition (`If-None-Match: *`, `If-Match`) fails. */
export async function putObject(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const metadata = metadataOf(call.headers);
  const check = writeCheck(call.headers, key);
  const expectedMd5 = contentMd5(call);
  const written = await call.store.putObject(bucket, key, call.body(), metadata, check, expectedMd5);
  call.announce(bucket, 'ObjectCreated:Put', key, written);
  return { status: 200, headers: { etag: quotedEtag(written.md5), 'x-amz-version-id': written.versionId } };
}

/** `Content-MD5` as hex, when sent; InvalidDigest when it is not a base64 MD5. */
export function contentMd5(call: S3Call): string | undefined {
  const value = header(call, 'content-md5');
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== value.trim()) {
    throw new S3ApiError('InvalidDigest', 'The Content-MD5 you specified is not valid.', {
      'Content-MD5': value.slice(0, 100),
    });
  }
  return bytes.toString('hex');
}

/** PUT Object - Copy: from the source's current version or its `?versionId=`, conditions checked. */
export async function copyObject(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const source = copySource(header(call, 'x-amz-copy-source') ?? '');
  await existingBucket(call, source.bucket);
  const directive = header(call, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  }
  // Copying a version over its own key restores it (S3's way to undo an overwrite).
  if (
    source.bucket === bucket &&
    source.key === key &&
    directive === 'COPY' &&
    source.versionId === undefined
  ) {
    throw new S3ApiError(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const copied = await call.store.copyObject(
    source,
    { bucket, key },
    directive === 'REPLACE' ? metadataOf(call.headers) : undefined,
    (version) => checkCopySource(call.headers, version),
  );
  call.announce(bucket, 'ObjectCreated:Copy', key, copied);
  return xmlAnswer(
    'CopyObjectResult',
    { LastModified: isoDate(copied.modified), ETag: quotedEtag(copied.md5) },
    { 'x-amz-version-id': copied.versionId, 'x-amz-copy-source-version-id': copied.sourceVersionId },
  );
}

/** DELETE Object: a delete marker, or `?versionId=` removed for good. */
export async function deleteObject(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const deleted = await call.store.deleteObject(bucket, call.key as string, versionIdOf(call));
  return {
    status: 204,
    headers: {
      'x-amz-version-id': deleted.versionId,
      ...(deleted.deleteMarker && { 'x-amz-delete-marker': 'true' }),
    },
  };
}

const OBJECT_ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

/** GET Object ?attributes: the attributes `x-amz-object-attributes` names. */
export async function getObjectAttributes(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const wanted = (header(call, 'x-amz-object-attributes') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (wanted.length === 0 || wanted.some((name) => !OBJECT_ATTRIBUTES.has(name))) {
    throw invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', wanted.join(','));
  }
  const version = objectVersion(call.store, 'GET', bucket, key, versionIdOf(call));
  const has = (name: string) => wanted.includes(name);
  return xmlAnswer(
    'GetObjectAttributesResponse',
    {
      ETag: has('ETag') ? version.md5 : undefined,
      ObjectParts: has('ObjectParts') && version.parts ? objectParts(version) : undefined,
      StorageClass: has('StorageClass') ? (version.metadata['x-amz-storage-class'] ?? 'STANDARD') : undefined,
      ObjectSize: has('ObjectSize') ? version.size : undefined,
    },
    { 'last-modified': httpDate(version.modified), 'x-amz-version-id': version.versionId },
  );
}

/**
 * A multipart object's parts, as S3 answers them for an object stored with no additional
 * checksum (the local store keeps none): the count only. S3 API reference,
 * GetObjectAttributesParts: "if an additional checksum … isn't applied to the object …, the
 * response doesn't return the Part element".
 */
function objectParts(version: ObjectVersion): Record<string, unknown> {
  return { PartsCount: dataFiles(version).length };
}
