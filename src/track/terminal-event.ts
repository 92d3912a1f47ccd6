/**
 * The detail of the one terminal event of a job, shaped here rather than in the ASL: the
 * duration needs date arithmetic that JSONPath intrinsics cannot do, and the fields present
 * differ by outcome. Every detail is parsed with the contract's schema before it leaves.
 */
import type { DescribeOptimizationJobCommandOutput } from '@aws-sdk/client-sagemaker';
import {
  type CompletedDetail,
  completedDetailSchema,
  DETAIL_TYPES,
  type FailedDetail,
  failedDetailSchema,
  type StoppedDetail,
  stoppedDetailSchema,
} from '../events/contract';
import type { CheckOutcome, TrackingState } from './tracking-state';

/** What every terminal detail shares: the job, the tracking execution, and when it began. */
export interface JobContext {
  state: TrackingState;
  /** The first tracking execution's ARN and start (continuations keep reporting them). */
  executionArn: string;
  startedAt: string;
}

type Publish = Extract<CheckOutcome, { action: 'publish' }>;

function jobFields({ state, executionArn, startedAt }: JobContext) {
  return {
    ...(state.variant && { variant: state.variant }),
    ...(state.dropJobName && { dropJobName: state.dropJobName }),
    schemaVersion: state.schemaVersion,
    stage: state.stage,
    jobName: state.jobName,
    jobArn: state.jobArn,
    executionArn,
    model: state.model,
    deploymentInstanceType: state.deploymentInstanceType,
    techniques: state.techniques,
    startedAt,
  };
}

function endFields(startedAt: string, endedAt: Date) {
  const seconds = Math.round((endedAt.getTime() - Date.parse(startedAt)) / 1000);
  return { endedAt: endedAt.toISOString(), durationSeconds: Math.max(0, seconds) };
}

/** Completed: where the optimized model is, and the image SageMaker recommends for it. */
export function completedEvent(
  context: JobContext,
  job: DescribeOptimizationJobCommandOutput,
  endedAt: Date,
): Publish {
  const recommendedInferenceImage = job.OptimizationOutput?.RecommendedInferenceImage;
  const modelName = job.OutputConfig?.SageMakerModel?.ModelName ?? context.state.sageMakerModelName;
  const detail: CompletedDetail = completedDetailSchema.parse({
    ...jobFields(context),
    ...endFields(context.startedAt, endedAt),
    status: 'COMPLETED',
    output: {
      s3Uri: job.OutputConfig?.S3OutputLocation ?? context.state.outputS3Uri,
      ...(recommendedInferenceImage && { recommendedInferenceImage }),
      ...(modelName && {
        sageMakerModel: { name: modelName, arn: modelArnOf(context.state.jobArn, modelName) },
      }),
    },
  });
  return { action: 'publish', detailType: DETAIL_TYPES.completed, detail };
}

/**
 * The ARN of a model the job registered: the job's partition, region and account, and the name
 * in lower case, as SageMaker writes names in ARNs. Derived rather than described, so the
 * check function needs no DescribeModel permission and no second call that could fail.
 */
export function modelArnOf(jobArn: string, modelName: string): string {
  const [arn, partition, service, region, account] = jobArn.split(':');
  return [arn, partition, service, region, account, `model/${modelName.toLowerCase()}`].join(':');
}

/** Failed, with SageMaker's reason or the tracker's ("job disappeared"). */
export function failedEvent(context: JobContext, failureReason: string, endedAt: Date): Publish {
  const detail: FailedDetail = failedDetailSchema.parse({
    ...jobFields(context),
    ...endFields(context.startedAt, endedAt),
    status: 'FAILED',
    failureReason,
  });
  return { action: 'publish', detailType: DETAIL_TYPES.failed, detail };
}

/** Stopped, saying who stopped it; a timeout says so and after how long. */
export function stoppedEvent(context: JobContext, failureReason: string, endedAt: Date): Publish {
  const detail: StoppedDetail = stoppedDetailSchema.parse({
    ...jobFields(context),
    ...endFields(context.startedAt, endedAt),
    status: 'STOPPED',
    failureReason,
  });
  return { action: 'publish', detailType: DETAIL_TYPES.stopped, detail };
}
