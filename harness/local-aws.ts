/**
 * The local stack's own SageMaker emulator, EventBridge bus and Step Functions service, in
 * process on one virtual clock: what the state-machine tests and `bench:polling` run the real
 * definitions on. The SDK clients reach them over HTTP (`http: true`) or through an in-process
 * request handler (fast enough for the benchmark's tens of thousands of polls).
 *
 * Executions run one at a time, when the harness says so: a StartExecution (by a test or by a
 * Task) records the execution RUNNING, and it runs only once `runChain` reaches it. A virtual
 * clock moves forward with each Wait, so two executions waiting at once would each move the
 * other's time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createLocalBus, type LocalBus } from '../local/eventbridge/bus';
import { createEventBridgeService, EVENTS_TARGET_PREFIX } from '../local/eventbridge/service';
import { type EmulatorHttpResponse, handleAwsJsonRequest } from '../local/protocol/aws-json';
import {
  createSageMakerEmulator,
  handleSageMakerRequest,
  type JobDurations,
  type OutcomeOverride,
  type SageMakerEmulator,
} from '../local/sagemaker';
import {
  type AwsClients,
  type ExecutionReport,
  type LocalLambda,
  localClients,
  type PreparedDefinition,
  prepareDefinition,
  runExecution,
} from '../local/stepfunctions';
import {
  createStepFunctionsService,
  type ExecuteDefinition,
  type ExecutionRecord,
  SFN_TARGET_PREFIX,
  type StepFunctionsService,
} from '../local/stepfunctions/service';
import type { VirtualClock } from '../local/time/clock';
import { executionArnFor } from '../src/execution-arn';
import { readEventsLog } from './bus-events';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** A state machine the Step Functions service knows, by name. */
export interface LocalStateMachineSpec {
  name: string;
  /** ASL text or object. */
  definition: string | object;
}

export interface LocalAwsOptions {
  clock: VirtualClock;
  stateMachines: LocalStateMachineSpec[];
  /** The in-process Lambda functions Tasks invoke, given the clients the Tasks use. */
  lambdas?: (clients: AwsClients) => Record<string, LocalLambda>;
  /** Event buses besides `default`. */
  busNames?: string[];
  /** Uniform in [0, 1): the runner's FULL jitter. Default Math.random. */
  random?: () => number;
  /** Serve the services on 127.0.0.1 and have the Tasks call them over HTTP. Default: in process. */
  http?: boolean;
}

/**
 * A job created through CreateOptimizationJob, its outcome set by the emulator's outcome
 * override: `complete` by default, `hang` to run until stopped.
 */
export interface JobSpec {
  name: string;
  outcome?: OutcomeOverride['outcome'];
  /** FailureReason of a `fail` outcome. */
  reason?: string;
  /** Seconds from creation to the outcome (STARTING lasts `durations.startingSeconds`, 60 s by default). */
  endsAfterSeconds?: number;
  durations?: Partial<JobDurations>;
  completesOnStop?: boolean;
  /** The job's StoppingCondition. Default 3600 s. */
  maxRuntimeInSeconds?: number;
}

/** An event the bus accepted, as its events log keeps it. */
export interface PutEvent {
  at: Date;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
}

export const stateMachineArnOf = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

export class LocalAws {
  readonly sagemaker: SageMakerEmulator;
  readonly bus: LocalBus;
  readonly stepFunctions: StepFunctionsService;
  /** The clients Tasks use (and tests may): over HTTP once started with `http`. */
  clients: AwsClients;
  endpoint?: string;
  private readonly events: ReturnType<typeof createEventBridgeService>;
  private readonly directory = mkdtempSync(join(tmpdir(), 'local-aws-'));
  private readonly eventsLog = join(this.directory, 'events.jsonl');
  private readonly definitions = new Map<string, PreparedDefinition>();
  private lambdas: Record<string, LocalLambda> = {};
  /** Executions started and not yet run, by ARN: releasing one runs it. */
  private readonly held = new Map<string, () => void>();
  /** Every execution started, in order: a chain's next is the first started during its run. */
  private readonly arrivals: string[] = [];
  private readonly reports = new Map<string, ExecutionReport>();
  private closing = false;
  private closeServer?: () => Promise<void>;

  private constructor(private readonly options: LocalAwsOptions) {
    const { clock } = options;
    this.sagemaker = createSageMakerEmulator({ clock, region: REGION });
    const busNames = options.busNames ?? [];
    this.bus = createLocalBus({
      region: REGION,
      accountId: ACCOUNT,
      busNames,
      eventsLogPath: this.eventsLog,
      rules: [],
      now: () => new Date(clock.now()),
    });
    this.events = createEventBridgeService(
      this.bus,
      busNames,
      (name) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`,
    );
    const stateMachines = options.stateMachines.map(({ name, definition }) => {
      const arn = stateMachineArnOf(name);
      this.definitions.set(arn, prepareDefinition(definition));
      return { arn, name, definition: typeof definition === 'string' ? JSON.parse(definition) : definition };
    });
    this.stepFunctions = createStepFunctionsService({
      stateMachines,
      clock,
      execute: (request) => this.execute(request),
    });
    this.clients = this.inProcessClients();
  }

  /** Creates the services and, with `http`, serves them on a free port. */
  static async start(options: LocalAwsOptions): Promise<LocalAws> {
    const local = new LocalAws(options);
    if (options.http) await local.listen();
    local.lambdas = options.lambdas?.(local.clients) ?? {};
    return local;
  }

  /** Creates a job through CreateOptimizationJob, with an outcome override for it alone. */
  async createJob(spec: JobSpec): Promise<string> {
    const startingSeconds = spec.durations?.startingSeconds ?? 60;
    const durations = {
      ...spec.durations,
      ...(spec.endsAfterSeconds !== undefined && {
        inProgressSeconds: spec.endsAfterSeconds - startingSeconds,
      }),
    };
    this.sagemaker.faults.overrideOutcome({
      match: { name: spec.name },
      outcome: spec.outcome ?? 'complete',
      times: 1,
      durations,
      ...(spec.reason !== undefined && { reason: spec.reason }),
      ...(spec.completesOnStop && { completesOnStop: true }),
    });
    const created = (await this.sagemaker.handle('CreateOptimizationJob', {
      OptimizationJobName: spec.name,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/sagemaker`,
      ModelSource: { S3: { S3Uri: `s3://models/models/${spec.name}/model.tar.gz` } },
      DeploymentInstanceType: 'ml.g5.2xlarge',
      OptimizationConfigs: [{ ModelQuantizationConfig: {} }],
      OutputConfig: { S3OutputLocation: `s3://models/optimized/${spec.name}/` },
      StoppingCondition: { MaxRuntimeInSeconds: spec.maxRuntimeInSeconds ?? 3600 },
    })) as { OptimizationJobArn: string };
    return created.OptimizationJobArn;
  }

  /** The events the bus accepted, in order, read from its events log. */
  putEvents(): PutEvent[] {
    return readEventsLog(this.eventsLog).map((event) => ({
      at: new Date(event.time),
      eventBusName: event['event-bus-name'],
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
      resources: event.resources,
    }));
  }

  /** The Step Functions service's execution records, in the order they were started. */
  executions(): ExecutionRecord[] {
    return this.stepFunctions.executions();
  }

  /**
   * Starts an execution through StartExecution (unless it was started and waits to run), runs
   * it, then each execution it started, until none is left or `maxExecutions` have run.
   * Resolves with the runner's report of each, in order.
   */
  async runChain(
    stateMachineName: string,
    name: string,
    input: unknown,
    maxExecutions = Number.POSITIVE_INFINITY,
  ): Promise<ExecutionReport[]> {
    const stateMachineArn = stateMachineArnOf(stateMachineName);
    const executionArn = executionArnFor(stateMachineArn, name);
    if (!this.held.has(executionArn)) await this.startExecution(stateMachineName, name, input);
    const reports: ExecutionReport[] = [];
    let next: string | undefined = executionArn;
    while (next && reports.length < maxExecutions) {
      const seen = this.arrivals.length;
      reports.push(await this.runToEnd(next));
      next = this.arrivals.slice(seen).find((arn) => this.held.has(arn));
    }
    return reports;
  }

  /** StartExecution, as a client would call it; the execution waits until a chain runs it. */
  async startExecution(stateMachineName: string, name: string, input: unknown): Promise<string> {
    const started = (await this.stepFunctions.handle('StartExecution', {
      stateMachineArn: stateMachineArnOf(stateMachineName),
      name,
      input: JSON.stringify(input),
    })) as { executionArn: string };
    return started.executionArn;
  }

  /** Runs one execution that waits to run, and resolves with its report once its record is final. */
  private async runToEnd(executionArn: string): Promise<ExecutionReport> {
    const release = this.held.get(executionArn);
    if (!release) throw new Error(`execution ${executionArn} is not waiting to run`);
    this.held.delete(executionArn);
    release();
    await this.stepFunctions.settled(executionArn);
    const report = this.reports.get(executionArn);
    if (!report) throw new Error(`execution ${executionArn} ended without a report`);
    return report;
  }

  /** The Step Functions service's `execute`: waits for its turn, then runs the runner. */
  private async execute({
    stateMachine,
    execution,
    input,
    signal,
    onStateEntered,
    onTaskSucceeded,
    onStateEvent,
  }: Parameters<ExecuteDefinition>[0]): Promise<unknown> {
    const arn = execution.executionArn;
    this.arrivals.push(arn);
    await new Promise<void>((resolve) => this.held.set(arn, resolve));
    if (this.closing) throw Object.assign(new Error('the harness closed'), { name: 'States.Aborted' });
    const definition = this.definitions.get(stateMachine.arn) as PreparedDefinition;
    const report = await runExecution({
      definition,
      input,
      context: {
        executionArn: arn,
        stateMachineArn: stateMachine.arn,
        startTime: new Date(execution.startDate),
      },
      clients: this.clients,
      lambdas: this.lambdas,
      clock: this.options.clock,
      signal,
      ...(this.options.random && { random: this.options.random }),
      onStateEntered: (state, _at, stateInput, entry) => onStateEntered(state, stateInput, entry),
      onTaskSucceeded,
      ...(onStateEvent && { onStateEvent: (event, at) => onStateEvent(event, at.getTime()) }),
    });
    this.reports.set(arn, report);
    if (report.status === 'SUCCEEDED') return report.output;
    throw Object.assign(new Error(report.error?.Cause ?? 'execution failed'), {
      name: report.error?.Error ?? 'States.Runtime',
    });
  }

  /** Answers one awsJson request by its `x-amz-target`, as the local stack's edge does. */
  respond(target: string | undefined, bodyText: string): Promise<EmulatorHttpResponse> {
    if (target?.startsWith(`${SFN_TARGET_PREFIX}.`)) {
      return handleAwsJsonRequest({
        contentType: 'application/x-amz-json-1.0',
        targetPrefix: SFN_TARGET_PREFIX,
        target,
        bodyText,
        handle: (operation, input) => this.stepFunctions.handle(operation, input),
      });
    }
    if (target?.startsWith(`${EVENTS_TARGET_PREFIX}.`)) {
      return handleAwsJsonRequest({
        contentType: 'application/x-amz-json-1.1',
        targetPrefix: EVENTS_TARGET_PREFIX,
        target,
        bodyText,
        handle: (operation, input) => this.events.handle(operation, input),
      });
    }
    return handleSageMakerRequest(this.sagemaker, target, bodyText);
  }

  /** Serves the services on 127.0.0.1, on a free port, and points the Tasks' clients there. */
  private async listen(): Promise<void> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = request.headers['x-amz-target'];
        void this.respond(
          Array.isArray(target) ? target[0] : target,
          Buffer.concat(chunks).toString('utf8'),
        ).then(({ statusCode, headers, body }) => {
          response.writeHead(statusCode, { ...headers, 'content-length': Buffer.byteLength(body) });
          response.end(body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.clients = localClients({ endpoint: this.endpoint, region: REGION, maxAttempts: 1 });
    this.closeServer = () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
  }

  /** SDK clients whose requests are answered in process, without sockets. */
  private inProcessClients(): AwsClients {
    const requestHandler = {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const text =
          typeof request.body === 'string'
            ? request.body
            : Buffer.from((request.body as Uint8Array) ?? []).toString('utf8');
        const { statusCode, headers, body } = await this.respond(request.headers['x-amz-target'], text);
        return { response: { statusCode, headers, body: Buffer.from(body) } };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
      destroy: () => {},
    };
    const config = {
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: 'http://local-aws.internal',
      maxAttempts: 1,
      requestHandler,
    };
    return {
      sagemaker: new SageMakerClient(config),
      eventbridge: new EventBridgeClient(config),
      sfn: new SFNClient(config),
    };
  }

  /** Ends executions still waiting to run, closes the services and removes the events log. */
  async close(): Promise<void> {
    this.closing = true;
    for (const release of this.held.values()) release();
    this.held.clear();
    await this.stepFunctions.close();
    await this.sagemaker.close();
    await this.closeServer?.();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
