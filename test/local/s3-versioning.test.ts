/**
 * The local S3 versions its buckets as the models bucket is versioned on AWS: every write gets
 * a version id of its own, answered where S3 answers it and announced in the notification, and
 * the versions it replaced stay readable. Driven through the real S3 client (and the AWS CLI,
 * a second, independent client) against the S3 service alone, served on a port of its own (test/support/served-s3.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3EventRecord } from '../../local/s3/notifications';
import { awsCli } from '../support/aws-cli';
import { type ServedS3, serveS3 } from '../support/served-s3';

const BUCKET = 'models-bucket';
const REGION = 'us-east-1';

let directory: string;
let service: ServedS3;
let s3: S3Client;
const notified: S3EventRecord[] = [];

async function start(): Promise<void> {
  service = await serveS3({
    directory,
    buckets: [BUCKET],
    region: REGION,
    notifications: [
      {
        bucket: BUCKET,
        configurationId: 'all-objects',
        filter: {},
        deliver: (_body, record) => notified.push(record),
      },
    ],
  });
  s3 = new S3Client({
    endpoint: service.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
}

beforeAll(async () => {
  directory = join(mkdtempSync(join(tmpdir(), 'mop-s3-versions-')), 's3');
  await start();
});

afterAll(async () => {
  s3?.destroy();
  await service?.close();
});

const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
const text = async (Key: string, VersionId?: string) => {
  const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key, VersionId }));
  return { body: await response.Body?.transformToString(), versionId: response.VersionId };
};
const notificationsOf = (key: string) => notified.filter((r) => r.s3.object.key === key);

describe('writes', () => {
  it('gives each upload of the same bytes a new version id, in the answer and in the notification', async () => {
    const first = await put('models/same.tar.gz', 'identical bytes');
    const second = await put('models/same.tar.gz', 'identical bytes');

    expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(second.ETag).toBe(first.ETag);
    expect(
      notificationsOf('models/same.tar.gz').map((r) => [
        r.eventName,
        r.s3.object.versionId,
        r.s3.object.eTag,
      ]),
    ).toEqual([
      ['ObjectCreated:Put', first.VersionId, first.ETag?.replace(/"/g, '')],
      ['ObjectCreated:Put', second.VersionId, second.ETag?.replace(/"/g, '')],
    ]);
  });

  it('answers and announces the version id of a completed multipart upload', async () => {
    const Key = 'models/multipart/optimization.json';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: 1, Body: '{"techniques":[]}' }),
    );

    const completed = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );

    expect(completed.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(notificationsOf('models/multipart/optimization.json').map((r) => r.eventName)).toEqual([
      'ObjectCreated:CompleteMultipartUpload',
    ]);
    expect(notificationsOf('models/multipart/optimization.json')[0]?.s3.object.versionId).toBe(
      completed.VersionId,
    );
    expect((await text(Key)).versionId).toBe(completed.VersionId);
  });

  it('copies the current or a named version, answering the new version id and the source’s', async () => {
    const old = await put('models/copy-source.txt', 'old');
    const current = await put('models/copy-source.txt', 'new');

    const ofCurrent = await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'models/copy of current.txt',
        CopySource: `${BUCKET}/models/copy-source.txt`,
      }),
    );
    const ofOld = await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'models/copy of old.txt',
        CopySource: `${BUCKET}/models/copy-source.txt?versionId=${old.VersionId}`,
      }),
    );

    expect(ofCurrent.CopySourceVersionId).toBe(current.VersionId);
    expect(ofOld.CopySourceVersionId).toBe(old.VersionId);
    expect(ofOld.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await text('models/copy of old.txt')).toEqual({ body: 'old', versionId: ofOld.VersionId });
    expect(await text('models/copy of current.txt')).toEqual({ body: 'new', versionId: ofCurrent.VersionId });
    const [record] = notificationsOf('models/copy+of+old.txt');
    expect([record?.eventName, record?.s3.object.versionId]).toEqual(['ObjectCreated:Copy', ofOld.VersionId]);
  });

  it('restores an earlier version by copying it over its own key', async () => {
    const first = await put('models/restore.txt', 'first');
    await put('models/restore.txt', 'second');

    const restored = await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'models/restore.txt',
        CopySource: `${BUCKET}/models/restore.txt?versionId=${first.VersionId}`,
      }),
    );

    expect(await text('models/restore.txt')).toEqual({ body: 'first', versionId: restored.VersionId });
  });
});

describe('reads', () => {
  it('answers the current version and its id on GET and HEAD, and an earlier one by its id', async () => {
    const v1 = await put('models/read.txt', 'one');
    const v2 = await put('models/read.txt', 'two');

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'models/read.txt' }));
    const headOfV1 = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'models/read.txt', VersionId: v1.VersionId }),
    );

    expect(head.VersionId).toBe(v2.VersionId);
    expect(head.ETag).toBe(v2.ETag);
    expect(headOfV1.VersionId).toBe(v1.VersionId);
    expect(headOfV1.ContentLength).toBe(3);
    expect(await text('models/read.txt')).toEqual({ body: 'two', versionId: v2.VersionId });
    expect(await text('models/read.txt', v1.VersionId)).toEqual({ body: 'one', versionId: v1.VersionId });
  });

  it('answers NoSuchVersion for a version id the key never had', async () => {
    await put('models/unknown-version.txt', 'x');

    await expect(text('models/unknown-version.txt', 'no-such-version-id')).rejects.toMatchObject({
      name: 'NoSuchVersion',
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe('deletes', () => {
  it('adds a delete marker: the key reads as deleted, its versions stay, and removing the marker brings it back', async () => {
    const Key = 'models/deleted.txt';
    const kept = await put(Key, 'kept');

    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }));

    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(text(Key)).rejects.toMatchObject({
      name: 'NoSuchKey',
      $response: { headers: { 'x-amz-delete-marker': 'true', 'x-amz-version-id': deleted.VersionId } },
    });
    await expect(text(Key, deleted.VersionId)).rejects.toMatchObject({ $metadata: { httpStatusCode: 405 } });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: Key }));
    expect(listed.Contents ?? []).toEqual([]);
    expect(await text(Key, kept.VersionId)).toEqual({ body: 'kept', versionId: kept.VersionId });

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId: deleted.VersionId }));

    expect(await text(Key)).toEqual({ body: 'kept', versionId: kept.VersionId });
  });

  it('removes a named version for good, and the key with its last version', async () => {
    const Key = 'models/removed.txt';
    const v1 = await put(Key, 'one');
    const v2 = await put(Key, 'two');

    const removed = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId: v2.VersionId }));

    expect(removed).toMatchObject({ VersionId: v2.VersionId });
    expect(removed.DeleteMarker).toBeUndefined();
    expect(await text(Key)).toEqual({ body: 'one', versionId: v1.VersionId });
    await expect(text(Key, v2.VersionId)).rejects.toMatchObject({ name: 'NoSuchVersion' });

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key, VersionId: v1.VersionId }));

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: Key }));
    expect([versions.Versions ?? [], versions.DeleteMarkers ?? []]).toEqual([[], []]);
  });

  it('deletes many keys at once: named versions for good, the others behind delete markers', async () => {
    const a = await put('models/many/a.txt', 'a');
    await put('models/many/b.txt', 'b');

    const result = await s3.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: {
          Objects: [{ Key: 'models/many/a.txt', VersionId: a.VersionId }, { Key: 'models/many/b.txt' }],
        },
      }),
    );

    expect(result.Deleted?.[0]).toEqual({ Key: 'models/many/a.txt', VersionId: a.VersionId });
    expect(result.Deleted?.[1]).toMatchObject({ Key: 'models/many/b.txt', DeleteMarker: true });
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'models/many/' }));
    expect(versions.Versions?.map((v) => [v.Key, v.IsLatest])).toEqual([['models/many/b.txt', false]]);
    expect(versions.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest])).toEqual([
      ['models/many/b.txt', result.Deleted?.[1]?.DeleteMarkerVersionId, true],
    ]);
  });
});

describe('the bucket', () => {
  it('lists every version newest first, and pages through them with key and version-id markers', async () => {
    const ids: Record<string, string[]> = {};
    for (const key of ['list/a', 'list/b', 'list/c']) {
      const newestFirst: string[] = [];
      for (let i = 0; i < 3; i++) newestFirst.unshift((await put(key, `${key} ${i}`)).VersionId ?? '');
      ids[key] = newestFirst;
    }
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'list/b' }));

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'list/' }));
    const pages: ListObjectVersionsCommandOutput[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'list/', MaxKeys: 2, ...markers }),
      );
      pages.push(page);
      markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    } while (pages.at(-1)?.IsTruncated && pages.length < 20);

    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ...(ids['list/a'] ?? []).map((id, i) => ['list/a', id, i === 0]),
      ...(ids['list/b'] ?? []).map((id) => ['list/b', id, false]),
      ...(ids['list/c'] ?? []).map((id, i) => ['list/c', id, i === 0]),
    ]);
    expect(all.DeleteMarkers?.map((m) => [m.Key, m.IsLatest])).toEqual([['list/b', true]]);
    expect(pages).toHaveLength(5);
    const rows = (p: ListObjectVersionsCommandOutput) => [...(p.Versions ?? []), ...(p.DeleteMarkers ?? [])];
    expect(
      pages
        .flatMap(rows)
        .map((v) => v.VersionId)
        .sort(),
    ).toEqual([...(all.Versions ?? []), ...(all.DeleteMarkers ?? [])].map((v) => v.VersionId).sort());
  });

  it('rolls keys up under a delimiter into common prefixes, each listed once', async () => {
    for (const key of ['rolled/x/1', 'rolled/x/2', 'rolled/y/1', 'rolled/z']) await put(key, key);

    const prefixes: string[] = [];
    const keys: string[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const listed = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: BUCKET,
          Prefix: 'rolled/',
          Delimiter: '/',
          MaxKeys: 1,
          ...markers,
        }),
      );
      prefixes.push(...(listed.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''));
      keys.push(...(listed.Versions ?? []).map((v) => v.Key ?? ''));
      if (!listed.IsTruncated) break;
      markers = { KeyMarker: listed.NextKeyMarker, VersionIdMarker: listed.NextVersionIdMarker };
    }

    expect(prefixes).toEqual(['rolled/x/', 'rolled/y/']);
    expect(keys).toEqual(['rolled/z']);
  });

  it('says versioning is Enabled, takes Enabled again, and refuses to suspend it as not emulated', async () => {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );

    expect(versioning.Status).toBe('Enabled');
    await expect(
      s3.send(
        new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Suspended' } }),
      ),
    ).rejects.toMatchObject({
      name: 'NotImplemented',
      message: expect.stringMatching(/keeps every bucket versioned/),
    });
  });
});

describe('state', () => {
  it('keeps every version across a restart, and reads an object stored before versions as the null version', async () => {
    const v1 = await put('models/kept.txt', 'one');
    const v2 = await put('models/kept.txt', 'two');
    // A record as the store wrote it before it kept versions: one object, no version id.
    const hash = createHash('sha256').update('models/legacy.txt').digest('hex');
    const dir = join(directory, BUCKET, 'objects', hash.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${hash}.legacy.data`), 'legacy');
    writeFileSync(
      join(dir, `${hash}.json`),
      JSON.stringify({
        key: 'models/legacy.txt',
        size: 6,
        md5: createHash('md5').update('legacy').digest('hex'),
        modified: Date.now(),
        metadata: { 'content-type': 'text/plain' },
        data: `${hash}.legacy.data`,
      }),
    );

    s3.destroy();
    await service.close();
    await start();

    expect(await text('models/kept.txt')).toEqual({ body: 'two', versionId: v2.VersionId });
    expect(await text('models/kept.txt', v1.VersionId)).toEqual({ body: 'one', versionId: v1.VersionId });
    expect(await text('models/legacy.txt')).toEqual({ body: 'legacy', versionId: 'null' });
    const next = await put('models/legacy.txt', 'versioned');
    expect(await text('models/legacy.txt', 'null')).toEqual({ body: 'legacy', versionId: 'null' });
    expect(await text('models/legacy.txt')).toEqual({ body: 'versioned', versionId: next.VersionId });
  });
});

describe('the AWS CLI, a second client', () => {
  const aws = async (...args: string[]) => {
    const stdout = await awsCli(service.endpoint, REGION, ['s3api', ...args, '--output', 'json']);
    return JSON.parse(stdout || '{}') as Record<string, unknown>;
  };

  it('sees a new VersionId for each put-object of the same file, and the current one on head-object', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mop-aws-body-')), 'model.tar.gz');
    writeFileSync(file, 'the same bytes twice');

    const first = await aws('put-object', '--bucket', BUCKET, '--key', 'models/cli.tar.gz', '--body', file);
    const second = await aws('put-object', '--bucket', BUCKET, '--key', 'models/cli.tar.gz', '--body', file);
    const head = await aws('head-object', '--bucket', BUCKET, '--key', 'models/cli.tar.gz');
    const listed = await aws('list-object-versions', '--bucket', BUCKET, '--prefix', 'models/cli.tar.gz');

    expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(head.VersionId).toBe(second.VersionId);
    expect((listed.Versions as { VersionId: string }[]).map((v) => v.VersionId)).toEqual([
      second.VersionId,
      first.VersionId,
    ]);
    expect(notificationsOf('models/cli.tar.gz').map((r) => r.s3.object.versionId)).toEqual([
      first.VersionId,
      second.VersionId,
    ]);
  });
});
