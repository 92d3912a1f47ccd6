/**
 * The embedded local stack: S3, SQS, Lambda, SageMaker (optimization jobs), Step Functions,
 * EventBridge and SNS behind one edge endpoint, wired the way serverless.yml wires them in
 * AWS. The real handlers run in this process against the real AWS SDK clients over HTTP, and
 * the real state-machine file runs in the ASL runner.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TERMINAL_STATUSES } from '../src/sagemaker-api/limits';
import { type Activity, ActivityLog } from './activity';
import { failedEntriesInput, faultInput, outcomeInput } from './admin-input';
import { requestGuard } from './console/request-guard';
import { createConsole } from './console/routes';
import { startEdge } from './edge/server';
import { createLocalBus, type LocalBus } from './eventbridge/bus';
import { createEventBridgeService, EVENTS_TARGET_PREFIX } from './eventbridge/service';
import { InternalErrors } from './internal-errors';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/runtime';
import { type PeakTracker, startPeakTracker } from './memory-peaks';
import { startS3Service } from './s3/s3-service';
import { S3RequestLog } from './s3-request-log';
import {
  createSageMakerEmulator,
  SAGEMAKER_TARGET_PREFIX,
  type SageMakerEmulator,
  type SageMakerEmulatorOptions,
  sageMakerEmulatorOptionsFromEnv,
} from './sagemaker';
import { describeService, type LocalServiceDescription } from './service/description';
import { createSnsService, type SnsService } from './sns/service';
import { type EventSource, startEventSource } from './sqs/event-source';
import { LocalQueue, type QueueMessage } from './sqs/queue';
import { QueueStore } from './sqs/queue-store';
import { createSqsService, SQS_TARGET_PREFIX } from './sqs/service';
import { emptyDataDir, prepareDataDir } from './startup/data-dir';
import {
  createStepFunctionsService,
  type ExecuteDefinition,
  SFN_TARGET_PREFIX,
  type StepFunctionsService,
} from './stepfunctions/service';
import { type Clock, compressedClock } from './time/clock';

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const LOCAL_ACCOUNT_ID = '000000000000';
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
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? Number(process.env.LOCAL_PORT ?? DEFAULT_PORT);
  const dataDir = options.dataDir ?? join(PROJECT_ROOT, '.local');
  prepareDataDir(dataDir, { adopt: dataDir === join(PROJECT_ROOT, '.local') });
  if (options.reset) emptyDataDir(dataDir);

  const speed = options.clockSpeed ?? Number(process.env.LOCAL_CLOCK_SPEED ?? 60);
  const clock = persistentClock(join(dataDir, 'clock.json'), speed);
  const now = () => new Date(clock.now());
  const activity = new ActivityLog();
  const internalErrors = new InternalErrors();
  const onInternalError = (error: unknown, site: Parameters<InternalErrors['record']>[1]) =>
    internalErrors.record(error, site);
  const emit = (a: Activity) => activity.emit(a);
  const description = await describeService(stage, region, LOCAL_ACCOUNT_ID);
  let endpoint = '';

  // Queues, with their dead-letter queues created first.
  const queues = new Map<string, LocalQueue>();
  const queueStores: QueueStore[] = [];
  const createQueue = (logicalId: string): LocalQueue => {
    const existing = queues.get(logicalId);
    if (existing) return existing;
    const def = description.queues.find((q) => q.logicalId === logicalId);
    if (!def) throw new Error(`serverless.yml declares no queue ${logicalId}`);
    const deadLetterQueue = def.redrive && createQueue(def.redrive.deadLetterLogicalId);
    const names = description.names[logicalId];
    const store = new QueueStore(join(dataDir, 'sqs'), def.name);
    queueStores.push(store);
    const queue: LocalQueue = new LocalQueue({
      name: def.name,
      arn: names?.arn ?? def.name,
      url: names?.ref ?? def.name,
      clock,
      visibilityTimeoutSeconds: def.visibilityTimeoutSeconds,
      ...(def.redrive &&
        deadLetterQueue && { redrive: { deadLetterQueue, maxReceiveCount: def.redrive.maxReceiveCount } }),
      onChange: () => store.changed(() => queue.snapshot()),
      onAccept: (message) => store.accepted(message),
      onDeadLetter: (message: QueueMessage) =>
        emit({ kind: 'dead-lettered', at: clock.now(), queue: def.name, count: message.receiveCount }),
    });
    queue.restore(store.load());
    queues.set(logicalId, queue);
    return queue;
  };
  for (const q of description.queues) createQueue(q.logicalId);

  // S3, notifying the queues serverless.yml names.
  const s3 = await startS3Service({
    directory: join(dataDir, 's3'),
    buckets: description.buckets.map((b) => b.name),
    region,
    now,
    onInternalError,
    notifications: description.notifications.map((n, i) => ({
      bucket: n.bucket,
      configurationId: `notification-${i + 1}`,
      filter: { prefix: n.prefix, suffix: n.suffix },
      deliver: (body, record) => {
        createQueue(n.queueLogicalId).send(body);
        emit({
          kind: 'object-created',
          at: clock.now(),
          bucket: n.bucket,
          key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
          notified: true,
        });
      },
    })),
  });

  const lambda = createLambdaRuntime({
    root: PROJECT_ROOT,
    functions: description.functions,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    baseEnvironment: options.functionEnvironment ?? {},
    now: () => clock.now(),
    onInvocation: (record) =>
      emit({
        kind: 'invocation',
        at: clock.now(),
        functionKey: record.functionKey,
        ok: record.ok,
        ...(record.error && { error: `${record.error.name}: ${record.error.message}` }),
      }),
  });

  const eventBusNames = description.eventBuses.map((b) => b.name);
  const bus = createLocalBus({
    region,
    accountId: LOCAL_ACCOUNT_ID,
    busNames: eventBusNames,
    eventsLogPath: join(dataDir, 'events.jsonl'),
    putJournalPath: join(dataDir, 'eventbridge', 'put-journal.jsonl'),
    now,
    rules: description.functions.flatMap((fn) =>
      fn.eventBridge.map((rule, i) => ({
        busName: rule.busName,
        name: `${fn.key}-${i + 1}`,
        pattern: rule.pattern,
        target: (event: unknown) => lambda.invoke(fn.key, event),
      })),
    ),
    onEvent: (event) => {
      const detail = event.detail as { jobName?: string; model?: { key?: string } };
      emit({
        kind: 'event',
        at: clock.now(),
        detailType: event['detail-type'],
        jobName: detail?.jobName,
        key: detail?.model?.key,
        detail: event.detail,
      });
    },
    onDelivery: (info) =>
      emit({
        kind: 'delivery',
        at: clock.now(),
        rule: info.rule,
        ok: info.ok,
        ...(info.error !== undefined && { error: String(info.error) }),
      }),
  });

  const sns = createSnsService({
    topicArns: description.topics.map((t) => t.arn),
    logPath: join(dataDir, 'sns.jsonl'),
    now,
    onPublish: (m) => emit({ kind: 'sns', at: clock.now(), topicArn: m.topicArn, subject: m.subject }),
  });

  const memory = startPeakTracker();
  const s3Requests = new S3RequestLog();
  const sageMakerOptions = sageMakerEmulatorOptionsFromEnv();
  const sageMaker = createSageMakerEmulator({
    ...sageMakerOptions,
    ...options.sageMaker,
    region,
    clock,
    objectStore: s3.objectStore,
    stateFile: join(dataDir, 'sagemaker', 'jobs.json'),
    onStatusChange: (change) => {
      // What a job cost: the stack's peak RSS from its creation to its end.
      if (change.previousStatus === undefined) memory.open(change.name);
      const peakRss = TERMINAL_STATUSES.includes(change.status) ? memory.close(change.name) : undefined;
      emit({
        kind: 'job-status',
        at: change.at.getTime(),
        jobName: change.name,
        status: change.status,
        failureReason: change.failureReason,
        ...(peakRss !== undefined && { peakRss }),
      });
    },
  });

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
  const stepFunctions = createStepFunctionsService({
    stateMachines: description.stateMachines,
    clock,
    execute: options.execute(context),
    stateDirectory: join(dataDir, 'stepfunctions', 'executions'),
    onChange: (e) =>
      emit({
        kind: 'execution',
        at: clock.now(),
        name: e.name,
        status: e.status,
        error: e.error,
        cause: e.cause,
      }),
  });

  // The models bucket is the one that notifies a queue (the access-log bucket does not).
  const bucket = description.notifications[0]?.bucket ?? description.buckets[0]?.name ?? '';
  const localConsole = createConsole({
    description,
    activity,
    stepFunctions,
    sageMaker,
    queues,
    clock,
    clockSpeed: speed,
    bucket,
    eventBusName: eventBusNames[0] ?? 'default',
    eventsLogPath: join(dataDir, 'events.jsonl'),
    region,
    endpoint: () => endpoint,
  });

  const sqsService = createSqsService([...queues.values()], () => endpoint);
  const edge = await startEdge({
    host,
    port,
    s3: {
      ...s3,
      handle: (req, res) => {
        s3Requests.record(req, res);
        return s3.handle(req, res);
      },
    },
    sns,
    onInternalError,
    refuse: requestGuard(() => endpoint),
    console: (req, res, path) => localConsole.handle(req, res, path),
    jsonServices: [
      {
        targetPrefix: SAGEMAKER_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.1',
        handle: (op, input) => sageMaker.handle(op, input),
      },
      {
        targetPrefix: SFN_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.0',
        handle: (op, input) => stepFunctions.handle(op, input),
      },
      {
        targetPrefix: EVENTS_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.1',
        ...createEventBridgeService(
          bus,
          eventBusNames,
          (name) => `arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`,
        ),
      },
      {
        targetPrefix: SQS_TARGET_PREFIX,
        contentType: 'application/x-amz-json-1.0',
        handle: (op, input) => sqsService.handle(op, input),
      },
    ],
    admin: (method, path, body) =>
      admin({
        method,
        path,
        body,
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
      }),
  });
  endpoint = edge.url;

  const clientEnv: Record<string, string> = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  // The functions run in this process: point their SDK clients at the edge before they load.
  Object.assign(process.env, clientEnv, {
    POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? process.env.LOCAL_FUNCTION_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Tracing is off here, but in its automatic mode the X-Ray SDK (which the Powertools tracer
    // loads) installs an async hook that tracks every promise of the process: the whole stack's.
    AWS_XRAY_MANUAL_MODE: 'true',
    POWERTOOLS_DEV: 'true',
  });

  stepFunctions.restore(() => 'restart');

  const sources: EventSource[] = description.functions.flatMap((fn) =>
    fn.sqs.map((source) =>
      startEventSource({
        queue: createQueue(source.queueLogicalId),
        region,
        batchSize: source.batchSize,
        concurrency: options.pollerConcurrency ?? 2,
        invoke: (event) => lambda.invoke(fn.key, event),
        onBatch: (info) =>
          emit({ kind: 'batch', at: clock.now(), functionKey: fn.key, size: info.size, failed: info.failed }),
      }),
    ),
  );

  return {
    endpoint,
    port: edge.port,
    region,
    stage,
    accountId: LOCAL_ACCOUNT_ID,
    dataDir,
    bucket,
    eventBusName: eventBusNames[0] ?? 'default',
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
      for (const store of queueStores) store.flush();
    },
  };
}

/** The stack's clock, whose start instant persists so a restart continues the same time line. */
function persistentClock(path: string, speed: number): Clock {
  let start = Date.now();
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { start: number; speed: number };
    if (saved.speed === speed) start = saved.start;
  }
  writeFileSync(path, JSON.stringify({ start, speed }));
  return compressedClock(speed, start);
}

async function admin(request: {
  method: string;
  path: string;
  body: unknown;
  sageMaker: SageMakerEmulator;
  stepFunctions: StepFunctionsService;
  bus: LocalBus;
  queues: Map<string, LocalQueue>;
  clock: Clock;
  speed: number;
  stage: string;
  memory: PeakTracker;
  s3Requests: S3RequestLog;
  /** The stack's own counters, for `/_local/stats`. */
  stats: () => Record<string, unknown>;
}): Promise<{ statusCode: number; body: unknown }> {
  const { method, path, body } = request;
  const route = `${method} ${path}`;
  try {
    switch (route) {
      case 'GET /_local/health':
        // The clock lets clients (model-opt) compare the stack's simulated times with "now".
        return {
          statusCode: 200,
          body: {
            status: 'running',
            stage: request.stage,
            now: new Date(request.clock.now()).toISOString(),
            clockSpeed: request.speed,
          },
        };
      case 'GET /_local/stats': {
        const memory = process.memoryUsage();
        // maxRSS is in kibibytes.
        const peak = process.resourceUsage().maxRSS * 1024;
        const windows = request.memory.windows();
        return {
          statusCode: 200,
          body: {
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            maxRss: peak,
            sampledPeakRss: request.memory.peak(),
            jobs: [
              ...windows.closed.map((w) => ({ jobName: w.name, peakRss: w.peakRss, running: false })),
              ...windows.open.map((w) => ({ jobName: w.name, peakRss: w.peakRss, running: true })),
            ],
            openFiles: openFiles(),
            ...request.stats(),
          },
        };
      }
      case 'POST /_local/stats/reset-peak':
        request.memory.resetPeak();
        return { statusCode: 200, body: { sampledPeakRss: request.memory.peak() } };
      case 'GET /_local/s3/requests':
        return { statusCode: 200, body: { requests: request.s3Requests.list() } };
      case 'DELETE /_local/s3/requests':
        request.s3Requests.clear();
        return { statusCode: 200, body: { cleared: true } };
      case 'GET /_local/queues':
        return {
          statusCode: 200,
          body: Object.fromEntries([...request.queues.values()].map((q) => [q.name, q.stats()])),
        };
      case 'POST /_local/faults': {
        const { service, ...spec } = faultInput(body);
        const target =
          service === 'sagemaker'
            ? request.sageMaker.faults
            : service === 'stepfunctions'
              ? request.stepFunctions.faults
              : service === 'eventbridge'
                ? request.bus.faults.requests
                : undefined;
        if (!target)
          return {
            statusCode: 400,
            body: { message: 'service must be sagemaker, stepfunctions or eventbridge' },
          };
        return { statusCode: 200, body: { id: target.inject(spec) } };
      }
      case 'POST /_local/faults/eventbridge-failed-entries':
        request.bus.faults.failedEntries.set(failedEntriesInput(body));
        return { statusCode: 200, body: { failedEntries: request.bus.faults.failedEntries.get() ?? null } };
      case 'POST /_local/sagemaker/outcomes':
        return {
          statusCode: 200,
          body: { id: request.sageMaker.faults.overrideOutcome(outcomeInput(body)) },
        };
      case 'DELETE /_local/faults':
        request.sageMaker.faults.clear();
        request.stepFunctions.faults.clear();
        request.bus.faults.requests.clear();
        request.bus.faults.failedEntries.set(undefined);
        return { statusCode: 200, body: { cleared: true } };
      default:
        return { statusCode: 404, body: { message: `no admin route ${route}` } };
    }
  } catch (error) {
    return { statusCode: 400, body: { message: (error as Error).message } };
  }
}

/** File descriptors the process holds (sockets included), where the platform tells (Linux). */
function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}
