import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, TERMINAL } from '../../harness/bus-events';
import { tarGzFolder } from '../../src/client/tarball';
import { jobNameFor, uploadedVersion } from '../../src/job/job-name';
import { startTestStack, type TestStack } from '../support/local-stack';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

describe('a full job quota on the local stack', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ sageMaker: { maxConcurrentJobs: 1 } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('queues five drops against a quota of one and completes all of them, losing none', async () => {
    const body = await tarGzFolder(join(EXAMPLES, 'tiny-llm'));
    const jobNames: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const key = `models/quota-${i}.tar.gz`;
      const result = await t.s3.send(new PutObjectCommand({ Bucket: t.stack.bucket, Key: key, Body: body }));
      jobNames.push(
        jobNameFor(`quota-${i}`, { bucket: t.stack.bucket, key, version: uploadedVersion(result) }),
      );
    }

    const events = await t.waitForEvents(
      (all) => jobNames.every((name) => eventsOf(all, name).some((d) => TERMINAL.includes(d))),
      120_000,
    );

    for (const name of jobNames) {
      expect(eventsOf(events, name), name).toEqual([
        'Model Optimization Started',
        'Model Optimization Completed',
      ]);
    }
    const dlq = [...t.stack.queues.values()].find((q) => q.name.endsWith('UploadDeadLetterQueue'));
    expect(dlq?.stats().total).toBe(0);
  });
});
