/**
 * The embedded local stack: S3, SQS, Lambda, SageMaker (optimization jobs), Step Functions,
 * EventBridge and SNS behind one edge endpoint, wired the way serverless.yml wires them in
 * AWS. The real handlers run in this process against the real AWS SDK clients over HTTP, and
 * the real state-machine file runs in the ASL runner. Each service is wired in its own step
 * (wiring/), in the order they depend on each other.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminContext } from './admin/admin-routes';
import { createConsole } from './console/routes';
import { ActivityLog } from './diagnostics/activity';
import { InternalErrors } from './diagnostics/internal-errors';
import { type PeakTracker, startPeakTracker } from './diagnostics/memory-peaks';
import { S3RequestLog } from './diagnostics/s3-request-log';
import type { LocalBus } from './eventbridge/bus';
import type { LambdaRuntime } from './lambda/runtime';
import type { SageMakerEmulator, SageMakerEmulatorOptions } from './sagemaker';
import { describeService, type LocalServiceDescription } from './service/description';
import type { SnsService } from './sns/service';
import type { LocalQueue } from './sqs/queue';
import { emptyDataDir, prepareDataDir } from './startup/data-dir';
import type { ExecuteDefinition, StepFunctionsService } from './stepfunctions/service';
import type { Clock } from './time/clock';
import { persistentClock } from './time/persistent-clock';
import { clientEnvFor, pointFunctionsAt } from './wiring/client-env';
import { wireBus } from './wiring/wire-bus';
import { wireEdge } from './wiring/wire-edge';
import { wireEventSources } from './wiring/wire-event-sources';
import { wireLambda } from './wiring/wire-lambda';
import { wireQueues } from './wiring/wire-queues';
import { modelsBucket, wireS3 } from './wiring/wire-s3';
import { wireSageMaker } from './wiring/wire-sagemaker';
import { wireSns } from './wiring/wire-sns';
import { wireStepFunctions } from './wiring/wire-stepfunctions';
import { LOCAL_ACCOUNT_ID, type Wiring } from './wiring/wiring';

export { LOCAL_ACCOUNT_ID } from './wiring/wiring';
export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DEFAULT_PORT = 4566;

export interface LocalStackOptions {
  /** Edge port; 0 picks a free one. Default: `LOCAL_PORT` or 4566. */
  port?: number;
  host?: string;
  /** Where state persists. Default `.local/` in the project. */
  dataDir?: string;
  /** Start from empty state. */
  reset?: boolean;
  stage?: string;
  region?: string;
  /** Simulated seconds per real second. Default: `LOCAL_CLOCK_SPEED` or 60. */
  clockSpeed?: number;
  /** Overrides of the SageMaker emulator (durations, quota, faults); env `LOCAL_SAGEMAKER_*` applies first. */
  sageMaker?: Partial<SageMakerEmulatorOptions>;
  /** Powertools log level of the local functions. Default: `LOCAL_FUNCTION_LOG_LEVEL` or ERROR. */
  functionLogLevel?: string;
  /** Concurrent batches per SQS event source. Default 2. */
  pollerConcurrency?: number;
  /**
   * Variables set over every function's environment from serverless.yml, e.g. a shorter
   * tracking schedule (`TRACKING_FIRST_POLL_DELAY_SECONDS`) for tests on a fast clock.
   */
  functionEnvironment?: Record<string, string>;
  /** Runs state-machine definitions (the ASL runner). */
  execute: (stack: LocalStackContext) => ExecuteDefinition;
}

/** What the ASL runner needs from the stack. */
export interface LocalStackContext {
  clock: Clock;
  /** Simulated seconds per real second. */
  speed: number;
  endpoint: string;
  region: string;
  accountId: string;
  lambda: LambdaRuntime;
  /** Deployed names of the functions, as state machines refer to them. */
  functionNames: string[];
}

export interface LocalStack {
  endpoint: string;
  port: number;
  region: string;
  stage: string;
  accountId: string;
  dataDir: string;
  /** The models bucket. */
  bucket: string;
  eventBusName: string;
  /** The variables an AWS SDK or CLI needs to talk to the stack. */
  clientEnv: Record<string, string>;
  eventsLogPath: string;
  clock: Clock;
  description: LocalServiceDescription;
  activity: ActivityLog;
  sageMaker: SageMakerEmulator;
  stepFunctions: StepFunctionsService;
  bus: LocalBus;
  sns: SnsService;
  queues: Map<string, LocalQueue>;
  lambda: LambdaRuntime;
  /** The stack's RSS, sampled: per job and since the last reset. */
  memory: PeakTracker;
  /** The S3 requests the edge received. */
  s3Requests: S3RequestLog;
  /** Bugs the stack survived (logged, and counted in `/_local/stats`). */
  internalErrors: InternalErrors;
  stop(): Promise<void>;
}

/** Starts the stack. Resolves once every service is up and the bucket exists. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const dataDir = options.dataDir ?? join(PROJECT_ROOT, '.local');
  prepareDataDir(dataDir, { adopt: dataDir === join(PROJECT_ROOT, '.local') });
  if (options.reset) emptyDataDir(dataDir);

  const speed = options.clockSpeed ?? Number(process.env.LOCAL_CLOCK_SPEED ?? 60);
  const clock = persistentClock(join(dataDir, 'clock.json'), speed);
  const activity = new ActivityLog();
  const internalErrors = new InternalErrors();
  const w: Wiring = {
    description: await describeService(stage, region, LOCAL_ACCOUNT_ID),
    dataDir,
    region,
    clock,
    now: () => new Date(clock.now()),
    emit: (a) => activity.emit(a),
    onInternalError: (error, site) => internalErrors.record(error, site),
  };
  const { description } = w;
  let endpoint = '';

  const { queues, queueOf, flush: flushQueues } = wireQueues(w);
  const s3 = await wireS3(w, queueOf);
  const lambda = wireLambda(w, PROJECT_ROOT, options.functionEnvironment ?? {});
  const { bus, busNames } = wireBus(w, lambda);
  const sns = wireSns(w);
  const memory = startPeakTracker();
  const s3Requests = new S3RequestLog();
  const sageMaker = wireSageMaker(w, s3.objectStore, memory, options.sageMaker);
  const context: LocalStackContext = {
    clock,
    get endpoint() {
      return endpoint;
    },
    region,
    accountId: LOCAL_ACCOUNT_ID,
    lambda,
    speed,
    functionNames: description.functions.map((fn) => fn.name),
  };
  const stepFunctions = wireStepFunctions(w, options.execute(context));
  const bucket = modelsBucket(w);
  const localConsole = createConsole({
    description,
    activity,
    stepFunctions,
    sageMaker,
    queues,
    clock,
    clockSpeed: speed,
    bucket,
    eventBusName: busNames[0] ?? 'default',
    eventsLogPath: join(dataDir, 'events.jsonl'),
    region,
    endpoint: () => endpoint,
  });
  const admin: AdminContext = {
    sageMaker,
    stepFunctions,
    bus,
    queues,
    clock,
    speed,
    stage,
    memory,
    s3Requests,
    stats: () => ({ internalErrors: internalErrors.count, s3: s3.stats() }),
  };
  const edge = await wireEdge(w, {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? Number(process.env.LOCAL_PORT ?? DEFAULT_PORT),
    endpoint: () => endpoint,
    s3,
    s3Requests,
    sns,
    console: localConsole,
    sageMaker,
    stepFunctions,
    bus,
    busNames,
    queues: [...queues.values()],
    admin,
  });
  endpoint = edge.url;

  const clientEnv = clientEnvFor(endpoint, region);
  pointFunctionsAt(clientEnv, options.functionLogLevel ?? process.env.LOCAL_FUNCTION_LOG_LEVEL ?? 'ERROR');
  stepFunctions.restore(() => 'restart');
  const sources = wireEventSources(w, queueOf, lambda, options.pollerConcurrency ?? 2);

  return {
    endpoint,
    port: edge.port,
    region,
    stage,
    accountId: LOCAL_ACCOUNT_ID,
    dataDir,
    bucket,
    eventBusName: busNames[0] ?? 'default',
    clientEnv,
    eventsLogPath: join(dataDir, 'events.jsonl'),
    clock,
    description,
    activity,
    sageMaker,
    stepFunctions,
    bus,
    sns,
    queues,
    lambda,
    memory,
    s3Requests,
    internalErrors,
    async stop() {
      memory.stop();
      await Promise.all(sources.map((s) => s.stop()));
      await stepFunctions.close();
      await sageMaker.close();
      await bus.idle();
      localConsole.close();
      await edge.close();
      await s3.close();
      flushQueues();
    },
  };
}
