/**
 * What a model-sized upload asks of the local S3 beyond one request: multipart uploads of many
 * parts, joined without piling listeners on one stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedS3, serveS3 } from '../support/served-s3';

const BUCKET = 'models-bucket';
const MiB = 2 ** 20;

describe('a multipart upload of many parts', () => {
  let service: ServedS3;
  let s3: S3Client;
  let directory: string;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mop-s3-long-'));
    service = await serveS3({
      directory: join(directory, 's3'),
      buckets: [BUCKET],
      region: 'us-east-1',
      notifications: [],
    });
    s3 = new S3Client({
      endpoint: service.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await service?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('joins 24 parts in order, with no warning of a listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const Key = 'models/many-parts/model.safetensors';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
      const parts = [];
      for (let n = 1; n <= 24; n++) {
        // S3's smallest part is 5 MiB, but for the last; each part is filled with its number.
        const Body = Buffer.alloc(n < 24 ? 5 * MiB : 1024, n);
        const { ETag } = await s3.send(
          new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: n, Body }),
        );
        parts.push({ PartNumber: n, ETag });
      }
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      expect(done.ETag).toMatch(/-24"$/);

      const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      const bytes = Buffer.from(
        await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
      expect(bytes.length).toBe(23 * 5 * MiB + 1024);
      // The first byte of each part says which part it is: the parts are in order.
      expect(Array.from({ length: 24 }, (_, i) => bytes[i * 5 * MiB])).toEqual(
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
