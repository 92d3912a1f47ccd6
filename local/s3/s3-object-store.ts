import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectStore, StoredObject } from '../sagemaker/object-store';

const unquote = (eTag: string | undefined): string | undefined => eTag?.replace(/"/g, '');

/**
 * The SageMaker emulator's object store, backed by local S3 through the real S3 client (on
 * s3rver's own port, so its traffic does not pass through the edge). Reads and writes stream;
 * copies are S3's CopyObject, which s3rver does as a file copy.
 */
export function s3ObjectStore(endpoint: string, region: string): ObjectStore {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // A streamed body with a checksum would go aws-chunked, which s3rver stores as is.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    async list(bucket, prefix) {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of page.Contents ?? [])
          if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, eTag: unquote(o.ETag) });
        token = page.NextContinuationToken;
      } while (token);
      return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async read(bucket, key) {
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return response.Body as Readable | undefined;
      } catch (error) {
        if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchBucket') return undefined;
        throw error;
      }
    },
    async write(bucket, key, body, size) {
      // One PUT of a known length streams the body; s3rver takes any size this way (S3 would
      // want a multipart upload above 5 GiB).
      const result = await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: size }),
      );
      return { eTag: unquote(result.ETag) };
    },
    async copy(source, target) {
      // S3 caps CopyObject at 5 GiB (UploadPartCopy beyond); s3rver has no cap and no
      // UploadPartCopy. It reads the copy source with decodeURI, so it is encoded with encodeURI.
      const result = await client.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: encodeURI(`${source.bucket}/${source.key}`),
        }),
      );
      return { eTag: unquote(result.CopyObjectResult?.ETag) };
    },
  };
}
