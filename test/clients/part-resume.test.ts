/**
 * Part-level resume (src/client/open-upload.ts): a drop continues the open multipart upload an
 * interrupted drop left for a large file, and sends only the parts that are missing or differ.
 * The real drop code against the local S3 over HTTP; the open uploads are made with the SDK, as
 * a drop cut off mid-file leaves them, or by a drop interrupted while reading a part.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticModel } from '../../bench/drop/synthetic-model';
import { dropModel } from '../../src/client/drop-upload';
import { DropInterruptedError } from '../../src/client/errors';
import { type ServedS3, serveS3 } from '../support/served-s3';

const MIB = 1024 * 1024;
const BUCKET = 'part-resume';
const REGION = 'us-east-1';
const PART = 5 * MIB;
/** Four parts of 5 MiB: 5, 5, 5 and 2 MiB. */
const SHARD_BYTES = 17 * MIB;
const SHARD = 'model-00001-of-00001.safetensors';

describe('a drop continues the open upload an interrupted drop left', () => {
  let dir: string;
  let service: ServedS3;
  let s3: S3Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mop-part-resume-'));
    service = await serveS3({
      directory: join(dir, 's3'),
      buckets: [BUCKET],
      region: REGION,
      notifications: [],
    });
    s3 = new S3Client({
      endpoint: service.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    s3.destroy();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const model = (name: string) => {
    const made = writeSyntheticModel(join(dir, name), { shards: 1, shardBytes: SHARD_BYTES });
    return { ...made, shard: readFileSync(join(made.folder, SHARD)) };
  };
  const drop = (folder: string, modelId: string, extra: Partial<Parameters<typeof dropModel>[0]> = {}) =>
    dropModel({ s3, bucket: BUCKET, path: folder, modelId, partSize: PART, concurrency: 2, ...extra });
  /** An open upload of `key` holding `parts` (part number → bytes), as a drop cut off leaves it. */
  const leaveOpen = async (key: string, parts: [number, Buffer][]) => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'CRC32' }),
    );
    for (const [PartNumber, Body] of parts)
      await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber, Body }));
    return UploadId as string;
  };
  const openUploads = async (key: string) =>
    ((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }))).Uploads ?? []).map(
      (u) => u.UploadId,
    );
  const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
  const stored = async (key: string) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return md5((await Body?.transformToByteArray()) ?? new Uint8Array());
  };
  const part = (bytes: Buffer, n: number) => bytes.subarray((n - 1) * PART, Math.min(n * PART, bytes.length));

  it('keeps the parts in place, sends again the one that differs and the missing one, and completes that upload', async () => {
    const m = model('partial');
    const key = `models/partial/${SHARD}`;
    const wrong = Buffer.alloc(PART, 7);
    const uploadId = await leaveOpen(key, [
      [1, part(m.shard, 1)],
      [2, part(m.shard, 2)],
      [3, wrong],
    ]);

    const result = await drop(m.folder, 'partial');

    expect(result).toMatchObject({ resumedParts: 2, resumedBytes: 2 * PART });
    expect(result.sentBytes + result.resumedBytes).toBe(m.bytes + 2);
    expect(result.sentKeys).toContain(key);
    expect(await stored(key)).toBe(md5(m.shard));
    // That upload was completed, not a new one made beside it.
    expect(await openUploads(key)).toEqual([]);
    expect(uploadId).toBeTruthy();
  });

  it('starts a new upload when the open one was cut at another part size, and leaves that one alone', async () => {
    const m = model('other-size');
    const key = `models/other-size/${SHARD}`;
    const foreign = await leaveOpen(key, [[1, m.shard.subarray(0, 6 * MIB)]]);

    const result = await drop(m.folder, 'other-size');

    expect(result).toMatchObject({ resumedParts: 0, resumedBytes: 0, sentBytes: m.bytes + 2 });
    expect(await stored(key)).toBe(md5(m.shard));
    expect(await openUploads(key)).toEqual([foreign]);
  });

  it('resumes nothing with resume: false', async () => {
    const m = model('no-resume');
    const key = `models/no-resume/${SHARD}`;
    await leaveOpen(key, [[1, part(m.shard, 1)]]);

    const result = await drop(m.folder, 'no-resume', { resume: false });

    expect(result).toMatchObject({ resumedParts: 0, sentBytes: m.bytes + 2 });
    expect(await stored(key)).toBe(md5(m.shard));
  });

  it('an interrupted drop keeps its upload open and says so; the next run sends only the rest', async () => {
    const m = model('interrupted');
    const key = `models/interrupted/${SHARD}`;
    const interrupt = new AbortController();
    // The shard's third part is never read: the drop is interrupted (Ctrl-C) while it waits.
    const stalling = async (path: string) => {
      const handle = await open(path, 'r');
      if (!path.endsWith(SHARD)) return handle;
      return new Proxy(handle, {
        get(target, property) {
          if (property === 'read')
            return async (buffer: Buffer, offset: number, length: number, position: number) => {
              if (position < 2 * PART) return target.read(buffer, offset, length, position);
              interrupt.abort(new Error('interrupted (SIGINT)'));
              throw interrupt.signal.reason;
            };
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };

    const stopped = drop(m.folder, 'interrupted', {
      concurrency: 1,
      signal: interrupt.signal,
      openFile: stalling,
    });

    await expect(stopped).rejects.toThrow(DropInterruptedError);
    await expect(stopped).rejects.toThrow(
      /Run the same command again to send the rest: it continues the 1 open multipart upload\(s\), sending only their missing parts\.$/,
    );
    expect(await openUploads(key)).toHaveLength(1);

    const rerun = await drop(m.folder, 'interrupted');

    expect(rerun).toMatchObject({ resumedParts: 2, resumedBytes: 2 * PART });
    expect(await stored(key)).toBe(md5(m.shard));
    expect(await openUploads(key)).toEqual([]);
  });
});
