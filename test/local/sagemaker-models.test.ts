/**
 * Models that optimization jobs register (OutputConfig.SageMakerModel) in the SageMaker
 * emulator: created on completion with the job's image and output, answered by DescribeModel
 * and ListModels through the real SageMakerClient, kept across a restart, and usable as the
 * source of a later job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DescribeModelCommand,
  ListModelsCommand,
  type ListModelsCommandInput,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import type { SageMakerEmulatorOptions } from '../../local/sagemaker/emulator';
import { InMemoryObjectStore } from '../../local/sagemaker/object-store';
import {
  createRequest,
  errorOf,
  type Harness,
  MODEL_FILES,
  putFolder,
  startHarness,
  waitForStatus,
} from './sagemaker-helpers';

const harnesses: Harness[] = [];
const tempDirs: string[] = [];

async function start(options: SageMakerEmulatorOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
  return h;
}

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const registering = (
  name: string,
  modelName: string,
  overrides: Partial<CreateOptimizationJobCommandInput> = {},
) =>
  createRequest(name, {
    OutputConfig: { S3OutputLocation: `s3://out/${name}/`, SageMakerModel: { ModelName: modelName } },
    OptimizationEnvironment: { OPTION_TENSOR_PARALLEL_DEGREE: '1' },
    ...overrides,
  });

describe('a job with OutputConfig.SageMakerModel', () => {
  it('registers the model on completion, with the image and model data the job reports', async () => {
    const h = await start();
    await h.client.send(new CreateOptimizationJobCommand(registering('opt-1', 'Llama-Opt')));
    const job = await waitForStatus(h.client, 'opt-1');
    expect(job.OptimizationJobStatus).toBe('COMPLETED');
    expect(job.OutputConfig?.SageMakerModel?.ModelName).toBe('Llama-Opt');

    const model = await h.client.send(new DescribeModelCommand({ ModelName: 'llama-opt' }));
    expect(model).toMatchObject({
      ModelName: 'Llama-Opt',
      ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/llama-opt',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/SageMakerOptimization',
      PrimaryContainer: {
        Image: job.OptimizationOutput?.RecommendedInferenceImage,
        ModelDataSource: {
          S3DataSource: { S3Uri: 's3://out/opt-1/', S3DataType: 'S3Prefix', CompressionType: 'None' },
        },
        Environment: { OPTION_TENSOR_PARALLEL_DEGREE: '1' },
      },
    });
    expect(model.CreationTime?.getTime()).toBe(job.OptimizationEndTime?.getTime());
  });

  it('registers nothing for a job that asks for no model, or fails', async () => {
    const h = await start();
    await h.client.send(new CreateOptimizationJobCommand(createRequest('plain')));
    await h.client.send(
      new CreateOptimizationJobCommand(
        registering('broken', 'never', { ModelSource: { S3: { S3Uri: 's3://models/missing/' } } }),
      ),
    );
    expect((await waitForStatus(h.client, 'plain')).OptimizationJobStatus).toBe('COMPLETED');
    expect((await waitForStatus(h.client, 'broken')).OptimizationJobStatus).toBe('FAILED');
    expect((await h.client.send(new ListModelsCommand({}))).Models).toEqual([]);
  });

  it('fails when another job registered the name first, as CreateModel refuses an existing model', async () => {
    const h = await start();
    await h.client.send(new CreateOptimizationJobCommand(registering('first', 'shared')));
    expect((await waitForStatus(h.client, 'first')).OptimizationJobStatus).toBe('COMPLETED');
    await h.client.send(new CreateOptimizationJobCommand(registering('second', 'shared')));
    const second = await waitForStatus(h.client, 'second');
    expect(second.OptimizationJobStatus).toBe('FAILED');
    expect(second.FailureReason).toBe(
      'ClientError: Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/shared".',
    );
    const model = await h.client.send(new DescribeModelCommand({ ModelName: 'shared' }));
    expect(model.PrimaryContainer?.ModelDataSource?.S3DataSource?.S3Uri).toBe('s3://out/first/');
  });

  it('can be the SageMakerModel source of a later job, which reads the registered model data', async () => {
    const h = await start();
    await h.client.send(new CreateOptimizationJobCommand(registering('base', 'llama-base')));
    expect((await waitForStatus(h.client, 'base')).OptimizationJobStatus).toBe('COMPLETED');
    await h.client.send(
      new CreateOptimizationJobCommand(
        createRequest('again', { ModelSource: { SageMakerModel: { ModelName: 'llama-base' } } }),
      ),
    );
    expect((await waitForStatus(h.client, 'again')).OptimizationJobStatus).toBe('COMPLETED');
    expect((await h.store.list('out', 'again/')).map((o) => o.key)).toContain('again/config.json');
  });
});

describe('DescribeModel and ListModels', () => {
  it('answer an unknown model as AWS does: ValidationException "Could not find model"', async () => {
    const h = await start();
    const error = await errorOf(() => h.client.send(new DescribeModelCommand({ ModelName: 'nope' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Could not find model "arn:aws:sagemaker:us-east-1:000000000000:model/nope".');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('validate the name as the model does', async () => {
    const h = await start();
    const error = await errorOf(() => h.client.send(new DescribeModelCommand({ ModelName: '-bad' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("Value '-bad' at 'modelName' failed to satisfy constraint");
  });

  it('list, filter, sort and page', async () => {
    const h = await start();
    for (const [job, model] of [
      ['j1', 'alpha'],
      ['j2', 'beta'],
      ['j3', 'alpine'],
    ]) {
      await h.client.send(new CreateOptimizationJobCommand(registering(job as string, model as string)));
      await waitForStatus(h.client, job as string);
    }
    const names = async (input: ListModelsCommandInput) =>
      ((await h.client.send(new ListModelsCommand(input))).Models ?? []).map((m) => m.ModelName);
    // Newest first by default.
    expect(await names({})).toEqual(['alpine', 'beta', 'alpha']);
    expect(await names({ SortBy: 'Name', SortOrder: 'Ascending' })).toEqual(['alpha', 'alpine', 'beta']);
    expect(await names({ NameContains: 'ALP', SortBy: 'Name', SortOrder: 'Ascending' })).toEqual([
      'alpha',
      'alpine',
    ]);
    const first = await h.client.send(new ListModelsCommand({ MaxResults: 2, SortBy: 'Name' }));
    expect(first.Models?.map((m) => m.ModelName)).toEqual(['beta', 'alpine']);
    const rest = await h.client.send(
      new ListModelsCommand({ MaxResults: 2, SortBy: 'Name', NextToken: first.NextToken }),
    );
    expect(rest.Models?.map((m) => m.ModelName)).toEqual(['alpha']);
    expect(rest.NextToken).toBeUndefined();
  });

  it('keep the models across a restart from the state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mop-models-'));
    tempDirs.push(dir);
    const stateFile = join(dir, 'jobs.json');
    const store = new InMemoryObjectStore();
    const first = await start({ stateFile, objectStore: store });
    await first.client.send(new CreateOptimizationJobCommand(registering('kept', 'kept-model')));
    await waitForStatus(first.client, 'kept');
    const before = await first.client.send(new DescribeModelCommand({ ModelName: 'kept-model' }));
    await first.close();

    const second = await start({ stateFile, objectStore: store });
    expect(await second.client.send(new DescribeModelCommand({ ModelName: 'kept-model' }))).toEqual(
      expect.objectContaining({ ModelArn: before.ModelArn, PrimaryContainer: before.PrimaryContainer }),
    );
    expect((await second.client.send(new ListModelsCommand({}))).Models?.map((m) => m.ModelName)).toEqual([
      'kept-model',
    ]);
  });
});
