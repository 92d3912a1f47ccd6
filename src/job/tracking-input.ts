/**
 * The input of a tracking execution (statemachines/track-optimization-job.asl.json): everything
 * the state machine needs to describe the job and to put its events, so it reads no config.
 * It is a pure function of the drop, so a redelivered drop sends the same input and Step
 * Functions treats the second StartExecution as the same execution.
 */
import type { ModelRef } from '../events/contract';
import type { Technique } from './api-limits';

export interface TrackingInput {
  schemaVersion: string;
  stage: string;
  eventBusName: string;
  jobName: string;
  jobArn: string;
  model: ModelRef;
  deploymentInstanceType: string;
  techniques: Technique[];
  outputS3Uri: string;
  /** The job's own StoppingCondition.MaxRuntimeInSeconds; the tracker adds a grace period. */
  maxRuntimeInSeconds: number;
  /** When S3 saw the upload (the notification's eventTime). */
  droppedAt: string;
}
