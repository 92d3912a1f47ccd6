/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts (on an object) and ListMultipartUploads (on a bucket).
 */
import { checkCopySource, writeCheck } from '../conditions';
import { compareKeys } from '../hashed-store';
import { metadataOf } from '../object-metadata';
import { isDeleteMarker } from '../object-versions';
import {
  existingBucket,
  header,
  isoDate,
  keyEncoder,
  maxOf,
  OWNER,
  param,
  quotedEtag,
  type S3Answer,
  type S3Call,
  xmlAnswer,
  xmlBody,
} from '../s3-call';
import { invalidArgument, malformedXml, noSuchKey, noSuchVersion, S3ApiError } from '../s3-error';
import { copySource } from '../s3-target';
import { textOf } from '../xml';
import { contentMd5 } from './objects';

/** The largest CompleteMultipartUpload body read: 10,000 parts of about 100 bytes each. */
const COMPLETE_BODY_MAX_BYTES = 2 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
/** S3's largest part: 5 GiB. */
const MAX_PART_BYTES = 5 * 1024 ** 3;

/** POST Object ?uploads. */
export async function createMultipartUpload(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const uploadId = await call.store.initiateUpload(bucket, key, metadataOf(call.headers));
  return xmlAnswer('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
}

/** PUT Object ?partNumber&uploadId: a part from the body, or from an object (UploadPartCopy). */
export async function uploadPart(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const uploadId = param(call, 'uploadId') ?? '';
  const number = partNumberOf(param(call, 'partNumber') ?? '');
  await requireUploadOf(call, bucket, uploadId);
  if (header(call, 'x-amz-copy-source') !== undefined) return uploadPartCopy(call, bucket, uploadId, number);
  const part = await call.store.putPart(bucket, uploadId, number, call.body(), contentMd5(call));
  return { status: 200, headers: { etag: quotedEtag(part.md5) } };
}

/** An upload of this call's key (NoSuchUpload for another key's, as S3 answers). */
async function requireUploadOf(call: S3Call, bucket: string, uploadId: string): Promise<void> {
  const upload = await call.store.upload(bucket, uploadId);
  if (upload.key !== call.key) {
    throw new S3ApiError(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    );
  }
}

/** UploadPartCopy: bytes of a version of another object (`x-amz-copy-source-range`) as a part. */
async function uploadPartCopy(
  call: S3Call,
  bucket: string,
  uploadId: string,
  number: number,
): Promise<S3Answer> {
  const source = copySource(header(call, 'x-amz-copy-source') ?? '');
  await existingBucket(call, source.bucket);
  const version = call.store.findVersion(source.bucket, source.key, source.versionId);
  if (!version || isDeleteMarker(version)) {
    throw source.versionId === undefined
      ? noSuchKey(source.key)
      : noSuchVersion(source.key, source.versionId);
  }
  checkCopySource(call.headers, version);
  let start = 0;
  let end = version.size - 1;
  const range = header(call, 'x-amz-copy-source-range');
  if (range !== undefined) {
    const match = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
    if (!match)
      throw invalidArgument(
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        'x-amz-copy-source-range',
        range,
      );
    start = Number(match[1]);
    end = Number(match[2]);
    if (end < start || end >= version.size) {
      throw new S3ApiError('InvalidRange', 'The requested range is not satisfiable', {
        RangeRequested: range,
        ActualObjectSize: version.size,
      });
    }
  }
  if (end + 1 - start > MAX_PART_BYTES) {
    throw invalidArgument(
      'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120',
      'x-amz-copy-source-range',
      range,
    );
  }
  const read = await call.store.readObject(source.bucket, source.key, version.versionId, start, end);
  if (!read)
    throw source.versionId === undefined
      ? noSuchKey(source.key)
      : noSuchVersion(source.key, source.versionId);
  const part = await call.store.putPart(bucket, uploadId, number, read.content);
  return xmlAnswer(
    'CopyPartResult',
    { LastModified: isoDate(part.modified), ETag: quotedEtag(part.md5) },
    { 'x-amz-copy-source-version-id': version.versionId },
  );
}

/** POST Object ?uploadId: CompleteMultipartUpload. */
export async function completeMultipartUpload(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const key = call.key as string;
  const uploadId = param(call, 'uploadId') ?? '';
  const body = await xmlBody(call, 'CompleteMultipartUpload', COMPLETE_BODY_MAX_BYTES);
  const list = body.Part;
  const parts = (Array.isArray(list) ? list : []).map((part) => {
    const fields = (part ?? {}) as Record<string, unknown>;
    const partNumber = textOf(fields.PartNumber)?.trim();
    const etag = textOf(fields.ETag)?.trim();
    if (partNumber === undefined || !/^\d{1,5}$/.test(partNumber) || etag === undefined) throw malformedXml();
    return { number: Number(partNumber), etag };
  });
  if (parts.length === 0) throw malformedXml();
  const check = writeCheck(call.headers, key);
  const written = await call.store.completeUpload(bucket, uploadId, key, parts, check);
  if (written.fresh) call.announce(bucket, 'ObjectCreated:CompleteMultipartUpload', key, written);
  return xmlAnswer(
    'CompleteMultipartUploadResult',
    {
      Location: `/${bucket}/${encodeURIComponent(key)}`,
      Bucket: bucket,
      Key: key,
      ETag: quotedEtag(written.md5),
    },
    { 'x-amz-version-id': written.versionId },
  );
}

/** DELETE Object ?uploadId: the upload and its parts go at once. */
export async function abortMultipartUpload(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const uploadId = param(call, 'uploadId') ?? '';
  await requireUploadOf(call, bucket, uploadId);
  await call.store.abortUpload(bucket, uploadId);
  return { status: 204 };
}

/** GET Object ?uploadId: ListParts, paged by `max-parts` and `part-number-marker`. */
export async function listParts(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const uploadId = param(call, 'uploadId') ?? '';
  await requireUploadOf(call, bucket, uploadId);
  const maxParts = maxOf(call, 'max-parts');
  const markerText = param(call, 'part-number-marker') ?? '0';
  if (!/^\d{1,10}$/.test(markerText))
    throw invalidArgument('Invalid part number marker', 'part-number-marker', markerText);
  const marker = Number(markerText);
  const after = (await call.store.listParts(bucket, uploadId)).filter((part) => part.number > marker);
  const shown = after.slice(0, maxParts);
  return xmlAnswer('ListPartsResult', {
    Bucket: bucket,
    Key: call.key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: shown.at(-1)?.number ?? marker,
    MaxParts: maxParts,
    IsTruncated: after.length > shown.length,
    Part: shown.map((part) => ({
      PartNumber: part.number,
      LastModified: isoDate(part.modified),
      ETag: quotedEtag(part.md5),
      Size: part.size,
    })),
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: 'STANDARD',
  });
}

/** GET Bucket ?uploads: ListMultipartUploads, with prefix, delimiter and markers. */
export async function listMultipartUploads(call: S3Call): Promise<S3Answer> {
  const bucket = await existingBucket(call);
  const encode = keyEncoder(call);
  const maxUploads = maxOf(call, 'max-uploads');
  const prefix = param(call, 'prefix') ?? '';
  const delimiter = param(call, 'delimiter') ?? '';
  const keyMarker = param(call, 'key-marker') ?? '';
  const uploadIdMarker = param(call, 'upload-id-marker') ?? '';
  const uploads = [];
  const commonPrefixes: string[] = [];
  let truncated = false;
  let last: { key: string; uploadId?: string } | undefined;
  for (const upload of await call.store.listUploads(bucket)) {
    if (!upload.key.startsWith(prefix)) continue;
    const order = compareKeys(upload.key, keyMarker);
    if (
      keyMarker !== '' &&
      (order < 0 || (order === 0 && (uploadIdMarker === '' || upload.uploadId <= uploadIdMarker)))
    )
      continue;
    const at = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const common = at === -1 ? undefined : upload.key.slice(0, at + delimiter.length);
    if (common !== undefined && (common === commonPrefixes.at(-1) || compareKeys(common, keyMarker) <= 0))
      continue;
    if (uploads.length + commonPrefixes.length >= maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      commonPrefixes.push(common);
      last = { key: common };
    } else {
      uploads.push(upload);
      last = { key: upload.key, uploadId: upload.uploadId };
    }
  }
  return xmlAnswer('ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: truncated ? encode(last?.key) : undefined,
    NextUploadIdMarker: truncated ? last?.uploadId : undefined,
    Prefix: encode(prefix),
    Delimiter: delimiter ? encode(delimiter) : undefined,
    MaxUploads: maxUploads,
    EncodingType: param(call, 'encoding-type'),
    IsTruncated: truncated,
    Upload: uploads.map((upload) => ({
      Key: encode(upload.key),
      UploadId: upload.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      Initiated: isoDate(upload.initiated),
    })),
    CommonPrefixes: commonPrefixes.map((Prefix) => ({ Prefix: encode(Prefix) })),
  });
}

function partNumberOf(value: string): number {
  const number = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= MAX_PART_NUMBER)) {
    throw invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      value,
    );
  }
  return number;
}
