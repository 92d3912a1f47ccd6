/**
 * The input of a tracking execution (statemachines/track-optimization-job.asl.json): everything
 * the state machine needs to describe the job and to put its events, so it reads no config.
 * It is a pure function of the drop and the stage's config, so a redelivered drop sends the
 * same input and Step Functions treats the second StartExecution as the same execution.
 */
import * as z from 'zod';
import { modelRefSchema, rejectedDetailSchema } from '../events/contract';
import {
  DEPLOYMENT_INSTANCE_TYPES,
  MAX_RUNTIME_MAX_SECONDS,
  MODEL_NAME_MAX_LENGTH,
  TECHNIQUES,
} from '../sagemaker-api/limits';
import { trackingScheduleSchema } from '../track/schedule';

export const trackingInputSchema = z.object({
  schemaVersion: z.string(),
  stage: z.string().min(1),
  eventBusName: z.string().min(1),
  jobName: z.string().min(1).max(63),
  jobArn: z.string().startsWith('arn:'),
  model: modelRefSchema,
  deploymentInstanceType: z.enum(DEPLOYMENT_INSTANCE_TYPES),
  techniques: z.array(z.enum(TECHNIQUES)).min(1),
  outputS3Uri: z.string().startsWith('s3://'),
  /** The SageMaker model the job registers on completion (`registerModel`), when it registers one. */
  sageMakerModelName: z.string().min(1).max(MODEL_NAME_MAX_LENGTH).optional(),
  /** The job's own StoppingCondition.MaxRuntimeInSeconds; the tracker adds a grace period. */
  maxRuntimeInSeconds: z.number().int().min(1).max(MAX_RUNTIME_MAX_SECONDS),
  /** When S3 saw the upload (the notification's eventTime). */
  droppedAt: z.string(),
  /** How to poll and when to give up: the stage's schedule. */
  tracking: trackingScheduleSchema,
  /** A variant's job: its name and the drop's job name, which every event of the job carries. */
  variant: z.string().min(1).optional(),
  dropJobName: z.string().min(1).max(63).optional(),
});

export type TrackingInput = z.infer<typeof trackingInputSchema>;

/**
 * The input of an execution that only announces a rejected drop: the state machine puts
 * `rejection` as the `Model Upload Rejected` detail. start-optimization names the execution
 * after the drop (`rejectionExecutionName`), so the event is put once however often the drop
 * is delivered, the way `Started` is.
 */
export const rejectionInputSchema = z.object({
  schemaVersion: z.string(),
  stage: z.string().min(1),
  eventBusName: z.string().min(1),
  rejection: rejectedDetailSchema,
});

export type RejectionInput = z.infer<typeof rejectionInputSchema>;

/**
 * The input of the execution that waits for a drop's variants and puts its one
 * `Model Optimization Variants Settled` (named `<dropJobName>-variants`, settleExecutionName).
 * `model-opt list`/`watch` and the console find a drop's variants here.
 */
export const settleInputSchema = z.object({
  schemaVersion: z.string(),
  stage: z.string().min(1),
  eventBusName: z.string().min(1),
  model: modelRefSchema,
  dropJobName: z.string().min(1).max(63),
  /** In manifest order. */
  variants: z
    .array(
      z.object({
        name: z.string().min(1),
        jobName: z.string().min(1).max(63),
        deploymentInstanceType: z.enum(DEPLOYMENT_INSTANCE_TYPES),
      }),
    )
    .min(1),
  tracking: trackingScheduleSchema,
});

export type SettleInput = z.infer<typeof settleInputSchema>;
