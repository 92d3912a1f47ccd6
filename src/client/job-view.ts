/**
 * Everything known about one job: SageMaker's DescribeOptimizationJob joined with its tracking
 * executions. `watch` polls it; `status` prints it.
 */
import {
  DescribeOptimizationJobCommand,
  type DescribeOptimizationJobResponse,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { TECHNIQUE_MEMBERS, TERMINAL_STATUSES } from '../sagemaker-api/limits';
import { JobNotFoundError } from './errors';
import type { Now } from './target-clock';
import { type Outcome, readTracking, type Tracking } from './tracking';

/** One moment of a job's life (ISO time, what happened). */
export interface TimelineEntry {
  at: string;
  what: string;
}

/** One job as SageMaker and its tracking executions describe it. */
export interface JobView {
  jobName: string;
  jobArn?: string;
  /** SageMaker's status: STARTING, INPROGRESS, COMPLETED, FAILED, STOPPING, STOPPED. */
  status: string;
  /** Set once the job is over: from the pipeline's terminal event, else (tracking broken) from SageMaker. */
  outcome?: Outcome;
  /** The last pipeline event known for the job (Started once tracking runs). */
  lastEvent?: string;
  /** Why there is no terminal event although the job ended. */
  note?: string;
  source: {
    s3Uri?: string;
    key?: string;
    modelId?: string;
    eTag?: string;
    versionId?: string;
    /** The registered model the job optimizes (a manifest's source.sageMakerModel). */
    sageMakerModel?: string;
  };
  settings: {
    deploymentInstanceType?: string;
    techniques: string[];
    environment: Record<string, string>;
    maxRuntimeInSeconds?: number;
  };
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  /** Seconds from creation to the end, or to now while running. */
  elapsedSeconds?: number;
  output?: { s3Uri?: string; recommendedInferenceImage?: string; sageMakerModel?: string };
  failureReason?: string;
  tracking: {
    state: Tracking['state'];
    executions: { name: string; status: string; startedAt?: string; stoppedAt?: string; error?: string }[];
  };
  timeline: TimelineEntry[];
}

const JOB_OUTCOMES: Record<string, Outcome> = {
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  STOPPED: 'Stopped',
};
const MEMBER_TO_TECHNIQUE = Object.fromEntries(Object.entries(TECHNIQUE_MEMBERS).map(([t, m]) => [m, t]));

/**
 * SageMaker's describe, with ResourceNotFound (and a name the API refuses, which no job can
 * have) as {@link JobNotFoundError}.
 */
export async function describeOptimizationJob(
  sageMaker: SageMakerClient,
  jobName: string,
): Promise<DescribeOptimizationJobResponse> {
  try {
    return await sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: jobName }));
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFound')
      throw new JobNotFoundError(jobName, { cause: error });
    throw error;
  }
}

/** Describes a job and its tracking. Throws {@link JobNotFoundError} when SageMaker has no such job. */
export async function viewJob(
  clients: { sageMaker: SageMakerClient; sfn: SFNClient },
  stateMachineArn: string,
  jobName: string,
  now: Now,
): Promise<JobView> {
  const [job, tracking] = await Promise.all([
    describeOptimizationJob(clients.sageMaker, jobName),
    readTracking(clients.sfn, stateMachineArn, jobName),
  ]);
  return joinJob(jobName, job, tracking, now);
}

/** The view of a described job and its tracking. */
export function joinJob(
  jobName: string,
  job: DescribeOptimizationJobResponse,
  tracking: Tracking,
  now: Now,
): JobView {
  const status = job.OptimizationJobStatus ?? 'UNKNOWN';
  const jobOver = (TERMINAL_STATUSES as readonly string[]).includes(status);
  const event = tracking.event;
  const trackingBroken = tracking.state !== 'RUNNING' && tracking.state !== 'PUBLISHED';
  let outcome: Outcome | undefined = event?.outcome;
  let note: string | undefined;
  if (!event && jobOver && trackingBroken) {
    outcome = JOB_OUTCOMES[status] ?? 'Unknown';
    note =
      tracking.state === 'NOT_STARTED'
        ? 'no tracking execution: the pipeline put no terminal event'
        : `tracking ended ${tracking.state} without a terminal event`;
  }
  const created = job.CreationTime;
  const ended = job.OptimizationEndTime;
  const elapsedEnd = ended ?? (jobOver ? job.LastModifiedTime : now());
  const techniques = (job.OptimizationConfigs ?? []).flatMap((config) =>
    Object.keys(config)
      .filter(
        (member) =>
          (config as unknown as Record<string, unknown>)[member] !== undefined && member !== '$unknown',
      )
      .map((member) => MEMBER_TO_TECHNIQUE[member] ?? member),
  );
  const model = tracking.input?.model;
  const executions = tracking.executions.map((e) => ({
    name: e.name,
    status: e.status,
    ...(e.startDate && { startedAt: e.startDate.toISOString() }),
    ...(e.stopDate && { stoppedAt: e.stopDate.toISOString() }),
    ...(e.error && { error: e.cause ? `${e.error}: ${e.cause}` : e.error }),
  }));
  const outputUri =
    event?.detail.output?.s3Uri ?? (status === 'COMPLETED' ? job.OutputConfig?.S3OutputLocation : undefined);
  const image =
    event?.detail.output?.recommendedInferenceImage ?? job.OptimizationOutput?.RecommendedInferenceImage;
  const registered =
    event?.detail.output?.sageMakerModel?.name ??
    (status === 'COMPLETED' ? job.OutputConfig?.SageMakerModel?.ModelName : undefined);
  const failureReason = event?.detail.failureReason ?? job.FailureReason;
  return {
    jobName,
    ...(job.OptimizationJobArn && { jobArn: job.OptimizationJobArn }),
    status,
    ...(outcome && { outcome }),
    ...(event
      ? { lastEvent: event.detailType }
      : tracking.executions.length > 0 && { lastEvent: 'Model Optimization Started' }),
    ...(note && { note }),
    source: {
      s3Uri: job.ModelSource?.S3?.S3Uri ?? model?.s3Uri,
      ...(model?.key && { key: model.key }),
      ...(model?.modelId && { modelId: model.modelId }),
      ...(model?.versionId && { versionId: model.versionId }),
      ...(model?.eTag && { eTag: model.eTag }),
      ...(job.ModelSource?.SageMakerModel?.ModelName && {
        sageMakerModel: job.ModelSource.SageMakerModel.ModelName,
      }),
    },
    settings: {
      ...(job.DeploymentInstanceType && { deploymentInstanceType: job.DeploymentInstanceType }),
      techniques,
      environment: job.OptimizationEnvironment ?? {},
      ...(job.StoppingCondition?.MaxRuntimeInSeconds !== undefined && {
        maxRuntimeInSeconds: job.StoppingCondition.MaxRuntimeInSeconds,
      }),
    },
    ...(created && { createdAt: created.toISOString() }),
    ...(job.OptimizationStartTime && { startedAt: job.OptimizationStartTime.toISOString() }),
    ...(ended && { endedAt: ended.toISOString() }),
    ...(created &&
      elapsedEnd && {
        elapsedSeconds: Math.max(0, Math.round((elapsedEnd.getTime() - created.getTime()) / 1000)),
      }),
    ...((outputUri || image) && {
      output: {
        ...(outputUri && { s3Uri: outputUri }),
        ...(image && { recommendedInferenceImage: image }),
        ...(registered && { sageMakerModel: registered }),
      },
    }),
    ...(failureReason && (status === 'FAILED' || status === 'STOPPED') && { failureReason }),
    tracking: { state: tracking.state, executions },
    timeline: timeline(job, tracking),
  };
}

function timeline(job: DescribeOptimizationJobResponse, tracking: Tracking): TimelineEntry[] {
  const entries: { at: Date | undefined; what: string }[] = [];
  const dropped = tracking.input?.droppedAt ? new Date(tracking.input.droppedAt) : undefined;
  if (dropped && tracking.input?.model?.key)
    entries.push({ at: dropped, what: `uploaded ${tracking.input.model.key}` });
  entries.push({ at: job.CreationTime, what: 'job created (STARTING)' });
  const [first, ...continuations] = tracking.executions;
  if (first) entries.push({ at: first.startDate, what: 'tracking started: Model Optimization Started' });
  entries.push({ at: job.OptimizationStartTime, what: 'optimization started (INPROGRESS)' });
  for (const c of continuations) entries.push({ at: c.startDate, what: `tracking continued in ${c.name}` });
  if (job.OptimizationEndTime)
    entries.push({ at: job.OptimizationEndTime, what: `job ended (${job.OptimizationJobStatus})` });
  const last = tracking.executions.at(-1);
  if (tracking.event && last)
    entries.push({ at: last.stopDate, what: `event: ${tracking.event.detailType}` });
  else if (last && tracking.state !== 'RUNNING')
    entries.push({
      at: last.stopDate,
      what: `tracking ${tracking.state}${last.error ? `: ${last.error}` : ''}`,
    });
  return entries
    .filter((e): e is { at: Date; what: string } => e.at !== undefined && !Number.isNaN(e.at.getTime()))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((e) => ({ at: e.at.toISOString(), what: e.what }));
}
