/**
 * A small fake of the three services the tracking state machine calls, speaking their wire
 * protocol (awsJson1_1 for SageMaker and EventBridge, awsJson1_0 for Step Functions) so the
 * real SDK clients talk to it. Jobs follow a scripted timeline on the test's clock. Faults are
 * injected per operation. The full SageMaker emulator of the local stack will replace it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executionArnFor } from '../src/execution-arn';

export type FinalStatus = 'COMPLETED' | 'FAILED' | 'STOPPED';

export interface FakeJobSpec {
  name: string;
  /** When the job leaves STARTING for INPROGRESS. Default: created + 60 s. */
  startsAt?: Date;
  /** When the job reaches its final status; undefined runs until stopped. */
  endsAt?: Date;
  finalStatus?: FinalStatus;
  failureReason?: string;
  maxRuntimeInSeconds?: number;
  recommendedInferenceImage?: string;
  /** How long STOPPING lasts after StopOptimizationJob. Default 90 s. */
  stopDelayMs?: number;
  /**
   * The race: the job completes just as StopOptimizationJob arrives, so the stop is refused
   * (`ValidationException`, the job is no longer stoppable).
   */
  completesWhenStopped?: boolean;
}

interface FakeJob
  extends Required<
    Omit<FakeJobSpec, 'endsAt' | 'failureReason' | 'recommendedInferenceImage' | 'completesWhenStopped'>
  > {
  completesWhenStopped?: boolean;
  arn: string;
  createdAt: Date;
  endsAt?: Date;
  failureReason?: string;
  recommendedInferenceImage?: string;
  stopRequestedAt?: Date;
}

/** An error answer: HTTP status and the `__type` of the awsJson error body. */
export interface ErrorFault {
  status: number;
  type: string;
  message?: string;
}
/** PutEvents answers 200 but reports every entry failed (`FailedEntryCount > 0`). */
export interface FailedEntryFault {
  failedEntry: { code: string; message: string };
}
export type Fault = ErrorFault | FailedEntryFault;

export interface PutEvent {
  at: Date;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
}

export interface Call {
  target: string;
  at: Date;
  status: number;
}

export interface StartedExecution {
  at: Date;
  stateMachineArn: string;
  name: string;
  executionArn: string;
  input: unknown;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const epoch = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

export class FakeAws {
  readonly jobs = new Map<string, FakeJob>();
  readonly events: PutEvent[] = [];
  readonly calls: Call[] = [];
  readonly executions: StartedExecution[] = [];
  /** How executions the test ran ended, by ARN: DescribeExecution answers from it. */
  readonly executionEnds = new Map<string, { status: string; output?: unknown }>();
  private readonly faults: { target: string; fault: Fault; times: number; when?: (body: any) => boolean }[] =
    [];

  constructor(private readonly now: () => Date) {}

  /** Adds a job as if CreateOptimizationJob had just been called. */
  addJob(spec: FakeJobSpec): string {
    const createdAt = this.now();
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:optimization-job/${spec.name}`;
    this.jobs.set(spec.name, {
      name: spec.name,
      arn,
      createdAt,
      startsAt: spec.startsAt ?? new Date(createdAt.getTime() + 60_000),
      ...(spec.endsAt && { endsAt: spec.endsAt }),
      finalStatus: spec.finalStatus ?? 'COMPLETED',
      ...(spec.failureReason && { failureReason: spec.failureReason }),
      maxRuntimeInSeconds: spec.maxRuntimeInSeconds ?? 3600,
      ...(spec.recommendedInferenceImage && { recommendedInferenceImage: spec.recommendedInferenceImage }),
      stopDelayMs: spec.stopDelayMs ?? 90_000,
      ...(spec.completesWhenStopped && { completesWhenStopped: true }),
    });
    return arn;
  }

  /**
   * The next `times` calls of `target` (e.g. `SageMaker.DescribeOptimizationJob`) answer with
   * the fault; `when` narrows which requests count (e.g. only a given DetailType).
   */
  inject(target: string, fault: Fault, times = 1, when?: (body: any) => boolean): void {
    this.faults.push({ target, fault, times, ...(when && { when }) });
  }

  /** When the job reached its final status on the fake's timeline, or undefined if it has not. */
  endedAt(name: string): Date | undefined {
    const job = this.jobs.get(name);
    return job ? this.terminal(job)?.at : undefined;
  }

  private terminal(job: FakeJob): { status: FinalStatus; at: Date } | undefined {
    const now = this.now().getTime();
    const stopAt = job.stopRequestedAt && job.stopRequestedAt.getTime() + job.stopDelayMs;
    if (job.endsAt && job.endsAt.getTime() <= now && (!stopAt || job.endsAt.getTime() <= stopAt)) {
      return { status: job.finalStatus, at: job.endsAt };
    }
    if (stopAt !== undefined && stopAt <= now) return { status: 'STOPPED', at: new Date(stopAt) };
    return undefined;
  }

  private status(job: FakeJob): string {
    const ended = this.terminal(job);
    if (ended) return ended.status;
    if (job.stopRequestedAt) return 'STOPPING';
    return this.now() < job.startsAt ? 'STARTING' : 'INPROGRESS';
  }

  /** Answers one awsJson request: the operation from `x-amz-target`, the JSON body. */
  handle(target: string, body: any): { status: number; body: unknown } {
    const index = this.faults.findIndex((f) => f.target === target && (!f.when || f.when(body)));
    const injected = index >= 0 ? this.faults[index] : undefined;
    if (injected) {
      injected.times -= 1;
      if (injected.times <= 0) this.faults.splice(index, 1);
    }
    const answer = this.answer(target, body, injected?.fault);
    this.calls.push({ target, at: this.now(), status: answer.status });
    return answer;
  }

  private answer(target: string, body: any, fault: Fault | undefined): { status: number; body: unknown } {
    if (fault && 'status' in fault) {
      return { status: fault.status, body: { __type: fault.type, message: fault.message ?? fault.type } };
    }
    switch (target) {
      case 'SageMaker.DescribeOptimizationJob':
        return this.describe(body.OptimizationJobName);
      case 'SageMaker.StopOptimizationJob':
        return this.stop(body.OptimizationJobName);
      case 'AWSEvents.PutEvents':
        return this.putEvents(body.Entries ?? [], fault);
      case 'AWSStepFunctions.StartExecution':
        return this.startExecution(body);
      case 'AWSStepFunctions.DescribeExecution':
        return this.describeExecution(body.executionArn);
      default:
        return { status: 400, body: { __type: 'UnknownOperationException', message: target } };
    }
  }

  private notFound(name: string) {
    return {
      status: 400,
      body: { __type: 'ResourceNotFound', message: `Could not find optimization job ${name}` },
    };
  }

  private describe(name: string) {
    const job = this.jobs.get(name);
    if (!job) return this.notFound(name);
    const status = this.status(job);
    const ended = this.terminal(job);
    return {
      status: 200,
      body: {
        OptimizationJobArn: job.arn,
        OptimizationJobName: job.name,
        OptimizationJobStatus: status,
        CreationTime: epoch(job.createdAt),
        LastModifiedTime: epoch(ended?.at ?? this.now()),
        ...(status !== 'STARTING' && { OptimizationStartTime: epoch(job.startsAt) }),
        ...(ended && { OptimizationEndTime: epoch(ended.at) }),
        ...(ended?.status === 'FAILED' && job.failureReason && { FailureReason: job.failureReason }),
        ...(ended?.status === 'STOPPED' && job.failureReason && { FailureReason: job.failureReason }),
        ModelSource: { S3: { S3Uri: `s3://models/models/${job.name}/model.tar.gz` } },
        DeploymentInstanceType: 'ml.g5.2xlarge',
        OptimizationConfigs: [{ ModelQuantizationConfig: {} }],
        OutputConfig: { S3OutputLocation: `s3://models/optimized/${job.name}/` },
        ...(ended?.status === 'COMPLETED' && {
          OptimizationOutput: job.recommendedInferenceImage
            ? { RecommendedInferenceImage: job.recommendedInferenceImage }
            : {},
        }),
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/sagemaker`,
        StoppingCondition: { MaxRuntimeInSeconds: job.maxRuntimeInSeconds },
      },
    };
  }

  private stop(name: string) {
    const job = this.jobs.get(name);
    if (!job) return this.notFound(name);
    if (job.completesWhenStopped && !job.stopRequestedAt && !this.terminal(job)) job.endsAt = this.now();
    if (this.terminal(job)) {
      return {
        status: 400,
        body: { __type: 'ValidationException', message: `job ${name} is not stoppable` },
      };
    }
    job.stopRequestedAt ??= this.now();
    return { status: 200, body: {} };
  }

  private putEvents(entries: any[], fault: Fault | undefined) {
    const results = entries.map((entry) => {
      if (fault && 'failedEntry' in fault) {
        return { ErrorCode: fault.failedEntry.code, ErrorMessage: fault.failedEntry.message };
      }
      this.events.push({
        at: this.now(),
        eventBusName: entry.EventBusName,
        source: entry.Source,
        detailType: entry.DetailType,
        detail: JSON.parse(entry.Detail),
        resources: entry.Resources ?? [],
      });
      return { EventId: randomUUID() };
    });
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    return { status: 200, body: { FailedEntryCount: failed, Entries: results } };
  }

  private startExecution(body: { stateMachineArn: string; name?: string; input?: string }) {
    const name = body.name ?? randomUUID();
    const executionArn = executionArnFor(body.stateMachineArn, name);
    const input = body.input === undefined ? {} : JSON.parse(body.input);
    const existing = this.executions.find((e) => e.executionArn === executionArn);
    if (existing && JSON.stringify(existing.input) !== JSON.stringify(input)) {
      return {
        status: 400,
        body: { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${executionArn}'` },
      };
    }
    const at = existing?.at ?? this.now();
    if (!existing)
      this.executions.push({ at, stateMachineArn: body.stateMachineArn, name, executionArn, input });
    return { status: 200, body: { executionArn, startDate: epoch(at) } };
  }

  /**
   * An execution's status: how it ended when the test recorded it (executionEnds), RUNNING when
   * it was started but has not ended, else ExecutionDoesNotExist.
   */
  private describeExecution(executionArn: string) {
    const ended = this.executionEnds.get(executionArn);
    const started = this.executions.find((e) => e.executionArn === executionArn);
    if (!ended && !started) {
      return {
        status: 400,
        body: { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${executionArn}'` },
      };
    }
    return {
      status: 200,
      body: {
        executionArn,
        status: ended?.status ?? 'RUNNING',
        startDate: epoch(started?.at ?? this.now()),
        ...(ended?.output !== undefined && { output: JSON.stringify(ended.output) }),
      },
    };
  }

  /** Serves the fake on 127.0.0.1, on a free port. */
  async listen(): Promise<{ endpoint: string; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const { status, body, headers } = this.respond(req.headers, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, headers);
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
    };
  }

  /**
   * The same fake as an SDK request handler, without sockets: what the benchmark uses to run
   * tens of thousands of polls quickly. Pass it as a client's `requestHandler`.
   */
  requestHandler() {
    return {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const text =
          typeof request.body === 'string'
            ? request.body
            : Buffer.from((request.body as Uint8Array) ?? []).toString('utf8');
        const { status, body, headers } = this.respond(request.headers, text);
        return { response: { statusCode: status, headers, body: Buffer.from(body) } };
      },
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
      destroy: () => {},
    };
  }

  private respond(headers: IncomingHttpHeaders | Record<string, string>, text: string) {
    const target = String(headers['x-amz-target'] ?? '');
    const contentType = String(headers['content-type'] ?? 'application/x-amz-json-1.1');
    const { status, body } = this.handle(target, text ? JSON.parse(text) : {});
    return {
      status,
      body: JSON.stringify(body),
      headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID() },
    };
  }
}
