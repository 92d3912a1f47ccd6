/**
 * The SageMaker optimization-job emulator: Create/Describe/List/Stop/DeleteOptimizationJob with
 * AWS's validation and errors, jobs that really read their model and write their output, on a
 * (possibly compressed) clock, with fault injection and an optional state file.
 *
 * Status is brought up to date whenever a job is read (its next transition follows from its
 * timestamps) and also by timers, so outputs appear even when nobody polls. Each job's
 * transitions run one at a time, in order.
 */
import type { CreateOptimizationJobResponse } from '@aws-sdk/client-sagemaker';
import { FAILURE_REASON_MAX_LENGTH, type OptimizationJobStatusName } from '../../src/sagemaker-api/limits';
import { AwsServiceError, validationError } from '../protocol/aws-error';
import { type CancelTimer, type Clock, compressedClock } from '../time/clock';
import { recommendedInferenceImage } from './inference-image';
import { FaultController, type FaultSpec } from './job-faults';
import { describeJob, isTerminal, type JobRecord, jobName } from './job-record';
import { inspectSource, type JobWorkContext, writeOutputs } from './job-work';
import { DEFAULT_DURATIONS, type JobDurations, nextTransition, type Transition } from './lifecycle';
import { listJobs } from './list-jobs';
import { ModelSourceError } from './model-source';
import {
  describeModel,
  listModels,
  type ModelRecord,
  modelExists,
  modelNotFound,
  modelOfJob,
} from './models';
import { InMemoryObjectStore, type ObjectStore } from './object-store';
import { UnsupportedOptimizationError } from './optimization-rules';
import {
  validateCreateRequest,
  validateJobNameRequest,
  validateListModelsRequest,
  validateListRequest,
  validateModelNameRequest,
} from './request-rules';
import { JobStateFile, loadState } from './state-file';

/** The account every emulated resource belongs to. */
export const EMULATOR_ACCOUNT_ID = '000000000000';

/** The operations the emulator implements. */
export const SAGEMAKER_OPERATIONS = [
  'CreateOptimizationJob',
  'DescribeOptimizationJob',
  'ListOptimizationJobs',
  'StopOptimizationJob',
  'DeleteOptimizationJob',
  'DescribeModel',
  'ListModels',
] as const;

/** A job status change, as reported to {@link SageMakerEmulatorOptions.onStatusChange}. */
export interface JobStatusChange {
  name: string;
  arn: string;
  previousStatus: OptimizationJobStatusName | undefined;
  status: OptimizationJobStatusName;
  /** Simulated time of the change. */
  at: Date;
  failureReason?: string;
}

/** Options of {@link createSageMakerEmulator}; all optional. */
export interface SageMakerEmulatorOptions {
  /** Where models are read and outputs written. Default: a fresh {@link InMemoryObjectStore}. */
  objectStore?: ObjectStore;
  /** Region in ARNs and recommended image URIs. Default `us-east-1`. */
  region?: string;
  /** Default: real time (`compressedClock(1)`). */
  clock?: Clock;
  /** Phase durations in simulated seconds. Default {@link DEFAULT_DURATIONS}. */
  durations?: Partial<JobDurations>;
  /** Most jobs that may be STARTING, INPROGRESS or STOPPING at once. Default 10. */
  maxConcurrentJobs?: number;
  /** JSON file the jobs are kept in across restarts (e.g. `.local/sagemaker/jobs.json`). */
  stateFile?: string;
  /** Request faults in force from the start (see {@link FaultController.inject}). */
  faults?: FaultSpec[];
  /** Random source of rate-based faults, [0, 1). Default `Math.random`. */
  random?: () => number;
  /**
   * SageMaker model name → S3 URI of its artifacts, for jobs whose source is a SageMakerModel
   * (models that jobs registered are found too).
   */
  sageMakerModels?: Record<string, string>;
  /** Called after every status change (errors it throws are ignored). */
  onStatusChange?: (change: JobStatusChange) => void;
}

/** A running emulator. */
export interface SageMakerEmulator {
  readonly region: string;
  readonly objectStore: ObjectStore;
  /** Fault injection: request errors and job outcome overrides. */
  readonly faults: FaultController;
  /**
   * Runs one operation on its (awsJson-decoded) input and returns its output, with `Date`s for
   * timestamps. Throws {@link AwsServiceError} for every error the API defines.
   */
  handle(operation: string, input: unknown): Promise<unknown>;
  /** Applies every transition that is due; resolves once they are done. */
  settle(): Promise<void>;
  /** How many requests of each operation the emulator was sent (refused ones included). */
  requestCounts(): Record<string, number>;
  /** Stops all timers and waits for work in flight. The emulator answers no more requests. */
  close(): Promise<void>;
}

/** The default of {@link SageMakerEmulatorOptions.maxConcurrentJobs}. */
export const DEFAULT_MAX_CONCURRENT_JOBS = 10;

const NON_TERMINAL: readonly OptimizationJobStatusName[] = ['STARTING', 'INPROGRESS', 'STOPPING'];

const partitionOf = (region: string): string =>
  region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';

const truncateReason = (reason: string): string =>
  reason.length <= FAILURE_REASON_MAX_LENGTH
    ? reason
    : `${reason.slice(0, FAILURE_REASON_MAX_LENGTH - 3)}...`;

class Emulator implements SageMakerEmulator {
  readonly region: string;
  readonly objectStore: ObjectStore;
  readonly faults: FaultController;
  private readonly clock: Clock;
  private readonly durations: JobDurations;
  private readonly maxConcurrentJobs: number;
  private readonly stateFile: JobStateFile | undefined;
  private readonly context: JobWorkContext;
  private readonly onStatusChange: SageMakerEmulatorOptions['onStatusChange'];
  /** Jobs by lower-cased name: like the rest of SageMaker, names are unique regardless of case. */
  private readonly jobs = new Map<string, JobRecord>();
  /** Models that jobs registered (OutputConfig.SageMakerModel), by lower-cased name. */
  private readonly models = new Map<string, ModelRecord>();
  private readonly queues = new Map<JobRecord, Promise<void>>();
  private readonly timers = new Map<JobRecord, CancelTimer>();
  /** Jobs reading their model or writing their output right now: minutes, for a large model. */
  private readonly working = new Set<JobRecord>();
  private closed = false;
  private readonly requests = new Map<string, number>();

  constructor(options: SageMakerEmulatorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.objectStore = options.objectStore ?? new InMemoryObjectStore();
    this.clock = options.clock ?? compressedClock(1);
    this.durations = { ...DEFAULT_DURATIONS, ...options.durations };
    this.maxConcurrentJobs = options.maxConcurrentJobs ?? DEFAULT_MAX_CONCURRENT_JOBS;
    this.stateFile = options.stateFile
      ? new JobStateFile(
          options.stateFile,
          () => this.jobs.values(),
          () => this.models.values(),
        )
      : undefined;
    this.onStatusChange = options.onStatusChange;
    this.faults = new FaultController({
      ...(options.random && { random: options.random }),
      now: () => this.clock.now(),
    });
    for (const fault of options.faults ?? []) this.faults.inject(fault);
    const given = options.sageMakerModels ?? {};
    this.context = {
      store: this.objectStore,
      region: this.region,
      modelDataOf: (name) => this.models.get(name.toLowerCase())?.modelDataUri ?? given[name],
    };
    if (options.stateFile) {
      const saved = loadState(options.stateFile);
      for (const model of saved.models) this.models.set(model.name.toLowerCase(), model);
      for (const job of saved.jobs) this.jobs.set(jobName(job).toLowerCase(), job);
      // Resume: apply what fell due while the emulator was down, then wait for the rest.
      for (const job of this.jobs.values()) this.settleInBackground(job);
    }
  }

  async handle(operation: string, input: unknown): Promise<unknown> {
    if (!(SAGEMAKER_OPERATIONS as readonly string[]).includes(operation)) {
      throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    }
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
    if (this.closed) throw new AwsServiceError('ServiceUnavailable', 'The emulator has been closed', 503);
    this.faults.check(operation, input);
    switch (operation as (typeof SAGEMAKER_OPERATIONS)[number]) {
      case 'CreateOptimizationJob':
        return this.create(input);
      case 'DescribeOptimizationJob':
        return this.describe(input);
      case 'ListOptimizationJobs':
        return this.list(input);
      case 'StopOptimizationJob':
        return this.stop(input);
      case 'DeleteOptimizationJob':
        return this.delete(input);
      case 'DescribeModel':
        return this.describeModel(input);
      case 'ListModels':
        return this.listModels(input);
    }
  }

  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.requests);
  }

  async settle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((job) => this.settleJob(job)));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await Promise.all(this.queues.values());
    this.stateFile?.compact();
  }

  private async create(input: unknown): Promise<CreateOptimizationJobResponse> {
    const request = validateCreateRequest(input);
    const name = request.OptimizationJobName as string;
    // Only jobs that have not ended can change the quota count; with a thousand jobs, settling
    // every one on each (often refused) create was most of the emulator's work.
    await Promise.all(
      [...this.jobs.values()].filter((job) => !isTerminal(job.status)).map((job) => this.catchUp(job)),
    );
    const existing = this.jobs.get(name.toLowerCase());
    if (existing) {
      throw new AwsServiceError(
        'ResourceInUse',
        `Optimization job names must be unique within an AWS account and region, and an optimization job with this name already exists (${existing.arn})`,
      );
    }
    const running = [...this.jobs.values()].filter((job) => NON_TERMINAL.includes(job.status)).length;
    if (running >= this.maxConcurrentJobs) {
      throw new AwsServiceError(
        'ResourceLimitExceeded',
        `The account-level service limit 'Maximum number of concurrent optimization jobs' is ${this.maxConcurrentJobs} Jobs, with current utilization of ${running} Jobs and a request delta of 1 Jobs. Please use AWS Service Quotas to request an increase for this quota.`,
      );
    }
    const now = this.clock.now();
    // SageMaker ARNs carry the resource name in lower case.
    const arn = `arn:${partitionOf(this.region)}:sagemaker:${this.region}:${EMULATOR_ACCOUNT_ID}:optimization-job/${name.toLowerCase()}`;
    const job: JobRecord = {
      request,
      arn,
      status: 'STARTING',
      creationTime: now,
      lastModifiedTime: now,
      outcome: this.faults.resolveOutcome(request),
    };
    this.jobs.set(name.toLowerCase(), job);
    this.changed(job, undefined);
    this.schedule(job);
    return { OptimizationJobArn: arn };
  }

  private async describe(input: unknown) {
    const job = this.find(validateJobNameRequest(input));
    await this.catchUp(job);
    this.assertExists(job);
    return describeJob(job);
  }

  private async list(input: unknown) {
    const query = validateListRequest(input);
    await Promise.all([...this.jobs.values()].map((job) => this.catchUp(job)));
    return listJobs(this.jobs.values(), query);
  }

  /** DescribeModel. Jobs that are due to complete do so first, so their model is there. */
  private async describeModel(input: unknown) {
    const name = validateModelNameRequest(input);
    await this.settleRunning();
    const model = this.models.get(name.toLowerCase());
    if (!model) throw modelNotFound(this.modelArn(name));
    return describeModel(model);
  }

  private async listModels(input: unknown) {
    const query = validateListModelsRequest(input);
    await this.settleRunning();
    return listModels(this.models.values(), query);
  }

  /** Brings every job that has not ended up to date (only those can still register a model). */
  private async settleRunning(): Promise<void> {
    await Promise.all(
      [...this.jobs.values()].filter((job) => !isTerminal(job.status)).map((job) => this.catchUp(job)),
    );
  }

  /** A model's ARN: like a job's, with the name in lower case. */
  private modelArn(name: string): string {
    return `arn:${partitionOf(this.region)}:sagemaker:${this.region}:${EMULATOR_ACCOUNT_ID}:model/${name.toLowerCase()}`;
  }

  /**
   * Registers the model a completing job asked for (OutputConfig.SageMakerModel), with the image
   * and model data the job reports. Returns a FailureReason when the name is taken by a model
   * the job did not create (one it created before a restart is its own).
   */
  private registerModel(job: JobRecord, at: number): string | undefined {
    const output = job.request.OutputConfig;
    const name = output?.SageMakerModel?.ModelName;
    if (!output || !name) return undefined;
    const existing = this.models.get(name.toLowerCase());
    if (existing)
      return existing.createdBy === job.arn ? undefined : `ClientError: ${modelExists(existing.arn)}`;
    const model = modelOfJob(
      {
        arn: job.arn,
        roleArn: job.request.RoleArn,
        environment: job.request.OptimizationEnvironment,
      },
      output,
      job.recommendedInferenceImage ?? '',
      this.modelArn(name),
      at,
    );
    if (!model) return undefined;
    this.models.set(name.toLowerCase(), model);
    this.stateFile?.modelCreated(model);
    return undefined;
  }

  private async stop(input: unknown): Promise<Record<string, never>> {
    const job = this.find(validateJobNameRequest(input));
    await this.enqueue(job, async () => {
      await this.advance(job);
      this.assertExists(job);
      // Our reading of AWS: stopping a job that already ended is a client error, not a no-op.
      if (isTerminal(job.status)) {
        throw validationError(
          `Optimization job ${jobName(job)} cannot be stopped because its status is ${job.status}.`,
        );
      }
      if (job.status === 'STOPPING') return;
      if (job.outcome?.completesOnStop) {
        // The override's race: the job completes as the stop arrives, which is then refused.
        const now = Math.max(this.clock.now(), job.lastModifiedTime);
        if (job.status === 'STARTING') {
          job.startTime = now;
          this.transition(job, 'INPROGRESS', now);
        }
        await this.apply(job, { kind: 'complete', at: now });
        this.schedule(job);
        throw validationError(
          `Optimization job ${jobName(job)} cannot be stopped because its status is ${job.status}.`,
        );
      }
      const previous = job.status;
      const now = Math.max(this.clock.now(), job.lastModifiedTime);
      job.status = 'STOPPING';
      job.stopRequestedTime = now;
      job.lastModifiedTime = now;
      this.changed(job, previous);
      this.schedule(job);
    });
    return {};
  }

  private async delete(input: unknown): Promise<Record<string, never>> {
    const job = this.find(validateJobNameRequest(input));
    await this.enqueue(job, async () => {
      await this.advance(job);
      this.assertExists(job);
      // As DeleteCompilationJob documents: only a finished job can be deleted; stop it first.
      if (!isTerminal(job.status)) {
        throw validationError(
          `Optimization job ${jobName(job)} cannot be deleted because its status is ${job.status}. Stop the job and delete it once its status is STOPPED.`,
        );
      }
      this.jobs.delete(jobName(job).toLowerCase());
      this.timers.get(job)?.();
      this.timers.delete(job);
      this.stateFile?.deleted(jobName(job));
    });
    return {};
  }

  private find(name: string): JobRecord {
    const job = this.jobs.get(name.toLowerCase());
    if (!job) throw notFound(name);
    return job;
  }

  /** Throws ResourceNotFound if `job` was deleted while a request waited for it. */
  private assertExists(job: JobRecord): void {
    if (this.jobs.get(jobName(job).toLowerCase()) !== job) throw notFound(jobName(job));
  }

  /** Runs `task` after everything already queued for `job`. */
  private enqueue<T>(job: JobRecord, task: () => Promise<T>): Promise<T> {
    const result = (this.queues.get(job) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(job, tail);
    void tail.then(() => {
      if (this.queues.get(job) === tail) this.queues.delete(job);
    });
    return result;
  }

  private settleJob(job: JobRecord): Promise<void> {
    return this.enqueue(job, () => this.advance(job));
  }

  /**
   * Settles a job for a read, unless it is reading its model or writing its output: then the
   * read answers with the status it has (STARTING or INPROGRESS) instead of waiting, as
   * SageMaker answers while a job downloads or uploads.
   */
  private catchUp(job: JobRecord): Promise<void> {
    return this.working.has(job) ? Promise.resolve() : this.settleJob(job);
  }

  /** Runs a job's object-store work, marked so that reads of the job do not wait for it. */
  private async work<T>(job: JobRecord, task: () => Promise<T>): Promise<T> {
    this.working.add(job);
    try {
      return await task();
    } finally {
      this.working.delete(job);
    }
  }

  /** Settles a job that no request waits for; a failure (e.g. writing the state file) is logged. */
  private settleInBackground(job: JobRecord): void {
    this.settleJob(job).catch((error: unknown) => {
      console.error(`SageMaker emulator: could not advance optimization job ${jobName(job)}:`, error);
    });
  }

  /** Applies the job's transitions that are due. Call only from the job's queue. */
  private async advance(job: JobRecord): Promise<void> {
    for (;;) {
      if (this.closed || this.jobs.get(jobName(job).toLowerCase()) !== job) return;
      const next = nextTransition(job, this.durations);
      if (!next || next.at > this.clock.now()) break;
      await this.apply(job, next);
    }
    this.schedule(job);
  }

  private async apply(job: JobRecord, transition: Transition): Promise<void> {
    const at = transition.at;
    switch (transition.kind) {
      case 'start': {
        let failure: string | undefined;
        if (!job.outcome) {
          try {
            job.source = await this.work(job, () => inspectSource(this.context, job));
          } catch (error) {
            failure = failureReason(error);
          }
          if (this.closed) return;
        }
        job.startTime = at;
        this.transition(job, 'INPROGRESS', at);
        if (failure !== undefined) this.finish(job, 'FAILED', at, failure);
        return;
      }
      case 'complete': {
        if (job.outcome) {
          // An overridden job read no model, so it writes no output; it reports the image AWS would.
          job.recommendedInferenceImage = recommendedInferenceImage(
            this.region,
            job.request.DeploymentInstanceType ?? '',
          );
          this.finish(job, 'COMPLETED', at);
          return;
        }
        try {
          if (!job.outputWritten) {
            job.recommendedInferenceImage = await this.work(job, () => writeOutputs(this.context, job, at));
            if (this.closed) return;
            job.outputWritten = true;
          }
          const refused = this.registerModel(job, at);
          if (refused !== undefined) this.finish(job, 'FAILED', at, refused);
          else this.finish(job, 'COMPLETED', at);
        } catch (error) {
          if (this.closed) return;
          this.finish(job, 'FAILED', at, failureReason(error));
        }
        return;
      }
      case 'fail':
        this.finish(job, 'FAILED', at, transition.reason);
        return;
      case 'timeout':
        this.finish(
          job,
          'FAILED',
          at,
          `ClientError: The optimization job exceeded its MaxRuntimeInSeconds (${transition.maxRuntimeSeconds}) and was ended.`,
        );
        return;
      case 'stopped':
        this.finish(job, 'STOPPED', at);
        return;
    }
  }

  private finish(job: JobRecord, status: OptimizationJobStatusName, at: number, reason?: string): void {
    job.endTime = at;
    if (reason !== undefined) job.failureReason = truncateReason(reason);
    this.transition(job, status, at);
  }

  private transition(job: JobRecord, status: OptimizationJobStatusName, at: number): void {
    const previous = job.status;
    job.status = status;
    job.lastModifiedTime = Math.max(at, job.lastModifiedTime);
    this.changed(job, previous);
  }

  /** Persists the jobs and reports the status change. */
  private changed(job: JobRecord, previousStatus: OptimizationJobStatusName | undefined): void {
    this.stateFile?.changed(job);
    try {
      this.onStatusChange?.({
        name: jobName(job),
        arn: job.arn,
        previousStatus,
        status: job.status,
        at: new Date(job.lastModifiedTime),
        ...(job.failureReason === undefined ? {} : { failureReason: job.failureReason }),
      });
    } catch {
      // A listener's failure must not break the job.
    }
  }

  /** Sets a timer for the job's next transition, replacing any earlier one. */
  private schedule(job: JobRecord): void {
    this.timers.get(job)?.();
    this.timers.delete(job);
    const next = nextTransition(job, this.durations);
    if (!next || this.closed) return;
    const cancel = this.clock.setTimeout(() => {
      this.timers.delete(job);
      this.settleInBackground(job);
    }, next.at - this.clock.now());
    this.timers.set(job, cancel);
  }
}

const notFound = (name: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFound', `Could not find optimization job '${name}'.`);

/** The FailureReason for an error met while a job works: the model's fault, or ours. */
function failureReason(error: unknown): string {
  if (error instanceof ModelSourceError) return `ClientError: ${error.message}`;
  if (error instanceof UnsupportedOptimizationError) return error.message;
  return `InternalServerError: ${(error as Error)?.message ?? String(error)}`;
}

/** Creates an emulator; with a state file, it loads the jobs saved there and resumes them. */
export function createSageMakerEmulator(options: SageMakerEmulatorOptions = {}): SageMakerEmulator {
  return new Emulator(options);
}
