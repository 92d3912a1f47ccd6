/**
 * S3's conditional requests (GetObject, HeadObject, PutObject, CopyObject in the S3 API
 * reference): the read preconditions answer 412 or 304, a 304 carries the ETag, conditional
 * writes are refused when their object is not what they name, and a copy checks its source.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUCKET, cliFailure, type S3Suite, s3Error, startS3Suite } from '../support/s3-suite';

let t: S3Suite;
let etag: string;
const PAST = new Date('2001-01-01T00:00:00Z');
/** The object's Last-Modified: a date at (not after) it counts as "not modified since". */
let written: Date;
const OTHER = '"0123456789abcdef0123456789abcdef"';

beforeAll(async () => {
  t = await startS3Suite('s3-conditions');
  etag = (await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c', Body: 'conditional' })))
    .ETag as string;
  written = (await t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'c' }))).LastModified as Date;
});
afterAll(() => t.close());

/** The status a GET and a HEAD answer under `headers`, and the 304's ETag. */
async function statuses(headers: Record<string, string>) {
  const get = await t.raw('GET', `/${BUCKET}/c`, headers);
  const head = await t.raw('HEAD', `/${BUCKET}/c`, headers);
  return { get: get.status, head: head.status, etag: get.status === 304 ? get.headers.etag : undefined };
}

describe('GET and HEAD', () => {
  it.each([
    ['If-Match with its ETag', { 'if-match': 'ETAG' }, 200],
    ['If-Match with its ETag among others', { 'if-match': `${OTHER}, ETAG` }, 200],
    ['If-Match: *', { 'if-match': '*' }, 200],
    ['If-Match with another ETag', { 'if-match': OTHER }, 412],
    ['If-Unmodified-Since its Last-Modified', { 'if-unmodified-since': 'WRITTEN' }, 200],
    ['If-Unmodified-Since before it was written', { 'if-unmodified-since': PAST.toUTCString() }, 412],
    ['If-None-Match with its ETag', { 'if-none-match': 'ETAG' }, 304],
    ['If-None-Match with another ETag', { 'if-none-match': OTHER }, 200],
    ['If-Modified-Since its Last-Modified', { 'if-modified-since': 'WRITTEN' }, 304],
    ['If-Modified-Since before it was written', { 'if-modified-since': PAST.toUTCString() }, 200],
    // S3: "If-Match evaluates to true and If-Unmodified-Since to false: 200 OK"; and
    // "If-None-Match evaluates to false and If-Modified-Since to true: 304 Not Modified".
    [
      'a true If-Match over a false If-Unmodified-Since',
      { 'if-match': 'ETAG', 'if-unmodified-since': PAST.toUTCString() },
      200,
    ],
    [
      'If-None-Match with its ETag over a true If-Modified-Since',
      { 'if-none-match': 'ETAG', 'if-modified-since': PAST.toUTCString() },
      304,
    ],
    ['a false If-Match and a true If-None-Match', { 'if-match': OTHER, 'if-none-match': OTHER }, 412],
  ])('%s: %i', async (_what, conditions, status) => {
    const headers = Object.fromEntries(
      Object.entries(conditions).map(([k, v]) => [
        k,
        v.replace('ETAG', etag).replace('WRITTEN', written.toUTCString()),
      ]),
    );
    const answer = await statuses(headers);
    expect(answer.get).toBe(status);
    expect(answer.head).toBe(status);
    if (status === 304) expect(answer.etag).toBe(etag);
  });

  it('answers the SDK with PreconditionFailed and NotModified', async () => {
    expect(
      await s3Error(t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'c', IfMatch: OTHER }))),
    ).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    const notModified = await s3Error(
      t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'c', IfNoneMatch: etag })),
    );
    expect(notModified.status).toBe(304);
    expect(
      (await s3Error(t.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'c', IfUnmodifiedSince: PAST }))))
        .status,
    ).toBe(412);
    const head = await t.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'c', IfMatch: etag, IfModifiedSince: PAST }),
    );
    expect(head.ETag).toBe(etag);
  });

  it('fails the AWS CLI’s head-object with a false If-Match', async () => {
    const stderr = await cliFailure(
      t.cli(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'c', '--if-match', OTHER]),
    );
    expect(stderr).toMatch(/412|Precondition/);
  });
});

describe('PUT', () => {
  it('If-None-Match: * writes only where no object is, a delete marker counting as none', async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    expect(
      await s3Error(
        t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'second', IfNoneMatch: '*' })),
      ),
    ).toEqual({ name: 'PreconditionFailed', status: 412 });
    const got = await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'once' }));
    expect(await got.Body?.transformToString()).toBe('first');
    await t.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'once' }));
    await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'again', IfNoneMatch: '*' }));
  });

  it('If-Match writes only over the object it names; on no object it is NoSuchKey', async () => {
    const first = await t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas', Body: 'v1' }));
    const second = await t.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'cas', Body: 'v2', IfMatch: first.ETag }),
    );
    expect(second.ETag).not.toBe(first.ETag);
    expect(
      await s3Error(
        t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas', Body: 'v3', IfMatch: first.ETag })),
      ),
    ).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect(
      await (await t.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cas' }))).Body?.transformToString(),
    ).toBe('v2');
    // S3's conditional writes: If-Match on a key with no object answers 404 NoSuchKey.
    expect(
      await s3Error(
        t.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'no-such', Body: 'x', IfMatch: etag })),
      ),
    ).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('refuses the AWS CLI’s put-object --if-none-match * over an object', async () => {
    const stderr = await cliFailure(
      t.cli(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'once', '--if-none-match', '*']),
    );
    expect(stderr).toMatch(/PreconditionFailed/);
  });
});

describe('CopyObject', () => {
  const copy = (conditions: Record<string, unknown>) =>
    t.s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied', CopySource: `${BUCKET}/c`, ...conditions }),
    );

  it.each([
    ['x-amz-copy-source-if-match with its ETag', { CopySourceIfMatch: 'ETAG' }],
    ['x-amz-copy-source-if-none-match with another ETag', { CopySourceIfNoneMatch: OTHER }],
    ['x-amz-copy-source-if-modified-since before it was written', { CopySourceIfModifiedSince: PAST }],
    ['x-amz-copy-source-if-unmodified-since its Last-Modified', { CopySourceIfUnmodifiedSince: 'WRITTEN' }],
    // S3: if-match true and if-unmodified-since false copies (200).
    [
      'a true if-match over a false if-unmodified-since',
      { CopySourceIfMatch: 'ETAG', CopySourceIfUnmodifiedSince: PAST },
    ],
  ])('copies with %s', async (_what, conditions) => {
    const copied = await copy(withEtag(conditions));
    expect(copied.CopyObjectResult?.ETag).toBe(etag);
  });

  it.each([
    ['x-amz-copy-source-if-match with another ETag', { CopySourceIfMatch: OTHER }],
    ['x-amz-copy-source-if-none-match with its ETag', { CopySourceIfNoneMatch: 'ETAG' }],
    ['x-amz-copy-source-if-modified-since its Last-Modified', { CopySourceIfModifiedSince: 'WRITTEN' }],
    ['x-amz-copy-source-if-unmodified-since before it was written', { CopySourceIfUnmodifiedSince: PAST }],
    // S3: if-none-match false and if-modified-since true is 412.
    [
      'its ETag in if-none-match over a true if-modified-since',
      { CopySourceIfNoneMatch: 'ETAG', CopySourceIfModifiedSince: PAST },
    ],
  ])('refuses with %s: 412', async (_what, conditions) => {
    expect(await s3Error(copy(withEtag(conditions)))).toEqual({ name: 'PreconditionFailed', status: 412 });
  });

  it('refuses the AWS CLI’s copy-object with a false --copy-source-if-match', async () => {
    const stderr = await cliFailure(
      t.cli([
        's3api',
        'copy-object',
        '--bucket',
        BUCKET,
        '--key',
        'copied-by-cli',
        '--copy-source',
        `${BUCKET}/c`,
        '--copy-source-if-match',
        OTHER,
      ]),
    );
    expect(stderr).toMatch(/PreconditionFailed/);
  });
});

function withEtag(conditions: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(conditions).map(([k, v]) => [k, v === 'ETAG' ? etag : v === 'WRITTEN' ? written : v]),
  );
}
