/**
 * An object a multipart upload made is kept as its parts (local/s3/hashed-store.ts): completing
 * the upload links the part files, copies none of them. Reads, ranges, copies, deletes and a
 * restart must see one object all the same, through the SDK and through the AWS CLI.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsCli } from '../support/aws-cli';
import { type ServedS3, serveS3 } from '../support/served-s3';

const BUCKET = 'models-bucket';
const REGION = 'us-east-1';
const MiB = 2 ** 20;
/** Five 5 MiB parts and a short last one, each byte saying where it is. */
const PART_SIZES = [5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB, 1024];
const BODY = Buffer.alloc(PART_SIZES.reduce((a, b) => a + b, 0));
for (let i = 0; i < BODY.length; i += 4) BODY.writeUInt32BE(i, i);

let directory: string;
let service: ServedS3;
let s3: S3Client;

async function start(): Promise<void> {
  service = await serveS3({
    directory: join(directory, 's3'),
    buckets: [BUCKET],
    region: REGION,
    notifications: [],
  });
  s3 = new S3Client({
    endpoint: service.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
}

async function stop(): Promise<void> {
  s3.destroy();
  await service.close();
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'mop-s3-parts-'));
  await start();
});
afterAll(async () => {
  await stop();
  rmSync(directory, { recursive: true, force: true });
});

const bucketDir = () => join(directory, 's3', BUCKET);
/** Every data file of the bucket's objects, with its inode. */
function dataFiles(): { name: string; ino: number; size: number }[] {
  const objects = join(bucketDir(), 'objects');
  return readdirSync(objects).flatMap((shard) =>
    readdirSync(join(objects, shard))
      .filter((name) => name.endsWith('.data'))
      .map((name) => {
        const info = statSync(join(objects, shard, name));
        return { name, ino: info.ino, size: info.size };
      }),
  );
}
/** The inodes of an upload's part files, before it is completed. */
function uploadPartInodes(uploadId: string): number[] {
  const dir = join(bucketDir(), 'uploads', uploadId);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.part'))
    .map((name) => statSync(join(dir, name)).ino);
}

async function startUpload(
  Key: string,
): Promise<{ UploadId: string; parts: { PartNumber: number; ETag?: string }[] }> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
  const parts = [];
  let at = 0;
  for (const [i, size] of PART_SIZES.entries()) {
    const Body = BODY.subarray(at, at + size);
    at += size;
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: i + 1, Body }),
    );
    parts.push({ PartNumber: i + 1, ETag });
  }
  return { UploadId: UploadId as string, parts };
}

const complete = (Key: string, upload: Awaited<ReturnType<typeof startUpload>>) =>
  s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key,
      UploadId: upload.UploadId,
      MultipartUpload: { Parts: upload.parts },
    }),
  );

async function read(Key: string, Range?: string, VersionId?: string): Promise<Buffer> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key, Range, VersionId }));
  return Buffer.from(await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('completing a multipart upload', () => {
  it('keeps the parts as the object: the same files (inodes), nothing copied, and the upload gone', async () => {
    const Key = 'models/linked/model.safetensors';
    const upload = await startUpload(Key);
    const inodes = uploadPartInodes(upload.UploadId);
    const before = new Set(dataFiles().map((file) => file.name));

    await complete(Key, upload);

    const added = dataFiles().filter((file) => !before.has(file.name));
    expect(added.map((file) => file.ino).sort()).toEqual([...inodes].sort());
    expect(added.map((file) => file.size).sort((a, b) => a - b)).toEqual(
      [...PART_SIZES].sort((a, b) => a - b),
    );
    expect(readdirSync(join(bucketDir(), 'uploads'))).not.toContain(upload.UploadId);
    expect(sha256(await read(Key))).toBe(sha256(BODY));
  });
});

describe('reading an object kept as parts', () => {
  const Key = 'models/ranges/model.safetensors';
  beforeAll(async () => {
    await complete(Key, await startUpload(Key));
  });

  // [first, last] byte, inclusive, as a Range header names them.
  const RANGES: [string, number, number][] = [
    ['inside one part', 10, 4095],
    ['the last byte of a part and the first of the next', 5 * MiB - 1, 5 * MiB],
    ['across three parts', 4 * MiB, 12 * MiB],
    ['one whole part, exactly', 10 * MiB, 15 * MiB - 1],
    ['into the short last part', 25 * MiB - 3, 25 * MiB + 10],
  ];
  for (const [what, first, last] of RANGES) {
    it(`answers a range ${what}`, async () => {
      expect(sha256(await read(Key, `bytes=${first}-${last}`))).toBe(sha256(BODY.subarray(first, last + 1)));
    });
  }

  it('answers a suffix range (the last N bytes, all of them when N is more) and an open-ended one', async () => {
    expect(sha256(await read(Key, 'bytes=-2000'))).toBe(sha256(BODY.subarray(BODY.length - 2000)));
    expect(sha256(await read(Key, `bytes=-${BODY.length * 2}`))).toBe(sha256(BODY));
    expect(sha256(await read(Key, `bytes=${20 * MiB + 7}-`))).toBe(sha256(BODY.subarray(20 * MiB + 7)));
  });

  it('copies it into a new object that shares its files (nothing copied) and outlives its source', async () => {
    const copy = 'models/ranges/copy.safetensors';
    const before = dataFiles();
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: copy, CopySource: `${BUCKET}/${Key}` }));
    const known = new Set(before.map((file) => file.name));
    const added = dataFiles().filter((file) => !known.has(file.name));
    expect(added).toHaveLength(PART_SIZES.length);
    for (const file of added) expect(before.map((other) => other.ino)).toContain(file.ino);

    const source = 'models/ranges/source.safetensors';
    await complete(source, await startUpload(source));
    await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: `${source}.copy`, CopySource: `${BUCKET}/${source}` }),
    );
    // HEAD, not GET: a GET whose body is never read would hold the source's files until its
    // connection ends, and their late removal would land in the next test's count.
    const { VersionId } = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: source }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: source, VersionId }));

    expect(sha256(await read(copy))).toBe(sha256(BODY));
    expect(sha256(await read(`${source}.copy`))).toBe(sha256(BODY));
  });
});

describe('deleting and restarting', () => {
  it('removes every part file of a version deleted for good', async () => {
    const Key = 'models/deleted/model.safetensors';
    const before = dataFiles().length;
    await complete(Key, await startUpload(Key));
    // HEAD, not GET: a GET whose body is never read holds the version's files until it ends.
    const { VersionId } = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }));
    expect(dataFiles().length).toBe(before + PART_SIZES.length);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId }));

    expect(dataFiles().length).toBe(before);
  });

  it('reads the object after a restart, and removes part links a kill left before their record, with the upload still completable', async () => {
    const kept = 'models/restart/kept.safetensors';
    await complete(kept, await startUpload(kept));
    const Key = 'models/restart/interrupted.safetensors';
    const upload = await startUpload(Key);
    // What a kill between linking the parts and writing the record leaves: links no record names.
    const uploadDir = join(bucketDir(), 'uploads', upload.UploadId);
    const shard = readdirSync(join(bucketDir(), 'objects'))[0] as string;
    const orphans = readdirSync(uploadDir)
      .filter((name) => name.endsWith('.part'))
      .map((name, i) => {
        const orphan = join(bucketDir(), 'objects', shard, `${'0'.repeat(64)}.orphan.${i + 1}.data`);
        linkSync(join(uploadDir, name), orphan);
        return orphan;
      });

    await stop();
    await start();

    const names = new Set(dataFiles().map((file) => file.name));
    expect(orphans.filter((orphan) => names.has(orphan.split('/').pop() as string))).toEqual([]);
    expect(sha256(await read(kept))).toBe(sha256(BODY));
    await complete(Key, upload);
    expect(sha256(await read(Key))).toBe(sha256(BODY));
  });
});

describe('aborting a multipart upload', () => {
  it('removes its parts at once, and answers NoSuchUpload for it afterwards', async () => {
    const Key = 'models/aborted/model.safetensors';
    const upload = await startUpload(Key);
    expect(uploadPartInodes(upload.UploadId)).toHaveLength(PART_SIZES.length);

    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId: upload.UploadId }));

    expect(readdirSync(join(bucketDir(), 'uploads'))).not.toContain(upload.UploadId);
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: Error) => error.name,
      );
    expect(
      await Promise.all([
        refusal(s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId: upload.UploadId }))),
        refusal(
          s3.send(
            new UploadPartCommand({
              Bucket: BUCKET,
              Key,
              UploadId: upload.UploadId,
              PartNumber: 1,
              Body: 'x',
            }),
          ),
        ),
        refusal(complete(Key, upload)),
      ]),
    ).toEqual(['NoSuchUpload', 'NoSuchUpload', 'NoSuchUpload']);
    await expect(read(Key)).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('the AWS CLI, a second client', () => {
  const aws = (...args: string[]) =>
    awsCli(service.endpoint, REGION, [...args, '--only-show-errors'], 120_000);

  it('uploads in 8 MiB parts and downloads in 8 MiB ranges that cross the parts, byte for byte', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mop-aws-parts-'));
    try {
      const file = join(work, 'model.safetensors');
      writeFileSync(file, BODY);
      // The CLI sends a file over 8 MiB as a multipart upload of 8 MiB parts.
      await aws('s3', 'cp', file, `s3://${BUCKET}/models/cli/model.safetensors`);
      expect(sha256(await read('models/cli/model.safetensors'))).toBe(sha256(BODY));

      // And reads an object over 8 MiB in ranged GETs of 8 MiB: here across the 5 MiB parts.
      const Key = 'models/cli/sdk.safetensors';
      await complete(Key, await startUpload(Key));
      await aws('s3', 'cp', `s3://${BUCKET}/${Key}`, join(work, 'back.safetensors'));
      expect(sha256(readFileSync(join(work, 'back.safetensors')))).toBe(sha256(BODY));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
