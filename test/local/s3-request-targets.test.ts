/**
 * Request targets S3 cannot parse (an empty bucket name, broken percent-encoding, bytes that
 * are no UTF-8, a target that is no path) answer 400, never 500: through the S3 service alone,
 * and through the whole stack's one listener (the edge, its guard and its S3 request log),
 * where `//` once answered `500 Internal error: Invalid URL`.
 */
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack';
import { BUCKET, type RawAnswer, rawRequest, type S3Suite, startS3Suite } from '../support/s3-suite';

/** Targets no S3 path-style parser can read, each with the error code S3 answers. */
const BAD_TARGETS: [string, string, string][] = [
  ['GET', '//', 'InvalidBucketName'],
  ['GET', '///', 'InvalidBucketName'],
  ['PUT', '//key', 'InvalidBucketName'],
  ['GET', '/%zz', 'InvalidURI'],
  ['GET', `/${BUCKET}/%E0%A4%A`, 'InvalidURI'],
  ['GET', `/${BUCKET}/a%`, 'InvalidURI'],
  ['GET', `/${BUCKET}/%C0%AF`, 'InvalidURI'],
  ['DELETE', `/${BUCKET}/%FF`, 'InvalidURI'],
  ['GET', '/..%2F..%2Fetc', 'InvalidBucketName'],
  ['GET', `/${BUCKET}/k?versionId=`, 'InvalidArgument'],
  ['GET', `/${BUCKET}?list-type=3`, 'InvalidArgument'],
  ['GET', `/${BUCKET}?max-keys=%zz`, 'InvalidArgument'],
];

function expectRefused(answer: RawAnswer, method: string, code: string): void {
  expect(answer.status).toBe(400);
  if (method !== 'HEAD') expect(answer.body.toString()).toContain(`<Code>${code}</Code>`);
}

describe('the S3 service', () => {
  let t: S3Suite;
  beforeAll(async () => {
    t = await startS3Suite('s3-targets');
  });
  afterAll(() => t.close());

  it.each(BAD_TARGETS)('%s %s: 400 %s', async (method, target, code) => {
    expectRefused(await t.raw(method, target, { 'content-length': '0' }), method, code);
  });

  it('answers a target that is no path (`*`, an authority) with 400 InvalidURI', async () => {
    expectRefused(await t.raw('GET', '*'), 'GET', 'InvalidURI');
    expectRefused(await t.raw('OPTIONS', '*'), 'OPTIONS', 'InvalidURI');
  });
});

describe('the whole stack, on the edge’s one listener', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  // stop() rejects when the stack counted an internal error (a 500 it survived).
  afterAll(() => stack.stop());

  it('answers each with 400, counts no internal error, and still serves S3', async () => {
    const { Buckets } = await stack.s3.send(new ListBucketsCommand({}));
    const bucket = Buckets?.[0]?.Name as string;
    for (const [method, ourTarget, code] of BAD_TARGETS) {
      const target = ourTarget.replace(`/${BUCKET}`, `/${bucket}`);
      const answer = await rawRequest(stack.stack.endpoint, method, target, { 'content-length': '0' });
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
      expectRefused(answer, method, code);
    }
    expect(stack.stack.internalErrors.count).toBe(0);
    const listed = await rawRequest(stack.stack.endpoint, 'GET', '/');
    expect(listed.status).toBe(200);
  });
});
