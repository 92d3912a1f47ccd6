import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarGzFolder } from '../../src/client/tarball';
import { runCli } from '../support/cli';
import { startTestStack, type TestStack } from '../support/local-stack';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const JOB_NAME = /^[a-z0-9-]+-[0-9a-f]{10}$/;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('model-opt against the local stack (the real bin, as a child process)', () => {
  let t: TestStack;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli([...args, '--json'], env);
  const watch = (job: string, ...args: string[]) => cli('watch', job, '--interval', '0.2', ...args);

  beforeAll(async () => {
    t = await startTestStack();
    env = t.stack.clientEnv;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Polls SageMaker (real time) until the job has `status`. */
  const waitForStatus = async (jobName: string, status: string) => {
    for (let i = 0; i < 300; i++) {
      const job = await t.sageMaker
        .send(new DescribeOptimizationJobCommand({ OptimizationJobName: jobName }))
        .catch(() => undefined);
      if (job?.OptimizationJobStatus === status) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${jobName} never reached ${status}`);
  };

  let completedJob = '';
  let failedJob = '';

  it('drops a .tar.gz and folders; watch exits 0 for Completed and 1 for Failed', async () => {
    const tarball = join(mkdtempSync(join(tmpdir(), 'mop-cli-')), 'cli-tarball.tar.gz');
    writeFileSync(tarball, await tarGzFolder(join(EXAMPLES, 'tiny-llm')));

    const [file, good, broken] = await Promise.all([
      cli('drop', tarball),
      cli(
        'drop',
        join(EXAMPLES, 'tiny-llm'),
        '--model-id',
        'cli-good',
        '--manifest',
        join(EXAMPLES, 'manifests/quantize-and-compile.json'),
      ),
      cli('drop', join(EXAMPLES, 'broken-model'), '--model-id', 'cli-broken', '--allow-missing-config'),
    ]);

    expect(file.code).toBe(0);
    expect(file.json).toMatchObject({ modelId: 'cli-tarball', uploadedKeys: ['models/cli-tarball.tar.gz'] });
    expect(good.code).toBe(0);
    expect(good.json).toMatchObject({
      bucket: t.stack.bucket,
      modelId: 'cli-good',
      triggerKey: 'models/cli-good/optimization.json',
    });
    expect(good.json.uploadedKeys.at(-1)).toBe('models/cli-good/optimization.json');
    expect(good.json.jobName).toMatch(JOB_NAME);
    completedJob = good.json.jobName;
    failedJob = broken.json.jobName;

    const [completed, failed, fileWatch] = await Promise.all([
      watch(completedJob),
      watch(failedJob),
      watch(file.json.jobName),
    ]);

    expect(completed.code).toBe(0);
    expect(completed.json).toMatchObject({ jobName: completedJob, outcome: 'Completed', exitCode: 0 });
    expect(completed.json.job.output.s3Uri).toBe(
      `s3://${t.stack.bucket}/optimized/cli-good/${completedJob}/`,
    );
    expect(fileWatch.code).toBe(0);
    expect(failed.code).toBe(1);
    expect(failed.json).toMatchObject({ jobName: failedJob, outcome: 'Failed', exitCode: 1 });
    expect(failed.json.job.failureReason).toMatch(/^ClientError: .*config\.json/);
  }, 90_000);

  it('lists the jobs with status, duration and tracking, filtered by status', async () => {
    const [all, failed] = await Promise.all([
      cli('list'),
      cli('list', '--status', 'failed', '--since', '1d'),
    ]);

    expect(all.code).toBe(0);
    const byName = new Map(all.json.map((job: { jobName: string }) => [job.jobName, job]));
    expect(byName.get(completedJob)).toMatchObject({
      status: 'COMPLETED',
      tracking: 'SUCCEEDED',
      lastEvent: 'Model Optimization Completed',
      techniques: ['quantization', 'compilation'],
      deploymentInstanceType: 'ml.g6.xlarge',
    });
    expect(byName.get(completedJob)).toHaveProperty('durationSeconds', expect.any(Number));
    expect(byName.get(failedJob)).toMatchObject({ status: 'FAILED', lastEvent: 'Model Optimization Failed' });
    expect(failed.json.map((job: { jobName: string }) => job.jobName)).toEqual([failedJob]);
  });

  it('shows everything about one job: source, settings, timeline, output', async () => {
    const status = await cli('status', completedJob);

    expect(status.code).toBe(0);
    expect(status.json).toMatchObject({
      jobName: completedJob,
      status: 'COMPLETED',
      outcome: 'Completed',
      source: {
        s3Uri: `s3://${t.stack.bucket}/models/cli-good/`,
        key: 'models/cli-good/optimization.json',
        modelId: 'cli-good',
      },
      settings: { deploymentInstanceType: 'ml.g6.xlarge', techniques: ['quantization', 'compilation'] },
      tracking: { state: 'PUBLISHED', executions: [{ name: completedJob, status: 'SUCCEEDED' }] },
    });
    const steps = status.json.timeline.map((entry: { what: string }) => entry.what);
    expect(steps).toEqual(
      expect.arrayContaining([
        'job created (STARTING)',
        'tracking started: Model Optimization Started',
        'job ended (COMPLETED)',
        'event: Model Optimization Completed',
      ]),
    );
    expect(steps.at(-1)).toBe('event: Model Optimization Completed');
  });

  it('stops a running job; the pipeline emits Stopped and stop --wait exits 2', async () => {
    t.stack.sageMaker.faults.overrideOutcome({ match: { nameContains: 'cli-hang' }, outcome: 'hang' });
    const drop = await cli('drop', join(EXAMPLES, 'tiny-llm'), '--model-id', 'cli-hang');
    const jobName: string = drop.json.jobName;
    await waitForStatus(jobName, 'INPROGRESS');

    const stop = await cli('stop', jobName, '--wait', '--interval', '0.2');

    expect(stop.code).toBe(2);
    expect(stop.json).toMatchObject({ jobName, requested: true, outcome: 'Stopped', exitCode: 2 });
    expect(stop.json.job.failureReason).toMatch(/stopped outside the pipeline/);
    await t.waitForEvents((events) =>
      events.some((e) => e.detail.jobName === jobName && e['detail-type'] === 'Model Optimization Stopped'),
    );
    const again = await cli('stop', jobName);
    expect(again.code).toBe(4);
    expect(again.json.error.name).toBe('JobNotRunningError');
  }, 60_000);

  it('lists dead-lettered drops on --dry-run without moving them, then redrives them', async () => {
    const { QueueUrl } = await t.sqs.send(
      new GetQueueUrlCommand({ QueueName: 'model-optimization-pipeline-local-UploadDeadLetterQueue' }),
    );
    const key = 'models/cli-dead+letter.tar.gz';
    await t.sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: JSON.stringify({
          Records: [
            {
              eventVersion: '2.1',
              eventSource: 'aws:s3',
              awsRegion: t.stack.region,
              eventTime: new Date().toISOString(),
              eventName: 'ObjectCreated:Put',
              s3: { bucket: { name: t.stack.bucket }, object: { key, size: 1, eTag: 'dead' } },
            },
          ],
        }),
      }),
    );
    const deadLetters = () =>
      [...t.stack.queues.values()].find((q) => q.name.endsWith('UploadDeadLetterQueue'))?.stats().total;

    const dryRun = await cli('redrive', '--dry-run');

    expect(dryRun.code).toBe(0);
    expect(dryRun.json).toMatchObject({ dryRun: true, approximateCount: 1 });
    expect(dryRun.json.messages).toEqual([
      expect.objectContaining({
        objects: [{ bucket: t.stack.bucket, key: 'models/cli-dead letter.tar.gz' }],
        receiveCount: 1,
      }),
    ]);
    expect(deadLetters()).toBe(1);

    const redrive = await cli('redrive');

    expect(redrive.code).toBe(0);
    expect(redrive.json).toMatchObject({
      dryRun: false,
      approximateCount: 1,
      taskHandle: expect.any(String),
    });
    expect(deadLetters()).toBe(0);
  });

  it('watches recent jobs until none runs', async () => {
    const all = await cli('watch', '--until-done', '--since', '1d', '--interval', '0.2');

    expect(all.code).toBe(0);
    expect(all.json.jobs.map((job: { jobName: string }) => job.jobName)).toEqual(
      expect.arrayContaining([completedJob, failedJob]),
    );
  });

  it('exits 3 for an unknown job, and for a rejected drop that never becomes one', async () => {
    const rejected = await cli(
      'drop',
      join(EXAMPLES, 'tiny-llm'),
      '--model-id',
      'cli-rejected',
      '--manifest',
      join(EXAMPLES, 'manifests/invalid.json'),
    );
    const [status, watched] = await Promise.all([
      cli('status', 'no-such-job-0123456789'),
      watch(rejected.json.jobName, '--appear-timeout', '2'),
    ]);

    expect(status.code).toBe(3);
    expect(status.json.error).toEqual({
      name: 'JobNotFoundError',
      message: 'no job named no-such-job-0123456789; `model-opt list` shows the jobs',
    });
    expect(status.stderr).toContain('model-opt list');
    expect(watched.code).toBe(3);
    expect(watched.json).toMatchObject({ outcome: 'Unknown', exitCode: 3 });
    expect(watched.json.reason).toMatch(/rejected/);
  });

  it('exits 4 for a path that is not a drop', async () => {
    const run = await cli('drop', join(EXAMPLES, 'no-such-model'));

    expect(run.code).toBe(4);
    expect(run.json.error).toEqual({
      name: 'DropError',
      message: expect.stringMatching(/^no such file or folder/),
    });
  });

  it('exits 4 and says to run npm start when nothing listens at AWS_ENDPOINT_URL', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;

    const run = await runCli(['list', '--json'], { ...env, AWS_ENDPOINT_URL: endpoint });

    expect(run.code).toBe(4);
    expect(run.json.error.name).toBe('StackNotRunningError');
    expect(run.stderr).toContain(`nothing answers at ${endpoint}`);
    expect(run.stderr).toContain('is `npm start` running?');
  });
});
