/**
 * Part-level resume: a drop stopped in the middle of a large file leaves that file's multipart
 * upload open, holding the parts S3 accepted. The next drop of the file finds the upload
 * (ListMultipartUploads), reads its parts (ListParts), and sends only the parts that are missing
 * or whose bytes differ (docs/cli.md, "Resuming a drop"). An upload cut at another part size
 * cannot be continued, and the file starts a new one.
 */
import { createHash } from 'node:crypto';
import { Crc32 } from '@aws-sdk/checksums/crc';
import {
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { partCount } from './part-size';

/** A part S3 holds for an open upload. */
export interface ListedPart {
  partNumber: number;
  size: number;
  /** Without quotes. */
  eTag: string;
  checksumCRC32?: string;
}

/** An open multipart upload of one key, and its parts by number. */
export interface OpenUpload {
  uploadId: string;
  parts: Map<number, ListedPart>;
}

const unquote = (eTag: string | undefined) => eTag?.replace(/"/g, '') ?? '';
const MD5_HEX = /^[0-9a-f]{32}$/;

/**
 * The newest open upload of `key` whose parts fit a file of `size` bytes cut into `partSize`
 * parts, or `undefined`. A bucket that refuses the listing (no `s3:ListBucketMultipartUploads`,
 * or a store without it) resumes nothing: the file is sent whole, as before part-level resume.
 */
export async function findOpenUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  layout: { size: number; partSize: number },
  signal?: AbortSignal,
): Promise<OpenUpload | undefined> {
  try {
    const candidates = (await listUploads(s3, bucket, key, signal)).sort((a, b) => b.initiated - a.initiated);
    for (const { uploadId } of candidates) {
      const parts = await listParts(s3, bucket, key, uploadId, signal);
      if (parts.every((part) => fits(part, layout)))
        return { uploadId, parts: new Map(parts.map((p) => [p.partNumber, p])) };
    }
    return undefined;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$fault === 'client') return undefined;
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 501) return undefined;
    throw error;
  }
}

/** Whether `bytes` are what `part` holds, by its CRC32 when S3 stores one, else its MD5 ETag. */
export async function partHolds(part: ListedPart, bytes: Uint8Array): Promise<boolean> {
  if (part.size !== bytes.length) return false;
  if (part.checksumCRC32) {
    const crc = new Crc32();
    crc.update(bytes);
    return Buffer.from(await crc.digest()).toString('base64') === part.checksumCRC32;
  }
  // An SSE-KMS part's ETag is no MD5, and without a checksum nothing can be compared.
  if (!MD5_HEX.test(part.eTag)) return false;
  return createHash('md5').update(bytes).digest('hex') === part.eTag;
}

function fits(part: ListedPart, layout: { size: number; partSize: number }): boolean {
  const count = partCount(layout.size, layout.partSize);
  if (part.partNumber < 1 || part.partNumber > count) return false;
  const expected = Math.min(layout.partSize, layout.size - (part.partNumber - 1) * layout.partSize);
  return part.size === expected;
}

// The two listings page by hand. The SDK has no paginator for ListMultipartUploads (two
// markers), and its ListParts paginator follows NextPartNumberMarker, which a last page may
// carry too (the local stack's does): IsTruncated is what says a page is the last.
async function listUploads(s3: S3Client, bucket: string, key: string, signal?: AbortSignal) {
  const uploads: { uploadId: string; initiated: number }[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: key,
        ...(keyMarker !== undefined && { KeyMarker: keyMarker }),
        ...(uploadIdMarker !== undefined && { UploadIdMarker: uploadIdMarker }),
      }),
      { abortSignal: signal },
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key === key && upload.UploadId)
        uploads.push({ uploadId: upload.UploadId, initiated: upload.Initiated?.getTime() ?? 0 });
    }
    if (!page.IsTruncated) return uploads;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

async function listParts(
  s3: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
  signal?: AbortSignal,
): Promise<ListedPart[]> {
  const parts: ListedPart[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListPartsCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        ...(marker !== undefined && { PartNumberMarker: marker }),
      }),
      { abortSignal: signal },
    );
    for (const part of page.Parts ?? []) {
      if (part.PartNumber === undefined) continue;
      parts.push({
        partNumber: part.PartNumber,
        size: part.Size ?? 0,
        eTag: unquote(part.ETag),
        ...(part.ChecksumCRC32 && { checksumCRC32: part.ChecksumCRC32 }),
      });
    }
    if (!page.IsTruncated) return parts;
    marker = page.NextPartNumberMarker;
  }
}
