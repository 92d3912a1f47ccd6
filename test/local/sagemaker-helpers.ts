/** Test harness for the SageMaker emulator: a node:http server and real SDK clients. */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  type CreateOptimizationJobCommandInput,
  DescribeOptimizationJobCommand,
  type DescribeOptimizationJobCommandOutput,
  SageMakerClient,
  type SageMakerClientConfig,
} from '@aws-sdk/client-sagemaker';
import { pack } from 'tar-stream';
import {
  createSageMakerEmulator,
  type SageMakerEmulator,
  type SageMakerEmulatorOptions,
} from '../../local/sagemaker/emulator';
import { sageMakerRequestListener } from '../../local/sagemaker/http';
import { InMemoryObjectStore } from '../../local/sagemaker/object-store';
import { compressedClock, type VirtualClock } from '../../local/time/clock';

/** Simulated time runs this much faster than real time in the tests. */
export const SPEED = 1000;

/** A running emulator behind a real HTTP server, and a client for it. */
export interface Harness {
  emulator: SageMakerEmulator;
  store: InMemoryObjectStore;
  endpoint: string;
  /** A client that does not retry, for asserting on errors. */
  client: SageMakerClient;
  /** A client with other settings (e.g. `maxAttempts`). */
  clientWith(config: Partial<SageMakerClientConfig>): SageMakerClient;
  close(): Promise<void>;
}

const servers: Server[] = [];

/** Starts an emulator (fast clock, short phases unless overridden) behind an HTTP server on port 0. */
export async function startHarness(options: SageMakerEmulatorOptions = {}): Promise<Harness> {
  const store = (options.objectStore as InMemoryObjectStore | undefined) ?? new InMemoryObjectStore();
  const emulator = createSageMakerEmulator({
    clock: compressedClock(SPEED),
    durations: { startingSeconds: 5, inProgressSeconds: 30, stoppingSeconds: 5 },
    ...options,
    objectStore: store,
  });
  const server = createServer(sageMakerRequestListener(emulator));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: SageMakerClient[] = [];
  const clientWith = (config: Partial<SageMakerClientConfig>) => {
    const client = new SageMakerClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'any-secret' },
      maxAttempts: 1,
      ...config,
    });
    clients.push(client);
    return client;
  };
  const client = clientWith({});
  let closing: Promise<void> | undefined;
  return {
    emulator,
    store,
    endpoint,
    client,
    clientWith,
    close() {
      closing ??= (async () => {
        for (const c of clients) c.destroy();
        await emulator.close();
        server.closeAllConnections();
        await promisify(server.close.bind(server))();
      })();
      return closing;
    },
  };
}

/**
 * Moves `clock` (the harness's manual clock) forward by `seconds` of simulated time and waits
 * until the emulator has applied every transition that fell due, work included.
 */
export async function advance(h: Harness, clock: VirtualClock, seconds: number): Promise<void> {
  clock.advance(seconds * 1000);
  await h.emulator.settle();
}

/** A gzipped tarball of `files` (path → contents). */
export async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  const archive = pack();
  for (const [name, body] of Object.entries(files)) archive.entry({ name }, body);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return promisify(gzip)(Buffer.concat(chunks));
}

/** A minimal model folder's files. */
export const MODEL_FILES = {
  'config.json': JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }),
  'tokenizer.json': '{"version":"1.0"}',
  'model.safetensors': Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]),
};

/** A valid CreateOptimizationJob request, with `overrides` on top. */
export function createRequest(
  name: string,
  overrides: Partial<CreateOptimizationJobCommandInput> = {},
): CreateOptimizationJobCommandInput {
  return {
    OptimizationJobName: name,
    RoleArn: 'arn:aws:iam::123456789012:role/SageMakerOptimization',
    ModelSource: { S3: { S3Uri: 's3://models/llama/' } },
    DeploymentInstanceType: 'ml.g5.2xlarge',
    OptimizationConfigs: [{ ModelQuantizationConfig: { OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } }],
    OutputConfig: { S3OutputLocation: `s3://out/${name}/` },
    StoppingCondition: { MaxRuntimeInSeconds: 36_000 },
    ...overrides,
  };
}

/** Puts the model files in `store` under `s3://bucket/prefix`. */
export async function putFolder(
  store: InMemoryObjectStore,
  bucket: string,
  prefix: string,
  files: Record<string, string | Buffer>,
): Promise<void> {
  for (const [path, body] of Object.entries(files)) await store.put(bucket, `${prefix}${path}`, body);
}

/** Polls `probe` until `done` holds for its result, for at most `timeoutMs` of real time. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const TERMINAL = ['COMPLETED', 'FAILED', 'STOPPED'];

/** Describes the job until it reaches `statuses` (default: any terminal status). */
export function waitForStatus(
  client: SageMakerClient,
  name: string,
  statuses: string[] = TERMINAL,
): Promise<DescribeOptimizationJobCommandOutput> {
  return pollUntil(
    () => client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name })),
    (job) => statuses.includes(job.OptimizationJobStatus ?? ''),
  );
}

/** Runs `fn` and returns what it threw (fails if it did not throw). */
export async function errorOf(
  fn: () => Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
