import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeOptimizationJobCommand, ListOptimizationJobsCommand } from '@aws-sdk/client-sagemaker';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, TERMINAL } from '../../harness/bus-events';
import { dropModel } from '../../src/client/drop-upload';
import { tarGzFolder } from '../../src/client/tarball';
import { jobNameFor, uploadedVersion } from '../../src/job/job-name';
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
    return {
      jobName: jobNameFor(modelId, { bucket: t.stack.bucket, key, version: uploadedVersion(result) }),
      eTag: result.ETag?.replace(/"/g, ''),
      versionId: result.VersionId,
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
    const { jobName, eTag, versionId, size } = await putTarball(key);
    // At-least-once delivery: the notification S3 sent arrives twice more.
    const notification = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: t.stack.region,
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: t.stack.bucket }, object: { key, size, eTag, versionId } },
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

  it('gives each job the manifest version that started it, when the manifest is replaced at once', async () => {
    const drop = await dropModel({
      s3: t.s3,
      bucket: t.stack.bucket,
      path: join(EXAMPLES, 'tiny-llm'),
      modelId: 'e2e-replaced-manifest',
      manifestPath: join(EXAMPLES, 'manifests/quantize-and-compile.json'),
    });
    const replaced = await t.s3.send(
      new PutObjectCommand({ Bucket: t.stack.bucket, Key: drop.triggerKey, Body: '{}' }),
    );
    const second = jobNameFor('e2e-replaced-manifest', {
      bucket: t.stack.bucket,
      key: drop.triggerKey,
      version: uploadedVersion(replaced),
    });

    await t.waitForEvents((all) =>
      [drop.jobName, second].every((name) => eventsOf(all, name).includes('Model Optimization Started')),
    );

    const techniques = async (name: string) => {
      const job = await t.sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }));
      return job.OptimizationConfigs?.map((c) => Object.keys(c)[0]);
    };
    expect(await techniques(drop.jobName)).toEqual(['ModelQuantizationConfig', 'ModelCompilationConfig']);
    expect(await techniques(second)).toEqual(['ModelQuantizationConfig']);
  });

  it('starts a second job when the same bytes are uploaded again, as the versioned bucket does on AWS', async () => {
    const key = 'models/e2e-again.tar.gz';
    const first = await putTarball(key);
    await t.waitForEvents((all) => eventsOf(all, first.jobName).includes('Model Optimization Started'));

    const second = await putTarball(key);

    expect(second.eTag).toBe(first.eTag);
    expect(first.versionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.versionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.versionId).not.toBe(first.versionId);
    expect(second.jobName).not.toBe(first.jobName);
    const events = await t.waitForEvents((all) =>
      [first, second].every((drop) => eventsOf(all, drop.jobName).some((d) => TERMINAL.includes(d))),
    );
    const started = events.filter((e) => e['detail-type'] === 'Model Optimization Started');
    expect(
      [first, second].map((drop) =>
        started.filter((e) => e.detail.jobName === drop.jobName).map((e) => e.detail.model),
      ),
    ).toEqual([
      [expect.objectContaining({ key, versionId: first.versionId, eTag: first.eTag })],
      [expect.objectContaining({ key, versionId: second.versionId, eTag: first.eTag })],
    ]);
    const jobs = await t.sageMaker.send(new ListOptimizationJobsCommand({ NameContains: 'e2e-again' }));
    expect(jobs.OptimizationJobSummaries?.map((j) => j.OptimizationJobName).sort()).toEqual(
      [first.jobName, second.jobName].sort(),
    );
  });
});
