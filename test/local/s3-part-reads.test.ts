/**
 * Reading an object by part, as transfer managers do (`GET`/`HEAD ?partNumber=N`), its
 * attributes (GetObjectAttributes), and a read that a permanent delete of its version overtakes:
 * through the SDK and the AWS CLI, against S3's documented answers.
 */
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, bytesOf, MiB, patterned, type S3Suite, s3Error, startS3Suite } from '../support/s3-suite';

const PART_SIZES = [5 * MiB, 5 * MiB, MiB + 123];
const BODY = patterned(PART_SIZES.reduce((a, b) => a + b, 0));
const SMALL = patterned(1000, 7);
let t: S3Suite;
let multipartEtag: string;

async function putMultipart(key: string): Promise<{ etag: string; versionId: string }> {
  const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const parts = [];
  let offset = 0;
  for (const [i, size] of PART_SIZES.entries()) {
    const { ETag } = await t.s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        PartNumber: i + 1,
        Body: BODY.subarray(offset, offset + size),
      }),
    );
    parts.push({ PartNumber: i + 1, ETag });
    offset += size;
  }
  const done = await t.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  return { etag: done.ETag as string, versionId: done.VersionId as string };
}

beforeAll(async () => {
  t = await startS3Suite('s3-part-reads');
  multipartEtag = (await putMultipart('three-parts')).etag;
  await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'one-part', Body: SMALL }));
});
afterAll(() => t.close());

describe('GET and HEAD ?partNumber=N', () => {
  it.each([1, 2, 3])('answers part %i of a 3-part object: 206, its range, and the parts count', async (n) => {
    const start = PART_SIZES.slice(0, n - 1).reduce((a, b) => a + b, 0);
    const size = PART_SIZES[n - 1] as number;
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'three-parts', PartNumber: n }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes ${start}-${start + size - 1}/${BODY.length}`);
    expect(got.ContentLength).toBe(size);
    expect(got.PartsCount).toBe(3);
    expect(got.ETag).toBe(multipartEtag);
    expect((await bytesOf(got.Body)).equals(BODY.subarray(start, start + size))).toBe(true);
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'three-parts', PartNumber: n }),
    );
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(head.ContentRange).toBe(got.ContentRange);
    expect(head.ContentLength).toBe(size);
    expect(head.PartsCount).toBe(3);
  });

  it('refuses a part past the last with 416 InvalidPartNumber, on GET and on HEAD', async () => {
    expect(
      await s3Error(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'three-parts', PartNumber: 4 }))),
    ).toEqual({
      name: 'InvalidPartNumber',
      status: 416,
    });
    const head = await t.raw('HEAD', `/${BUCKET}/three-parts?partNumber=4`);
    expect(head.status).toBe(416);
    expect(head.body.length).toBe(0);
  });

  it('refuses partNumber with a Range, and a partNumber out of 1..10000', async () => {
    const both = await t.raw('GET', `/${BUCKET}/three-parts?partNumber=1`, { range: 'bytes=0-1' });
    expect(both.status).toBe(400);
    expect(both.body.toString()).toContain('<Code>InvalidRequest</Code>');
    for (const n of ['0', '10001', 'x']) {
      const bad = await t.raw('GET', `/${BUCKET}/three-parts?partNumber=${n}`);
      expect(bad.status).toBe(400);
      expect(bad.body.toString()).toContain('<Code>InvalidArgument</Code>');
    }
  });

  // S3 answers partNumber=1 of an object that was not uploaded in parts as a range of the whole
  // object: 206 with `Content-Range: bytes 0-(n-1)/n` (a capture of S3's answer is in
  // versity/versitygw#2074), and no parts count; part 2 is 416 InvalidPartNumber.
  it('answers partNumber=1 of a single-part object as S3 does: 206 with the whole range', async () => {
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'one-part', PartNumber: 1 }));
    expect(got.$metadata.httpStatusCode).toBe(206);
    expect(got.ContentRange).toBe(`bytes 0-${SMALL.length - 1}/${SMALL.length}`);
    expect(got.PartsCount).toBeUndefined();
    expect((await bytesOf(got.Body)).equals(SMALL)).toBe(true);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'one-part', PartNumber: 1 }));
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(
      await s3Error(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'one-part', PartNumber: 2 }))),
    ).toEqual({
      name: 'InvalidPartNumber',
      status: 416,
    });
  });

  it('gives the AWS CLI part 2 of the object, and the parts count', async () => {
    const out = await t.cliJson<{ ContentLength: number; ContentRange: string; PartsCount: number }>([
      's3api',
      'head-object',
      '--bucket',
      BUCKET,
      '--key',
      'three-parts',
      '--part-number',
      '2',
    ]);
    expect(out.ContentLength).toBe(PART_SIZES[1]);
    expect(out.ContentRange).toBe(`bytes ${5 * MiB}-${10 * MiB - 1}/${BODY.length}`);
    expect(out.PartsCount).toBe(3);
  });
});

describe('GetObjectAttributes', () => {
  const ALL = ['ETag', 'ObjectSize', 'StorageClass', 'Checksum', 'ObjectParts'] as const;

  it('answers a multipart object’s ETag (unquoted, as S3 does), size, storage class and parts', async () => {
    const got = await t.s3.send(
      new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'three-parts', ObjectAttributes: [...ALL] }),
    );
    expect(got.ETag).toBe(multipartEtag.replace(/"/g, ''));
    expect(got.ObjectSize).toBe(BODY.length);
    expect(got.StorageClass).toBe('STANDARD');
    expect(got.ObjectParts?.TotalPartsCount).toBe(3);
    // S3 lists no Part for an object stored without an additional checksum, and the local
    // store keeps none, so no Checksum either (docs/local.md, Limits).
    expect(got.ObjectParts?.Parts).toBeUndefined();
    expect(got.Checksum).toBeUndefined();
    expect(got.VersionId).toBeDefined();
    expect(got.LastModified).toBeInstanceOf(Date);
  });

  it('leaves out ObjectParts for a single-part object, and answers only what was asked', async () => {
    const got = await t.s3.send(
      new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'one-part', ObjectAttributes: [...ALL] }),
    );
    expect(got.ObjectSize).toBe(SMALL.length);
    expect(got.ObjectParts).toBeUndefined();
    const some = await t.s3.send(
      new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'one-part', ObjectAttributes: ['ObjectSize'] }),
    );
    expect(some.ObjectSize).toBe(SMALL.length);
    expect(some.ETag).toBeUndefined();
    expect(some.StorageClass).toBeUndefined();
  });

  it('answers NoSuchKey for a missing key and InvalidArgument for an unknown attribute', async () => {
    expect(
      await s3Error(
        t.s3.send(
          new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'missing', ObjectAttributes: ['ETag'] }),
        ),
      ),
    ).toEqual({ name: 'NoSuchKey', status: 404 });
    const bad = await t.raw('GET', `/${BUCKET}/one-part?attributes`, { 'x-amz-object-attributes': 'Colour' });
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('<Code>InvalidArgument</Code>');
  });

  it('answers the AWS CLI at once (one request: no retries of a 5xx)', async () => {
    const before = t.service.stats().requests;
    const out = await t.cliJson<{
      ETag: string;
      ObjectSize: number;
      StorageClass: string;
      ObjectParts: { TotalPartsCount: number };
    }>([
      's3api',
      'get-object-attributes',
      '--bucket',
      BUCKET,
      '--key',
      'three-parts',
      '--object-attributes',
      ...ALL,
    ]);
    expect(out.ETag).toBe(multipartEtag.replace(/"/g, ''));
    expect(out.ObjectSize).toBe(BODY.length);
    expect(out.StorageClass).toBe('STANDARD');
    expect(out.ObjectParts.TotalPartsCount).toBe(3);
    expect(t.service.stats().requests - before).toBe(1);
  });
});

describe('a read overtaken by a permanent delete of its version', () => {
  it('completes with every byte, and the version is gone for the next read', async () => {
    const { versionId } = await putMultipart('deleted-while-read');
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'deleted-while-read' }));
    const reader = (got.Body as NodeJS.ReadableStream)[Symbol.asyncIterator]();
    const first = await reader.next();
    const chunks = [Buffer.from(first.value as Uint8Array)];
    await t.s3.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: 'deleted-while-read', VersionId: versionId }),
    );
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      chunks.push(Buffer.from(next.value as Uint8Array));
    }
    expect(Buffer.concat(chunks).equals(BODY)).toBe(true);
    expect(
      await s3Error(
        t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'deleted-while-read', VersionId: versionId })),
      ),
    ).toMatchObject({ status: 404 });
  });
});
