import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeOptimizationJobCommand, ListOptimizationJobsCommand } from '@aws-sdk/client-sagemaker';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, TERMINAL } from '../../harness/bus-events';
import { dropModel } from '../../src/cli/drop';
import { tarGzFolder } from '../../src/cli/tarball';
import { jobNameFor } from '../../src/job/job-name';
import { startTestStack, type TestStack } from '../support/local-stack';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

describe('the pipeline on the local stack, driven only through AWS SDK clients', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const putTarball = async (key: string) => {
    const body = await tarGzFolder(join(EXAMPLES, 'tiny-llm'));
    const result = await t.s3.send(new PutObjectCommand({ Bucket: t.stack.bucket, Key: key, Body: body }));
    const modelId = key.slice('models/'.length, -'.tar.gz'.length);
    const eTag = result.ETag?.replace(/"/g, '');
    return {
      jobName: jobNameFor(modelId, { bucket: t.stack.bucket, key, version: eTag }),
      eTag,
      size: body.length,
    };
  };

  it('turns a .tar.gz drop into Started then Completed, with real output objects', async () => {
    const { jobName } = await putTarball('models/e2e-tarball.tar.gz');

    const events = await t.waitForEvents((all) => eventsOf(all, jobName).some((d) => TERMINAL.includes(d)));

    expect(eventsOf(events, jobName)).toEqual(['Model Optimization Started', 'Model Optimization Completed']);
    const completed = events.find(
      (e) => e.detail.jobName === jobName && e['detail-type'].endsWith('Completed'),
    );
    const prefix = `optimized/e2e-tarball/${jobName}/`;
    expect(completed?.detail.output.s3Uri).toBe(`s3://${t.stack.bucket}/${prefix}`);
    const listing = await t.s3.send(new ListObjectsV2Command({ Bucket: t.stack.bucket, Prefix: prefix }));
    const keys = (listing.Contents ?? []).map((o) => o.Key?.slice(prefix.length));
    expect(keys).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'optimization-report.json']),
    );
  });

  it('starts one job on the folder prefix for a folder drop finished by its manifest', async () => {
    const drop = await dropModel({
      s3: t.s3,
      bucket: t.stack.bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      modelId: 'e2e-folder',
      manifestPath: join(EXAMPLES, 'manifests/quantize-and-compile.json'),
    });

    const events = await t.waitForEvents((all) =>
      eventsOf(all, drop.jobName).some((d) => TERMINAL.includes(d)),
    );

    expect(eventsOf(events, drop.jobName)).toEqual([
      'Model Optimization Started',
      'Model Optimization Completed',
    ]);
    const job = await t.sageMaker.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: drop.jobName }),
    );
    expect(job.ModelSource?.S3?.S3Uri).toBe(`s3://${t.stack.bucket}/models/e2e-folder/`);
    expect(job.DeploymentInstanceType).toBe('ml.g6.xlarge');
    expect(job.OptimizationConfigs?.map((c) => Object.keys(c)[0])).toEqual([
      'ModelQuantizationConfig',
      'ModelCompilationConfig',
    ]);
  });

  it('reports a broken model as Failed with the ClientError reason', async () => {
    const drop = await dropModel({
      s3: t.s3,
      bucket: t.stack.bucket,
      path: join(EXAMPLES, 'broken-model'),
      modelId: 'e2e-broken',
      allowMissingConfig: true,
    });

    const events = await t.waitForEvents((all) =>
      eventsOf(all, drop.jobName).some((d) => TERMINAL.includes(d)),
    );

    const failed = events.find(
      (e) => e.detail.jobName === drop.jobName && e['detail-type'] === 'Model Optimization Failed',
    );
    expect(failed?.detail.failureReason).toMatch(/^ClientError: .*config\.json/);
  });

  it('rejects a bad manifest with every error and its path, and starts no job', async () => {
    const drop = await dropModel({
      s3: t.s3,
      bucket: t.stack.bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      modelId: 'e2e-bad-manifest',
      manifestPath: join(EXAMPLES, 'manifests/invalid.json'),
    });

    const events = await t.waitForEvents((all) => eventsOf(all, drop.jobName).length > 0);

    const [rejected] = events.filter((e) => e.detail.jobName === drop.jobName);
    expect(rejected?.['detail-type']).toBe('Model Upload Rejected');
    expect(rejected?.detail.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '$.deploymentInstanceType',
      '$.environment.OPTION_DTYPE',
      '$.techniques[0]',
      '$.techniques[1]',
    ]);
    await expect(
      t.sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: drop.jobName })),
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('creates one job, one Started and one terminal event when the same drop is notified three times', async () => {
    const key = 'models/e2e-triple.tar.gz';
    const { jobName, eTag, size } = await putTarball(key);
    // At-least-once delivery: the notification S3 sent arrives twice more.
    const notification = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: t.stack.region,
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: t.stack.bucket }, object: { key, size, eTag } },
        },
      ],
    });
    const { QueueUrl } = await t.sqs.send(
      new GetQueueUrlCommand({ QueueName: 'model-optimization-pipeline-local-UploadQueue' }),
    );
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: notification }));
    await t.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: notification }));

    await t.waitForEvents((all) => eventsOf(all, jobName).some((d) => TERMINAL.includes(d)));
    await t.waitForQueuesEmpty();

    expect(eventsOf(t.events(), jobName)).toEqual([
      'Model Optimization Started',
      'Model Optimization Completed',
    ]);
    const jobs = await t.sageMaker.send(new ListOptimizationJobsCommand({ NameContains: 'e2e-triple' }));
    expect(jobs.OptimizationJobSummaries).toHaveLength(1);
    const executions = await t.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: t.stack.description.stateMachines[0]?.arn }),
    );
    expect(executions.executions?.filter((e) => e.name === jobName)).toHaveLength(1);
  });
});
