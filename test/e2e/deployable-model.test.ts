/**
 * Issue 20, parts 2 and 5 end to end, with `model-opt drop` as a user runs it (the real bin)
 * against the local stack: a drop with `registerModel` ends Completed with
 * `output.sageMakerModel`, and DescribeModel of that name answers through the real SDK client;
 * a manifest-only folder with `source.sageMakerModel` optimizes that registered model without
 * uploading weights; a folder with files and that source is refused before a byte is sent.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeModelCommand, DescribeOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, TERMINAL } from '../../harness/bus-events';
import { runCli } from '../support/cli';
import { startTestStack, type TestStack } from '../support/local-stack';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;

describe('a deployable model, and optimizing a registered one', () => {
  let t: TestStack;
  let env: Record<string, string>;
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, '--json'], env);
  const completedOf = async (jobName: string) => {
    const events = await t.waitForEvents((all) => eventsOf(all, jobName).some((d) => TERMINAL.includes(d)));
    expect(eventsOf(events, jobName)).toEqual(['Model Optimization Started', 'Model Optimization Completed']);
    return events.find((e) => e.detail.jobName === jobName && e['detail-type'].endsWith('Completed'));
  };
  const keysUnder = async (prefix: string) =>
    (
      (await t.s3.send(new ListObjectsV2Command({ Bucket: t.stack.bucket, Prefix: prefix }))).Contents ?? []
    ).map((o) => o.Key);

  beforeAll(async () => {
    t = await startTestStack();
    env = t.stack.clientEnv;
    dir = mkdtempSync(join(tmpdir(), 'mop-model-'));
  });
  afterAll(async () => {
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let registered = '';

  it('registers the optimized model: Completed names it, and DescribeModel answers for it', async () => {
    const manifest = join(EXAMPLES, 'manifests/register-model.json');
    const run = await cli(
      'drop',
      join(EXAMPLES, 'tiny-llm'),
      '--model-id',
      'e2e-registered',
      '--manifest',
      manifest,
    );
    expect(run.code, run.stderr).toBe(0);
    const jobName: string = run.json.jobName;

    const completed = await completedOf(jobName);
    expect(completed?.detail.schemaVersion).toBe('1.1.0');
    expect(completed?.detail.output.sageMakerModel).toEqual({
      name: jobName,
      arn: `arn:aws:sagemaker:us-east-1:000000000000:model/${jobName.toLowerCase()}`,
    });
    const model = await t.sageMaker.send(new DescribeModelCommand({ ModelName: jobName }));
    expect(model.ModelArn).toBe(completed?.detail.output.sageMakerModel.arn);
    expect(model.PrimaryContainer?.Image).toBe(completed?.detail.output.recommendedInferenceImage);
    expect(model.PrimaryContainer?.ModelDataSource?.S3DataSource?.S3Uri).toBe(completed?.detail.output.s3Uri);
    const status = await cli('status', jobName);
    expect(status.json.output).toMatchObject({ sageMakerModel: jobName });
    registered = jobName;
  });

  it('optimizes that registered model from a folder that holds only its manifest', async () => {
    expect(registered).not.toBe('');
    const folder = join(dir, 'e2e-from-registered');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'optimization.json'),
      JSON.stringify({
        source: { sageMakerModel: { name: registered } },
        techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'fp8' } } }],
        stoppingCondition: { maxWaitTimeInSeconds: 3600 },
      }),
    );
    const run = await cli('drop', folder);
    expect(run.code, run.stderr).toBe(0);
    expect(await keysUnder('models/e2e-from-registered/')).toEqual([
      'models/e2e-from-registered/optimization.json',
    ]);

    const completed = await completedOf(run.json.jobName);
    expect(completed?.detail.output).not.toHaveProperty('sageMakerModel');
    const job = await t.sageMaker.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: run.json.jobName }),
    );
    expect(job.ModelSource).toEqual({ SageMakerModel: { ModelName: registered } });
    expect((await cli('status', run.json.jobName)).json.source).toMatchObject({ sageMakerModel: registered });
    const page = await runCli(['status', run.json.jobName], env);
    expect(page.stdout).toMatch(new RegExp(`^ {2}registered: +${registered}$`, 'm'));
    expect(job.StoppingCondition).toMatchObject({ MaxWaitTimeInSeconds: 3600, MaxRuntimeInSeconds: 36_000 });
    // The job read the registered model's data: the optimized output holds its files.
    const prefix = completed?.detail.output.s3Uri.replace(`s3://${t.stack.bucket}/`, '') ?? '';
    expect(await keysUnder(prefix)).toEqual(expect.arrayContaining([`${prefix}config.json`]));
  });

  it('refuses, before sending anything, a folder with model files and a registered source', async () => {
    const folder = join(dir, 'e2e-mixed');
    mkdirSync(folder);
    writeFileSync(join(folder, 'config.json'), '{}');
    writeFileSync(
      join(folder, 'optimization.json'),
      JSON.stringify({ source: { sageMakerModel: { name: 'x' } } }),
    );
    t.stack.s3Requests.clear();
    const run = await cli('drop', folder);
    expect(run.code).toBe(4);
    expect(run.json.error).toEqual({
      name: 'DropError',
      message: expect.stringContaining('so the folder must hold the manifest only'),
    });
    expect(t.stack.s3Requests.list().filter((r) => r.key.startsWith('models/e2e-mixed'))).toEqual([]);
  });
});
