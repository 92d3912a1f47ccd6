/** Unit tests of the pieces the local emulators share: clock, awsJson shaping, S3 URIs, model unpacking. */
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsServiceError } from '../../local/protocol/aws-error';
import { awsJsonErrorResponse, operationFromTarget, toAwsJson } from '../../local/protocol/aws-json';
import { forEachArchiveFile, ModelSourceError } from '../../local/sagemaker/model-source';
import { parseS3Uri } from '../../local/sagemaker/s3-uri';
import { compressedClock, virtualClock } from '../../local/time/clock';
import { tarGz } from './sagemaker-helpers';

describe('compressedClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs simulated time `speed` times faster from its start instant', () => {
    const start = Date.now();
    const clock = compressedClock(60);
    vi.advanceTimersByTime(1_000);
    expect(clock.now()).toBe(start + 60_000);
    // A clock with the same start instant agrees (a restarted process keeps the time line).
    expect(compressedClock(60, start).now()).toBe(clock.now());
  });

  it('fires a timer once the simulated delay has passed, and can cancel one', () => {
    const clock = compressedClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('due'), 20_000);
    const cancel = clock.setTimeout(() => fired.push('cancelled'), 1_000);
    cancel();
    vi.advanceTimersByTime(19);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['due']);
  });

  it('waits longer than a Node timer can, at real time', () => {
    const clock = compressedClock(1);
    const thirtyDays = 30 * 86_400_000;
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, thirtyDays);
    vi.advanceTimersByTime(thirtyDays - 1);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(true);
  });

  it('rejects a speed that is not positive', () => {
    expect(() => compressedClock(0)).toThrow(RangeError);
  });
});

describe('virtualClock', () => {
  it('stands still until advanced, then runs the timers that fell due in time order, each at its time', () => {
    const clock = virtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const cancel = clock.setTimeout(() => fired.push('cancelled'), 15);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 50);
    cancel();
    expect(clock.now()).toBe(1_000);
    clock.advance(30);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1_030);
    clock.advance(20);
    expect(fired).toEqual(['a@1010', 'b@1020', 'late@1050']);
  });

  it('runs a timer that a firing timer sets, when it falls due within the same advance', () => {
    const clock = virtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it('moves itself forward when a caller sleeps on it, firing the timers on the way', async () => {
    const clock = virtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 5);
    await clock.sleep(60_000);
    expect(fired).toEqual([5]);
    expect(clock.now()).toBe(60_000);
  });
});

describe('awsJson shaping', () => {
  it('writes Dates as epoch seconds', () => {
    const text = toAwsJson({ at: new Date(1_700_000_000_250), list: [new Date(0)], name: 'x' });
    expect(JSON.parse(text)).toEqual({ at: 1_700_000_000.25, list: [0], name: 'x' });
  });

  it('shapes errors with __type and message, and hides unexpected ones behind InternalFailure', () => {
    const known = awsJsonErrorResponse(
      'application/x-amz-json-1.0',
      new AwsServiceError('ResourceInUse', 'taken'),
    );
    expect(known.statusCode).toBe(400);
    expect(known.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(known.body)).toEqual({ __type: 'ResourceInUse', message: 'taken' });
    const bug = awsJsonErrorResponse('application/x-amz-json-1.1', new TypeError('oops'));
    expect(bug.statusCode).toBe(500);
    expect(JSON.parse(bug.body).__type).toBe('InternalFailure');
  });

  it('takes the operation from the target header', () => {
    expect(operationFromTarget('SageMaker.ListOptimizationJobs', 'SageMaker')).toBe('ListOptimizationJobs');
    for (const target of [
      undefined,
      'SageMaker',
      'SageMaker.',
      'SageMakerX.List',
      'AWSStepFunctions.StartExecution',
    ]) {
      expect(() => operationFromTarget(target, 'SageMaker')).toThrow(AwsServiceError);
    }
  });
});

describe('parseS3Uri', () => {
  it.each([
    ['s3://bucket/a/b.tar.gz', { bucket: 'bucket', key: 'a/b.tar.gz' }],
    ['s3://bucket', { bucket: 'bucket', key: '' }],
    ['https://bucket.s3.us-east-1.amazonaws.com/a/b', { bucket: 'bucket', key: 'a/b' }],
    ['https://my.bucket.s3.amazonaws.com/a', { bucket: 'my.bucket', key: 'a' }],
    ['https://s3.eu-west-1.amazonaws.com/bucket/a/b', { bucket: 'bucket', key: 'a/b' }],
  ])('%s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
  });

  it('has no bucket for other URIs', () => {
    expect(parseS3Uri('ftp://x/y')).toBeUndefined();
    expect(parseS3Uri('https://host/')).toBeUndefined();
  });
});

describe('forEachArchiveFile', () => {
  const unpack = async (archive: Buffer) => {
    const files: [string, number, string][] = [];
    await forEachArchiveFile(Readable.from([archive]), 'test', async (file, body) => {
      files.push([file.path, file.size, (await buffer(body)).toString()]);
    });
    return files;
  };

  it('streams the regular files with ./ stripped, in archive order', async () => {
    expect(await unpack(await tarGz({ './b.txt': 'b', 'a/config.json': '{}' }))).toEqual([
      ['b.txt', 1, 'b'],
      ['a/config.json', 2, '{}'],
    ]);
  });

  it('skips what the reader leaves unread', async () => {
    const seen: string[] = [];
    await forEachArchiveFile(
      Readable.from([await tarGz({ 'a.bin': Buffer.alloc(100_000, 1), 'b.txt': 'b' })]),
      'test',
      async (file) => {
        seen.push(file.path);
      },
    );
    expect(seen).toEqual(['a.bin', 'b.txt']);
  });

  it('refuses paths that leave the model root', async () => {
    await expect(unpack(await tarGz({ '../evil.json': '{}' }))).rejects.toThrow(ModelSourceError);
  });
});
