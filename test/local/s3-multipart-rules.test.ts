/**
 * The rules of S3's multipart uploads that clients rely on: listing an upload's parts and a
 * bucket's uploads page by page, CompleteMultipartUpload's checks and its retry, parts sent in
 * any order, and UploadPartCopy; through the SDK and the AWS CLI.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, bytesOf, MiB, patterned, type S3Suite, s3Error, startS3Suite } from '../support/s3-suite';

let t: S3Suite;
beforeAll(async () => {
  t = await startS3Suite('s3-multipart-rules');
});
afterAll(() => t.close());

async function create(key: string): Promise<string> {
  const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  return UploadId as string;
}

async function part(key: string, uploadId: string, number: number, body: Buffer): Promise<string> {
  const { ETag } = await t.s3.send(
    new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: number, Body: body }),
  );
  return ETag as string;
}

function complete(key: string, uploadId: string, parts: { PartNumber: number; ETag: string }[]) {
  return t.s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

describe('ListParts', () => {
  it('pages an upload’s parts with max-parts and part-number-marker', async () => {
    const uploadId = await create('listed-parts');
    const etags = [];
    for (const n of [1, 2, 3]) etags.push(await part('listed-parts', uploadId, n, patterned(100 * n, n)));
    const first = await t.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'listed-parts', UploadId: uploadId, MaxParts: 2 }),
    );
    expect(first.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([
      [1, etags[0], 100],
      [2, etags[1], 200],
    ]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextPartNumberMarker).toBe('2');
    const second = await t.s3.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: 'listed-parts',
        UploadId: uploadId,
        MaxParts: 2,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );
    expect(second.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    expect(second.IsTruncated).toBe(false);
    expect(second.PartNumberMarker).toBe('2');
    // The CLI pages by itself (max-parts 1 here) and joins the pages.
    const cli = await t.cliJson<{ Parts: { PartNumber: number; ETag: string }[] }>([
      's3api',
      'list-parts',
      '--bucket',
      BUCKET,
      '--key',
      'listed-parts',
      '--upload-id',
      uploadId,
      '--page-size',
      '1',
    ]);
    expect(cli.Parts.map((p) => [p.PartNumber, p.ETag])).toEqual(etags.map((etag, i) => [i + 1, etag]));
    await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'listed-parts', UploadId: uploadId }),
    );
  });

  it('answers NoSuchUpload for an upload of another key', async () => {
    const uploadId = await create('own-key');
    expect(
      await s3Error(
        t.s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'other-key', UploadId: uploadId })),
      ),
    ).toEqual({ name: 'NoSuchUpload', status: 404 });
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'own-key', UploadId: uploadId }));
  });
});

describe('ListMultipartUploads', () => {
  const keys = ['lmu/a/1', 'lmu/a/2', 'lmu/b', 'lmu/c', 'lmu/c'];
  const ids: string[] = [];
  beforeAll(async () => {
    for (const key of keys) ids.push(await create(key));
  });
  afterAll(async () => {
    for (const [i, key] of keys.entries()) {
      await t.s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: ids[i] }));
    }
  });

  it('pages every upload once with key-marker and upload-id-marker, two uploads of one key included', async () => {
    const seen: [string, string][] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const got = await t.s3.send(
        new ListMultipartUploadsCommand({
          Bucket: BUCKET,
          Prefix: 'lmu/',
          MaxUploads: 1,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      expect(got.Uploads?.length).toBe(1);
      for (const upload of got.Uploads ?? []) seen.push([upload.Key as string, upload.UploadId as string]);
      if (!got.IsTruncated) break;
      keyMarker = got.NextKeyMarker;
      uploadIdMarker = got.NextUploadIdMarker;
    }
    // Ordered by key, and the uploads of one key by the time they began.
    expect(seen).toEqual(keys.map((key, i) => [key, ids[i]]));
  });

  it('rolls keys up under a delimiter, within a prefix, and pages past a common prefix', async () => {
    const all = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'lmu/', Delimiter: '/' }),
    );
    expect(all.Uploads?.map((u) => u.Key)).toEqual(['lmu/b', 'lmu/c', 'lmu/c']);
    expect(all.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['lmu/a/']);
    const first = await t.s3.send(
      new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'lmu/', Delimiter: '/', MaxUploads: 1 }),
    );
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['lmu/a/']);
    expect(first.Uploads ?? []).toEqual([]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextKeyMarker).toBe('lmu/a/');
    const next = await t.s3.send(
      new ListMultipartUploadsCommand({
        Bucket: BUCKET,
        Prefix: 'lmu/',
        Delimiter: '/',
        KeyMarker: first.NextKeyMarker,
      }),
    );
    expect(next.Uploads?.map((u) => u.Key)).toEqual(['lmu/b', 'lmu/c', 'lmu/c']);
    expect(next.CommonPrefixes ?? []).toEqual([]);
    const within = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'lmu/a/' }));
    expect(within.Uploads?.map((u) => u.Key)).toEqual(['lmu/a/1', 'lmu/a/2']);
  });

  it('lists them to the AWS CLI, page by page', async () => {
    const cli = await t.cliJson<{ Uploads: { Key: string; UploadId: string }[] }>([
      's3api',
      'list-multipart-uploads',
      '--bucket',
      BUCKET,
      '--prefix',
      'lmu/',
      '--page-size',
      '2',
    ]);
    expect(cli.Uploads.map((u) => [u.Key, u.UploadId])).toEqual(keys.map((key, i) => [key, ids[i]]));
  });
});

describe('CompleteMultipartUpload', () => {
  it('answers NoSuchUpload when sent to another key, announces nothing, and the upload stays completable', async () => {
    const uploadId = await create('completed-here');
    const etag = await part('completed-here', uploadId, 1, patterned(10));
    const announced = t.announced.length;
    expect(await s3Error(complete('somewhere-else', uploadId, [{ PartNumber: 1, ETag: etag }]))).toEqual({
      name: 'NoSuchUpload',
      status: 404,
    });
    expect(t.announced.slice(announced)).toEqual([]);
    expect(await s3Error(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'somewhere-else' })))).toEqual(
      {
        name: 'NoSuchKey',
        status: 404,
      },
    );
    await complete('completed-here', uploadId, [{ PartNumber: 1, ETag: etag }]);
    expect(t.announced.slice(announced)).toEqual(['completed-here']);
  });

  it('answers a retried Complete (a lost answer) with 200 and the same ETag and version, announced once', async () => {
    const uploadId = await create('retried');
    const etags = [
      await part('retried', uploadId, 1, patterned(5 * MiB)),
      await part('retried', uploadId, 2, patterned(9)),
    ];
    const parts = etags.map((ETag, i) => ({ PartNumber: i + 1, ETag }));
    const announced = t.announced.length;
    const first = await complete('retried', uploadId, parts);
    const again = await complete('retried', uploadId, parts);
    expect(again.$metadata.httpStatusCode).toBe(200);
    expect(again.ETag).toBe(first.ETag);
    expect(again.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(again.VersionId).toBe(first.VersionId);
    expect(t.announced.slice(announced)).toEqual(['retried']);
  });

  it('refuses a part under 5 MiB that is not the last: EntityTooSmall', async () => {
    const uploadId = await create('too-small');
    const parts = [
      { PartNumber: 1, ETag: await part('too-small', uploadId, 1, patterned(MiB)) },
      { PartNumber: 2, ETag: await part('too-small', uploadId, 2, patterned(MiB)) },
    ];
    expect(await s3Error(complete('too-small', uploadId, parts))).toEqual({
      name: 'EntityTooSmall',
      status: 400,
    });
    // The last part may be small, and a single part is the last.
    await complete('too-small', uploadId, parts.slice(0, 1));
  });

  it('refuses a part never uploaded, or named with another ETag: InvalidPart', async () => {
    const uploadId = await create('invalid-part');
    const etag = await part('invalid-part', uploadId, 1, patterned(5 * MiB));
    expect(
      await s3Error(
        complete('invalid-part', uploadId, [
          { PartNumber: 1, ETag: etag },
          { PartNumber: 2, ETag: etag },
        ]),
      ),
    ).toEqual({ name: 'InvalidPart', status: 400 });
    expect(
      await s3Error(
        complete('invalid-part', uploadId, [{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }]),
      ),
    ).toEqual({ name: 'InvalidPart', status: 400 });
    await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'invalid-part', UploadId: uploadId }),
    );
  });

  it('refuses parts not listed in ascending order: InvalidPartOrder', async () => {
    const uploadId = await create('part-order');
    const one = await part('part-order', uploadId, 1, patterned(5 * MiB));
    const two = await part('part-order', uploadId, 2, patterned(5 * MiB));
    expect(
      await s3Error(
        complete('part-order', uploadId, [
          { PartNumber: 2, ETag: two },
          { PartNumber: 1, ETag: one },
        ]),
      ),
    ).toEqual({ name: 'InvalidPartOrder', status: 400 });
    await t.s3.send(
      new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'part-order', UploadId: uploadId }),
    );
  });

  it('takes parts sent in any order and re-sent, joining the last of each in number order', async () => {
    const uploadId = await create('any-order');
    const bodies = [patterned(5 * MiB, 1), patterned(5 * MiB, 2), patterned(77, 3)];
    await part('any-order', uploadId, 3, bodies[2] as Buffer);
    await part('any-order', uploadId, 1, patterned(5 * MiB, 99));
    await part('any-order', uploadId, 2, bodies[1] as Buffer);
    const one = await part('any-order', uploadId, 1, bodies[0] as Buffer);
    const listed = await t.s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'any-order', UploadId: uploadId }),
    );
    expect(listed.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    expect(listed.Parts?.[0]?.ETag).toBe(one);
    await complete(
      'any-order',
      uploadId,
      (listed.Parts ?? []).map((p) => ({ PartNumber: p.PartNumber as number, ETag: p.ETag as string })),
    );
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'any-order' }));
    expect((await bytesOf(got.Body)).equals(Buffer.concat(bodies))).toBe(true);
  });
});

describe('UploadPartCopy', () => {
  const SOURCE = patterned(20 * MiB, 5);
  beforeAll(async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy-source', Body: SOURCE }));
  });

  it('makes parts of ranges of another object', async () => {
    const uploadId = await create('copied-parts');
    const parts = [];
    for (const [i, [first, last]] of [
      [0, 6 * MiB - 1],
      [6 * MiB, 20 * MiB - 1],
    ].entries()) {
      const copied = await t.s3.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'copied-parts',
          UploadId: uploadId,
          PartNumber: i + 1,
          CopySource: `${BUCKET}/copy-source`,
          CopySourceRange: `bytes=${first}-${last}`,
        }),
      );
      expect(copied.CopyPartResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      parts.push({ PartNumber: i + 1, ETag: copied.CopyPartResult?.ETag as string });
    }
    await complete('copied-parts', uploadId, parts);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copied-parts' }));
    expect((await bytesOf(got.Body)).equals(SOURCE)).toBe(true);
  });

  it('serves `aws s3 cp s3://… s3://…` of a 20 MiB object (a multipart copy)', async () => {
    const before = t.service.stats().requests;
    await t.cli(['s3', 'cp', `s3://${BUCKET}/copy-source`, `s3://${BUCKET}/cli copy`]);
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cli copy' }));
    expect((await bytesOf(got.Body)).equals(SOURCE)).toBe(true);
    expect(got.ETag).toMatch(/-\d+"$/);
    expect(t.service.stats().requests - before).toBeGreaterThan(3);
  });
});
