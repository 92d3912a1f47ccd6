/**
 * Job lifecycle of the SageMaker emulator on a compressed clock: status transitions, the model
 * really read and the output really written, stop, injected outcomes and restart from the
 * state file. Driven through the real SageMakerClient over HTTP.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DescribeOptimizationJobCommand,
  StopOptimizationJobCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatusChange, SageMakerEmulatorOptions } from '../../local/sagemaker/emulator';
import { InMemoryObjectStore } from '../../local/sagemaker/object-store';
import { compressedClock, virtualClock } from '../../local/time/clock';
import {
  advance,
  createRequest,
  type Harness,
  MODEL_FILES,
  pollUntil,
  putFolder,
  SPEED,
  startHarness,
  tarGz,
  waitForStatus,
} from './sagemaker-helpers';

const harnesses: Harness[] = [];
const tempDirs: string[] = [];

async function start(options: SageMakerEmulatorOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const create = (h: Harness, input: CreateOptimizationJobCommandInput) =>
  h.client.send(new CreateOptimizationJobCommand(input));
const describeJob = (h: Harness, name: string) =>
  h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }));

async function readJson(h: Harness, bucket: string, key: string) {
  const body = await h.store.get(bucket, key);
  if (!body) throw new Error(`no object s3://${bucket}/${key}`);
  return JSON.parse(body.toString('utf8'));
}

/** The keys under `prefix`. */
const keys = async (h: Harness, bucket: string, prefix: string) =>
  (await h.store.list(bucket, prefix)).map((o) => o.key);

/** Wraps a store so that the test can count writes and copies. */
function countingStore(): InMemoryObjectStore & { puts: string[] } {
  const store = new InMemoryObjectStore() as InMemoryObjectStore & { puts: string[] };
  store.puts = [];
  const write = store.write.bind(store);
  const copy = store.copy.bind(store);
  store.write = async (bucket, key, body, size) => {
    store.puts.push(`${bucket}/${key}`);
    return write(bucket, key, body, size);
  };
  store.copy = async (source, target) => {
    store.puts.push(`${target.bucket}/${target.key}`);
    return copy(source, target);
  };
  return store;
}

describe('lifecycle', () => {
  it('goes STARTING → INPROGRESS → COMPLETED and writes the model and a report under S3OutputLocation', async () => {
    const changes: JobStatusChange[] = [];
    const h = await start({ onStatusChange: (change) => changes.push(change) });
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(h, createRequest('completes', { OutputConfig: { S3OutputLocation: 's3://out/optimized' } }));

    const job = await waitForStatus(h.client, 'completes');
    expect(job.OptimizationJobStatus).toBe('COMPLETED');
    expect(changes.map((c) => c.status)).toEqual(['STARTING', 'INPROGRESS', 'COMPLETED']);
    expect(job.FailureReason).toBeUndefined();
    const created = job.CreationTime?.getTime() ?? Number.NaN;
    const started = job.OptimizationStartTime?.getTime() ?? Number.NaN;
    const ended = job.OptimizationEndTime?.getTime() ?? Number.NaN;
    // Transitions sit exactly on the configured (simulated) phase durations.
    expect(started - created).toBe(5_000);
    expect(ended - started).toBe(30_000);
    expect(job.LastModifiedTime?.getTime()).toBe(ended);
    expect(job.OptimizationOutput?.RecommendedInferenceImage).toBe(
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.30.0-lmi12.0.0-cu124',
    );

    expect(await keys(h, 'out', 'optimized/')).toEqual([
      'optimized/config.json',
      'optimized/model.safetensors',
      'optimized/optimization-report.json',
      'optimized/tokenizer.json',
    ]);
    expect(await h.store.get('out', 'optimized/model.safetensors')).toEqual(MODEL_FILES['model.safetensors']);
    const report = await readJson(h, 'out', 'optimized/optimization-report.json');
    expect(report).toMatchObject({
      optimizationJobName: 'completes',
      optimizationJobArn: job.OptimizationJobArn,
      techniques: ['ModelQuantizationConfig'],
      deploymentInstanceType: 'ml.g5.2xlarge',
      source: { uri: 's3://models/llama/', kind: 'folder' },
      recommendedInferenceImage: job.OptimizationOutput?.RecommendedInferenceImage,
      timings: {
        creationTime: job.CreationTime?.toISOString(),
        optimizationStartTime: job.OptimizationStartTime?.toISOString(),
        optimizationEndTime: job.OptimizationEndTime?.toISOString(),
        startingSeconds: 5,
        optimizationSeconds: 30,
      },
    });
    expect(report.files.map((f: { path: string }) => f.path)).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
    ]);
    expect(report.files[1]).toEqual({
      path: 'model.safetensors',
      size: 8,
      eTag: createHash('md5').update(MODEL_FILES['model.safetensors']).digest('hex'),
    });
  });

  it('unpacks a .tar.gz model into the output', async () => {
    const h = await start();
    await h.store.put(
      'models',
      'drops/llama.tar.gz',
      await tarGz({ './config.json': '{}', './weights/part-1.bin': 'w' }),
    );
    await create(
      h,
      createRequest('archive', {
        ModelSource: { S3: { S3Uri: 's3://models/drops/llama.tar.gz' } },
        OptimizationConfigs: [
          { ModelCompilationConfig: {} },
          { ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: 'fp8' } } },
        ],
      }),
    );
    expect((await waitForStatus(h.client, 'archive')).OptimizationJobStatus).toBe('COMPLETED');
    expect(await keys(h, 'out', 'archive/')).toEqual([
      'archive/config.json',
      'archive/optimization-report.json',
      'archive/weights/part-1.bin',
    ]);
    const report = await readJson(h, 'out', 'archive/optimization-report.json');
    expect(report.source).toMatchObject({ kind: 'archive', uri: 's3://models/drops/llama.tar.gz' });
    expect(report.techniques).toEqual(['ModelCompilationConfig', 'ModelQuantizationConfig']);
  });

  it('recommends a neuronx image for Inferentia/Trainium, in the configured region', async () => {
    const h = await start({ region: 'eu-west-1' });
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    const { OptimizationJobArn } = await create(
      h,
      createRequest('neuron', {
        DeploymentInstanceType: 'ml.inf2.xlarge',
        OptimizationConfigs: [{ ModelCompilationConfig: {} }],
      }),
    );
    expect(OptimizationJobArn).toBe('arn:aws:sagemaker:eu-west-1:000000000000:optimization-job/neuron');
    const job = await waitForStatus(h.client, 'neuron');
    expect(job.OptimizationOutput?.RecommendedInferenceImage).toBe(
      '763104351884.dkr.ecr.eu-west-1.amazonaws.com/djl-inference:0.29.0-neuronx-sdk2.19.1',
    );
  });

  it('reads a SageMakerModel source from the configured model artifacts', async () => {
    const h = await start({ sageMakerModels: { 'llama-registered': 's3://models/llama/' } });
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(
      h,
      createRequest('registered', { ModelSource: { SageMakerModel: { ModelName: 'llama-registered' } } }),
    );
    expect((await waitForStatus(h.client, 'registered')).OptimizationJobStatus).toBe('COMPLETED');
    const unknown = createRequest('unregistered', { ModelSource: { SageMakerModel: { ModelName: 'nope' } } });
    await create(h, unknown);
    expect((await waitForStatus(h.client, 'unregistered')).FailureReason).toBe(
      'ClientError: Could not find model "nope"',
    );
  });
});

describe('model problems end the job FAILED with a ClientError', () => {
  async function failureOf(h: Harness, name: string, s3Uri: string): Promise<string> {
    await create(h, createRequest(name, { ModelSource: { S3: { S3Uri: s3Uri } } }));
    const job = await waitForStatus(h.client, name);
    expect(job.OptimizationJobStatus).toBe('FAILED');
    expect(job.OptimizationStartTime).toBeDefined();
    expect(job.OptimizationEndTime).toBeDefined();
    expect(await keys(h, 'out', `${name}/`)).toEqual([]);
    return job.FailureReason ?? '';
  }

  it('a folder without config.json at its root', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'no-config/', { 'nested/config.json': '{}', 'weights.bin': 'w' });
    expect(await failureOf(h, 'no-config', 's3://models/no-config')).toBe(
      'ClientError: Model folder s3://models/no-config/ has no config.json at its root (found: nested/config.json, weights.bin)',
    );
  });

  it('an empty folder', async () => {
    const h = await start();
    expect(await failureOf(h, 'empty', 's3://models/empty/')).toBe(
      'ClientError: Could not find any model files under s3://models/empty/',
    );
  });

  it('a config.json that is not JSON', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'bad-config/', { 'config.json': '{' });
    expect(await failureOf(h, 'bad-config', 's3://models/bad-config/')).toMatch(
      /^ClientError: config\.json in .* is not valid JSON/,
    );
  });

  it('a missing .tar.gz', async () => {
    const h = await start();
    expect(await failureOf(h, 'missing-archive', 's3://models/missing.tar.gz')).toBe(
      'ClientError: Could not find model archive s3://models/missing.tar.gz: the object does not exist',
    );
  });

  it('a .tar.gz that is not gzip', async () => {
    const h = await start();
    await h.store.put('models', 'corrupt.tar.gz', 'this is not a gzip stream');
    expect(await failureOf(h, 'not-gzip', 's3://models/corrupt.tar.gz')).toMatch(
      /^ClientError: Could not unpack model archive s3:\/\/models\/corrupt\.tar\.gz: not a gzip file/,
    );
  });

  it('a .tar.gz whose tar is corrupt', async () => {
    const h = await start();
    const { gzipSync } = await import('node:zlib');
    await h.store.put('models', 'garbage.tar.gz', gzipSync(Buffer.alloc(1024, 7)));
    expect(await failureOf(h, 'bad-tar', 's3://models/garbage.tar.gz')).toMatch(
      /^ClientError: Could not unpack model archive s3:\/\/models\/garbage\.tar\.gz: /,
    );
  });

  it('a truncated .tar.gz', async () => {
    const h = await start();
    const archive = await tarGz({ 'config.json': '{}', 'weights.bin': Buffer.alloc(4096, 1) });
    await h.store.put('models', 'truncated.tar.gz', archive.subarray(0, archive.length - 20));
    expect(await failureOf(h, 'truncated', 's3://models/truncated.tar.gz')).toMatch(
      /^ClientError: Could not unpack model archive/,
    );
  });

  it('a .tar.gz without config.json', async () => {
    const h = await start();
    await h.store.put('models', 'no-config.tar.gz', await tarGz({ 'model/config.json': '{}' }));
    expect(await failureOf(h, 'archive-no-config', 's3://models/no-config.tar.gz')).toBe(
      'ClientError: Model archive s3://models/no-config.tar.gz has no config.json at its root (found: model/config.json)',
    );
  });

  it('missing speculative-decoding training data', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(
      h,
      createRequest('no-data', {
        OptimizationConfigs: [
          {
            ModelSpeculativeDecodingConfig: {
              Technique: 'EAGLE',
              TrainingDataSource: { S3Uri: 's3://data/sharegpt/', S3DataType: 'S3Prefix' },
            },
          },
        ],
      }),
    );
    expect((await waitForStatus(h.client, 'no-data')).FailureReason).toBe(
      'ClientError: Could not find speculative decoding training data at s3://data/sharegpt/',
    );
  });
});

describe('techniques a job cannot run: created, then FAILED with a ClientError, as SageMaker does', () => {
  const quantize = (method: string) => ({
    ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: method } },
  });
  const degree = { OverrideEnvironment: { OPTION_TENSOR_PARALLEL_DEGREE: '2' } };
  const cases: [string, Partial<CreateOptimizationJobCommandInput>, string][] = [
    [
      'shard-and-quantize',
      { OptimizationConfigs: [quantize('awq'), { ModelShardingConfig: degree }] },
      'ClientError: Sharding is mutually exclusive and cannot be combined with other optimizations; the job asked for quantization, sharding.',
    ],
    [
      'shard-no-degree',
      { OptimizationConfigs: [{ ModelShardingConfig: {} }] },
      'ClientError: OPTION_TENSOR_PARALLEL_DEGREE is a required environment variable with sharding.',
    ],
    [
      'compile-and-speculate',
      {
        OptimizationConfigs: [
          { ModelCompilationConfig: {} },
          { ModelSpeculativeDecodingConfig: { Technique: 'EAGLE' } },
        ],
      },
      'ClientError: Compilation and speculative decoding cannot be used together.',
    ],
    [
      'neuron-quantize',
      {
        DeploymentInstanceType: 'ml.trn1n.32xlarge',
        OptimizationConfigs: [{ ModelCompilationConfig: {} }, quantize('awq')],
      },
      'ClientError: Neuron instances (ml.trn1n.32xlarge) support compilation only; the job asked for compilation, quantization.',
    ],
    [
      'smoothquant',
      { OptimizationConfigs: [quantize('smoothquant')] },
      'ClientError: Quantization with smoothquant must be provided with compilation.',
    ],
  ];

  it.each(cases)('%s', async (name, overrides, reason) => {
    const h = await start();
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    const { OptimizationJobArn } = await create(h, createRequest(name, overrides));
    expect(OptimizationJobArn).toMatch(new RegExp(`/${name}$`));
    const job = await waitForStatus(h.client, name);
    expect(job).toMatchObject({ OptimizationJobStatus: 'FAILED', FailureReason: reason });
    expect(await keys(h, 'out', `${name}/`)).toEqual([]);
  });

  it('runs the mixes that can: sharding alone with the degree in OptimizationEnvironment, SmoothQuant with compilation', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(
      h,
      createRequest('shard-top-degree', {
        OptimizationEnvironment: { OPTION_TENSOR_PARALLEL_DEGREE: '8' },
        OptimizationConfigs: [{ ModelShardingConfig: {} }],
      }),
    );
    await create(
      h,
      createRequest('smoothquant-compiled', {
        OptimizationConfigs: [quantize('smoothquant'), { ModelCompilationConfig: {} }],
      }),
    );
    expect((await waitForStatus(h.client, 'shard-top-degree')).OptimizationJobStatus).toBe('COMPLETED');
    expect((await waitForStatus(h.client, 'smoothquant-compiled')).OptimizationJobStatus).toBe('COMPLETED');
  });
});

describe('stop, injected outcomes and MaxRuntimeInSeconds', () => {
  // Both on a manual clock: each passing state is held while the test looks at it.
  it('Stop moves a running job to STOPPING, then STOPPED, and writes no output', async () => {
    const clock = virtualClock();
    const h = await start({
      clock,
      durations: { startingSeconds: 5, inProgressSeconds: 3_600, stoppingSeconds: 20 },
    });
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(h, createRequest('stopped'));
    await advance(h, clock, 5);
    expect((await describeJob(h, 'stopped')).OptimizationJobStatus).toBe('INPROGRESS');
    await h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'stopped' }));
    expect((await describeJob(h, 'stopped')).OptimizationJobStatus).toBe('STOPPING');
    await advance(h, clock, 19);
    // Stopping a job that is already stopping is accepted, and does not restart the phase.
    await h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'stopped' }));
    expect((await describeJob(h, 'stopped')).OptimizationJobStatus).toBe('STOPPING');
    await advance(h, clock, 1);
    const job = await describeJob(h, 'stopped');
    expect(job.OptimizationJobStatus).toBe('STOPPED');
    expect((job.OptimizationEndTime?.getTime() ?? 0) - (job.OptimizationStartTime?.getTime() ?? 0)).toBe(
      20_000,
    );
    expect(await keys(h, 'out', 'stopped/')).toEqual([]);
  });

  it('Stop works on a job that is still STARTING', async () => {
    const clock = virtualClock();
    const h = await start({
      clock,
      durations: { startingSeconds: 3_600, inProgressSeconds: 30, stoppingSeconds: 5 },
    });
    await create(h, createRequest('early-stop'));
    await advance(h, clock, 3_599);
    expect((await describeJob(h, 'early-stop')).OptimizationJobStatus).toBe('STARTING');
    await h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'early-stop' }));
    await advance(h, clock, 5);
    const job = await describeJob(h, 'early-stop');
    expect(job.OptimizationJobStatus).toBe('STOPPED');
    expect(job.OptimizationStartTime).toBeUndefined();
  });

  it('an injected failure ends the job FAILED with the given reason', async () => {
    const h = await start();
    h.emulator.faults.overrideOutcome({
      match: (request) => request.OptimizationJobName === 'doomed',
      outcome: 'fail',
      reason: 'ClientError: Quantization is not supported for this model architecture.',
    });
    await create(h, createRequest('doomed'));
    const job = await waitForStatus(h.client, 'doomed');
    expect(job).toMatchObject({
      OptimizationJobStatus: 'FAILED',
      FailureReason: 'ClientError: Quantization is not supported for this model architecture.',
    });
  });

  it('a hanging job stays INPROGRESS (past MaxRuntimeInSeconds) until it is stopped', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    h.emulator.faults.overrideOutcome({ match: { name: 'stuck' }, outcome: 'hang', times: 1 });
    await create(h, createRequest('stuck', { StoppingCondition: { MaxRuntimeInSeconds: 10 } }));
    // A witness created later with the same phases completes; the hanging job must not have.
    await create(h, createRequest('witness'));
    await waitForStatus(h.client, 'witness', ['COMPLETED']);
    await h.emulator.settle();
    expect((await describeJob(h, 'stuck')).OptimizationJobStatus).toBe('INPROGRESS');
    expect(h.emulator.faults.listOutcomes()).toEqual([]);

    await h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'stuck' }));
    expect((await waitForStatus(h.client, 'stuck')).OptimizationJobStatus).toBe('STOPPED');
  });

  it('a job that outlives MaxRuntimeInSeconds ends FAILED', async () => {
    const h = await start();
    await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
    await create(h, createRequest('slow', { StoppingCondition: { MaxRuntimeInSeconds: 10 } }));
    const job = await waitForStatus(h.client, 'slow');
    expect(job.OptimizationJobStatus).toBe('FAILED');
    expect(job.FailureReason).toContain('MaxRuntimeInSeconds (10)');
    expect((job.OptimizationEndTime?.getTime() ?? 0) - (job.OptimizationStartTime?.getTime() ?? 0)).toBe(
      10_000,
    );
  });
});

describe('restart from the state file', () => {
  function stateFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sagemaker-emulator-'));
    tempDirs.push(dir);
    return join(dir, 'nested', 'jobs.json');
  }

  it('keeps finished jobs and does not write their output again', async () => {
    const file = stateFile();
    const store = countingStore();
    const first = await start({ stateFile: file, objectStore: store });
    await putFolder(store, 'models', 'llama/', MODEL_FILES);
    store.puts.length = 0;
    await create(first, createRequest('durable'));
    const before = await waitForStatus(first.client, 'durable', ['COMPLETED']);
    expect(store.puts).toHaveLength(4);
    await first.close();
    expect(readdirSync(join(file, '..'))).toEqual(['jobs.json']);

    const second = await start({ stateFile: file, objectStore: store });
    await second.emulator.settle();
    const after = await describeJob(second, 'durable');
    const { $metadata: _a, ...beforeFields } = before;
    const { $metadata: _b, ...afterFields } = after;
    expect(afterFields).toEqual(beforeFields);
    expect(store.puts).toHaveLength(4);
  });

  it('resumes a job that was running and writes its output exactly once', async () => {
    const file = stateFile();
    const store = countingStore();
    // Both emulators share one time line, a manual clock: the job is INPROGRESS at the restart
    // however long the restart takes.
    const clock = virtualClock();
    const options = {
      stateFile: file,
      objectStore: store,
      clock,
      durations: { startingSeconds: 5, inProgressSeconds: 1_000, stoppingSeconds: 5 },
    };
    const first = await start(options);
    await putFolder(store, 'models', 'llama/', MODEL_FILES);
    store.puts.length = 0;
    await create(first, createRequest('resumed'));
    await advance(first, clock, 5);
    expect((await describeJob(first, 'resumed')).OptimizationJobStatus).toBe('INPROGRESS');
    await first.close();
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.jobs).toHaveLength(1);
    expect(saved.jobs[0]).toMatchObject({ status: 'INPROGRESS', source: { files: expect.any(Array) } });
    expect(store.puts).toEqual([]);

    const second = await start(options);
    await advance(second, clock, 999);
    expect((await describeJob(second, 'resumed')).OptimizationJobStatus).toBe('INPROGRESS');
    await advance(second, clock, 1);
    const job = await describeJob(second, 'resumed');
    expect(job.OptimizationJobStatus).toBe('COMPLETED');
    expect((job.OptimizationEndTime?.getTime() ?? 0) - (job.OptimizationStartTime?.getTime() ?? 0)).toBe(
      1_000_000,
    );
    expect(store.puts.filter((key) => key.startsWith('out/'))).toHaveLength(4);
    await second.emulator.settle();
    expect(store.puts).toHaveLength(4);
  });

  it('completes at once a job that fell due while the emulator was down', async () => {
    const file = stateFile();
    const store = countingStore();
    const durations = { startingSeconds: 5, inProgressSeconds: 30, stoppingSeconds: 5 };
    const first = await start({ stateFile: file, objectStore: store, durations });
    await putFolder(store, 'models', 'llama/', MODEL_FILES);
    await create(first, createRequest('overdue'));
    await first.close();

    // The second emulator's clock is well past the job's completion time from the start.
    const later = compressedClock(SPEED, Date.now() - 60_000);
    const second = await start({ stateFile: file, objectStore: store, durations, clock: later });
    await pollUntil(
      async () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).jobs[0].status,
      (status) => status === 'COMPLETED',
    );
    expect((await describeJob(second, 'overdue')).OptimizationJobStatus).toBe('COMPLETED');
    expect((await store.list('out', 'overdue/')).map((o) => o.key)).toContain(
      'overdue/optimization-report.json',
    );
  });
});
