/**
 * What the emulator knows about one optimization job, in a JSON-safe form (it is persisted as
 * is), and the API views of it.
 */
import type {
  CreateOptimizationJobRequest,
  DescribeOptimizationJobResponse,
  OptimizationJobSummary,
} from '@aws-sdk/client-sagemaker';
import {
  type OptimizationJobStatusName,
  TECHNIQUE_MEMBER_NAMES,
  TERMINAL_STATUSES,
} from '../../src/sagemaker-api/limits';
import type { ResolvedOutcome } from './job-faults';
import type { ModelSourceKind } from './model-source';

/** One job. Times are epoch milliseconds of simulated time. */
export interface JobRecord {
  /** The validated create request. */
  request: CreateOptimizationJobRequest;
  arn: string;
  status: OptimizationJobStatusName;
  creationTime: number;
  lastModifiedTime: number;
  startTime?: number;
  endTime?: number;
  stopRequestedTime?: number;
  failureReason?: string;
  /** Set by an outcome override when the job was created. */
  outcome?: ResolvedOutcome;
  /** The model as found when the job left STARTING. */
  source?: { uri: string; kind: ModelSourceKind; files: string[] };
  /** Whether the output objects were written (they are written once). */
  outputWritten?: boolean;
  recommendedInferenceImage?: string;
}

/** The job's name as given at creation. */
export const jobName = (job: JobRecord): string => job.request.OptimizationJobName as string;

/** Whether a status is final (COMPLETED, FAILED, STOPPED). */
export const isTerminal = (status: OptimizationJobStatusName): boolean => TERMINAL_STATUSES.includes(status);

/** The union member names of the job's OptimizationConfigs, in order, each once. */
export function optimizationTypes(request: CreateOptimizationJobRequest): string[] {
  const types = (request.OptimizationConfigs ?? []).flatMap((config) =>
    TECHNIQUE_MEMBER_NAMES.filter(
      (member) => (config as unknown as Record<string, unknown>)[member] !== undefined,
    ),
  );
  return [...new Set(types)];
}

const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

/** The DescribeOptimizationJob response for a job. */
export function describeJob(job: JobRecord): DescribeOptimizationJobResponse {
  const r = job.request;
  const response: DescribeOptimizationJobResponse = {
    OptimizationJobArn: job.arn,
    OptimizationJobStatus: job.status,
    OptimizationStartTime: date(job.startTime),
    OptimizationEndTime: date(job.endTime),
    CreationTime: new Date(job.creationTime),
    LastModifiedTime: new Date(job.lastModifiedTime),
    FailureReason: job.failureReason,
    OptimizationJobName: r.OptimizationJobName,
    ModelSource: r.ModelSource,
    OptimizationEnvironment: r.OptimizationEnvironment,
    DeploymentInstanceType: r.DeploymentInstanceType,
    MaxInstanceCount: r.MaxInstanceCount,
    OptimizationConfigs: r.OptimizationConfigs,
    OutputConfig: r.OutputConfig,
    OptimizationOutput: job.recommendedInferenceImage
      ? { RecommendedInferenceImage: job.recommendedInferenceImage }
      : undefined,
    RoleArn: r.RoleArn,
    StoppingCondition: r.StoppingCondition,
    VpcConfig: r.VpcConfig,
    TrainingPlanArns: r.TrainingPlanArns,
  };
  return Object.fromEntries(
    Object.entries(response).filter(([, v]) => v !== undefined),
  ) as DescribeOptimizationJobResponse;
}

/** The ListOptimizationJobs summary of a job. */
export function summarizeJob(job: JobRecord): OptimizationJobSummary {
  const summary: OptimizationJobSummary = {
    OptimizationJobName: jobName(job),
    OptimizationJobArn: job.arn,
    CreationTime: new Date(job.creationTime),
    OptimizationJobStatus: job.status,
    OptimizationStartTime: date(job.startTime),
    OptimizationEndTime: date(job.endTime),
    LastModifiedTime: new Date(job.lastModifiedTime),
    DeploymentInstanceType: job.request.DeploymentInstanceType,
    MaxInstanceCount: job.request.MaxInstanceCount,
    OptimizationTypes: optimizationTypes(job.request),
  };
  return Object.fromEntries(
    Object.entries(summary).filter(([, v]) => v !== undefined),
  ) as OptimizationJobSummary;
}
