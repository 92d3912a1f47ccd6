/**
 * `sls invoke local` for every function × every relevant sample in `events/`, against a
 * running local stack: the samples are what users try before they deploy.
 */
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateOptimizationJobCommand, DescribeOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, TERMINAL } from '../../harness/bus-events';
import { dropModel } from '../../src/client/drop-upload';
import { tarGzFolder } from '../../src/client/tarball';
import { decodeS3Key } from '../../src/drop/decode-key';
import { jobNameFor } from '../../src/job/job-name';
import { loadEvent, s3NotificationOf } from '../support/events';
import { startTestStack, type TestStack } from '../support/local-stack';
import { invokeResult, SLS_TEST_TIMEOUT_MS, sls, slsEnv } from '../support/sls';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

/** The job name the handler derives from a sample (its eTag differs from the stack's objects). */
function sampleJobName(sample: string, modelId: string): string {
  const notification = s3NotificationOf(loadEvent<SQSEvent>(`sqs/${sample}.json`));
  const { bucket, object } = (
    notification.Records[0] as {
      s3: { bucket: { name: string }; object: { key: string; eTag?: string; versionId?: string } };
    }
  ).s3;
  const key = decodeS3Key(object.key);
  return jobNameFor(modelId, { bucket: bucket.name, key, version: object.versionId ?? object.eTag });
}

describe('sls invoke local -f startOptimization against the local stack', {
  timeout: SLS_TEST_TIMEOUT_MS,
}, () => {
  let t: TestStack;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    t = await startTestStack();
    const bucket = t.stack.bucket;
    // The objects the samples name.
    await t.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'models/tiny-llm.tar.gz',
        Body: await tarGzFolder(join(EXAMPLES, 'tiny-llm')),
      }),
    );
    await dropModel({
      s3: t.s3,
      bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      manifestPath: join(EXAMPLES, 'manifests/defaults.json'),
    });
    await dropModel({
      s3: t.s3,
      bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      modelId: 'my model+v2 é',
      manifestPath: join(EXAMPLES, 'manifests/defaults.json'),
    });
    await dropModel({
      s3: t.s3,
      bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      modelId: 'tiny-llm-bad',
      manifestPath: join(EXAMPLES, 'manifests/invalid.json'),
    });
    const startOptimization = t.stack.description.functions.find((f) => f.key === 'startOptimization');
    env = slsEnv({
      ...t.stack.clientEnv,
      STATE_MACHINE_ARN: startOptimization?.environment.STATE_MACHINE_ARN ?? '',
      SAGEMAKER_ROLE_ARN: startOptimization?.environment.SAGEMAKER_ROLE_ARN ?? '',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const invoke = async (sample: string) => {
    const { stdout } = await sls(
      ['invoke', 'local', '--stage', 'local', '-f', 'startOptimization', '-p', `events/sqs/${sample}.json`],
      { env },
    );
    return invokeResult<{ batchItemFailures: unknown[] }>(stdout);
  };

  it.each([
    ['tar-gz-drop', 'tiny-llm'],
    ['manifest-drop', 'tiny-llm'],
    ['url-encoded-key', 'my model+v2 é'],
  ])('%s creates a job that the stack then tracks to its terminal event', async (sample, modelId) => {
    const result = await invoke(sample);

    expect(result).toEqual({ batchItemFailures: [] });
    const jobName = sampleJobName(sample, modelId);
    const job = await t.sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: jobName }));
    expect(job.OptimizationJobName).toBe(jobName);
    const events = await t.waitForEvents((all) => eventsOf(all, jobName).some((d) => TERMINAL.includes(d)));
    expect(eventsOf(events, jobName)[0]).toBe('Model Optimization Started');
  });

  it('ignored-key consumes the message and creates nothing', async () => {
    const before = t.events().length;

    expect(await invoke('ignored-key')).toEqual({ batchItemFailures: [] });

    await expect(
      t.sageMaker.send(
        new DescribeOptimizationJobCommand({ OptimizationJobName: sampleJobName('ignored-key', 'tiny-llm') }),
      ),
    ).rejects.toThrow();
    expect(
      t
        .events()
        .slice(before)
        .filter((e) => e.detail.model?.key === 'models/tiny-llm/config.json'),
    ).toEqual([]);
  });

  it('bad-manifest puts a Rejected event listing the manifest errors', async () => {
    expect(await invoke('bad-manifest')).toEqual({ batchItemFailures: [] });

    const jobName = sampleJobName('bad-manifest', 'tiny-llm-bad');
    const events = await t.waitForEvents((all) => eventsOf(all, jobName).length > 0);
    const rejected = events.find((e) => e.detail.jobName === jobName);
    expect(rejected?.['detail-type']).toBe('Model Upload Rejected');
    expect(rejected?.detail.errors.length).toBeGreaterThanOrEqual(3);
  });
});

describe('sls invoke local -f checkOptimizationJob against the local stack', {
  timeout: SLS_TEST_TIMEOUT_MS,
}, () => {
  let t: TestStack;
  let env: NodeJS.ProcessEnv;
  const sample = loadEvent<{
    state: { jobName: string; jobArn: string; model: { s3Uri: string }; outputS3Uri: string };
  }>('check-optimization-job/poll.json');

  beforeAll(async () => {
    t = await startTestStack();
    env = slsEnv({
      ...t.stack.clientEnv,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  const invoke = () =>
    sls(
      [
        'invoke',
        'local',
        '--stage',
        'local',
        '-f',
        'checkOptimizationJob',
        '-p',
        'events/check-optimization-job/poll.json',
      ],
      { env },
    );

  it('poll.json on a job that does not exist decides to publish Failed: the job disappeared', async () => {
    const { stdout } = await invoke();

    const outcome = invokeResult<{
      action: string;
      detailType: string;
      detail: { failureReason: string; jobName: string };
    }>(stdout);
    expect(outcome).toMatchObject({ action: 'publish', detailType: 'Model Optimization Failed' });
    expect(outcome.detail.jobName).toBe(sample.state.jobName);
    expect(outcome.detail.failureReason).toMatch(/disappeared|not found/i);
  });

  it('poll.json on a running job answers "still running" with the poll tier as the error name', async () => {
    t.stack.sageMaker.faults.overrideOutcome({ match: { name: sample.state.jobName }, outcome: 'hang' });
    await t.sageMaker.send(
      new CreateOptimizationJobCommand({
        OptimizationJobName: sample.state.jobName,
        RoleArn: 'arn:aws:iam::000000000000:role/model-optimization-pipeline-local-SageMakerExecutionRole',
        ModelSource: { S3: { S3Uri: sample.state.model.s3Uri } },
        DeploymentInstanceType: 'ml.g5.2xlarge',
        OptimizationConfigs: [{ ModelQuantizationConfig: {} }],
        OutputConfig: { S3OutputLocation: sample.state.outputS3Uri },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    );

    const failure = await invoke().then(
      () => undefined,
      (error: { stdout: string }) => error,
    );

    expect(failure, 'sls invoke local exits non-zero when the handler throws').toBeDefined();
    const result = invokeResult<{ errorMessage: string }>(failure?.stdout ?? '');
    expect(result.errorMessage).toMatch(/^job is (STARTING|INPROGRESS); next poll in 60 s$/);
  });
});
