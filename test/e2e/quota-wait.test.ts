/**
 * Defect: waiting for quota was unbounded. A drop that meets a full quota for longer than
 * `maxQuotaWaitSeconds` goes to the DLQ, measured on the stack's compressed clock. Its own file:
 * the functions' SDK clients keep the endpoint of the first stack a test file starts.
 */
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../harness/bus-events';
import { listDeadLetters } from '../../src/client/dlq-redrive';
import { tarGzFolder } from '../../src/client/tarball';
import { jobNameFor, uploadedVersion } from '../../src/job/job-name';
import { MAX_RUNTIME_MAX_SECONDS } from '../../src/sagemaker-api/limits';
import { startTestStack, type TestStack } from '../support/local-stack';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

describe('a quota that stays full past the longest wait, on the local stack’s clock', () => {
  /** Simulated seconds a drop may wait for a job slot in this test (7 days on a stage by default). */
  const MAX_WAIT_SECONDS = 1800;
  const HOLDER_SECONDS = MAX_RUNTIME_MAX_SECONDS - 86_400;
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      clockSpeed: 400,
      // One slot, held by a job that runs for weeks, under a MaxRuntimeInSeconds longer still: it
      // cannot end while the test runs, however slow the machine (an hour's MaxRuntime, the
      // stage default, is 9 s of real time at this speed).
      sageMaker: {
        maxConcurrentJobs: 1,
        durations: { startingSeconds: 30, inProgressSeconds: HOLDER_SECONDS, stoppingSeconds: 20 },
      },
      functionEnvironment: {
        DEFAULT_MAX_RUNTIME_SECONDS: String(MAX_RUNTIME_MAX_SECONDS),
        MAX_QUOTA_WAIT_SECONDS: String(MAX_WAIT_SECONDS),
        QUOTA_BACKOFF_MAX_SECONDS: '120',
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends the waiting drop to the DLQ once it has waited longer, where the DLQ alarm’s metric counts it', async () => {
    const body = await tarGzFolder(join(EXAMPLES, 'tiny-llm'));
    const drop = async (key: string) => {
      const result = await t.s3.send(new PutObjectCommand({ Bucket: t.stack.bucket, Key: key, Body: body }));
      return jobNameFor(key.slice('models/'.length, -'.tar.gz'.length), {
        bucket: t.stack.bucket,
        key,
        version: uploadedVersion(result),
      });
    };
    const holder = await drop('models/slot-holder.tar.gz');
    await t.waitForEvents((all) => eventsOf(all, holder).includes('Model Optimization Started'));
    const droppedAt = t.stack.clock.now();
    const waiting = await drop('models/slot-waiter.tar.gz');

    const deadLetterQueue = [...t.stack.queues.values()].find((q) =>
      q.name.endsWith('UploadDeadLetterQueue'),
    );
    const deadline = Date.now() + 60_000;
    while ((deadLetterQueue?.stats().total ?? 0) === 0) {
      if (Date.now() > deadline) throw new Error('no drop reached the DLQ within 60 s (real time)');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const waitedSeconds = (t.stack.clock.now() - droppedAt) / 1000;

    // Not before its time, on the stack's clock; and never started.
    expect(waitedSeconds).toBeGreaterThan(MAX_WAIT_SECONDS);
    expect(eventsOf(t.events(), waiting)).toEqual([]);
    // AWS/SQS ApproximateNumberOfMessagesVisible, which UploadDeadLetterQueueAlarm watches (> 0).
    const { QueueUrl } = await t.sqs.send(new GetQueueUrlCommand({ QueueName: deadLetterQueue?.name }));
    const { Attributes } = await t.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
    // What `model-opt redrive --dry-run` shows an operator.
    const listing = await listDeadLetters(t.sqs, QueueUrl as string);
    expect(listing.messages).toEqual([
      expect.objectContaining({
        reason: 'QuotaWaitExceeded',
        objects: [{ bucket: t.stack.bucket, key: 'models/slot-waiter.tar.gz' }],
      }),
    ]);
    // The holder still runs: the upload queue is empty, nothing else was lost.
    expect(eventsOf(t.events(), holder)).toEqual(['Model Optimization Started']);
  }, 90_000);
});
