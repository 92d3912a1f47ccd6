/**
 * Runs the real tracking state machine (statemachines/track-optimization-job.asl.json) on the
 * local stack's emulators (./local-aws), on a virtual clock, following continuations: each
 * execution a Task starts is run next, as Step Functions would.
 */
import { readFileSync } from 'node:fs';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionReport } from '../local/stepfunctions';
import type { VirtualClock } from '../local/time/clock';
import { SCHEMA_VERSION } from '../src/events/contract';
import { settleExecutionName } from '../src/job/job-name';
import type { SettleInput, TrackingInput } from '../src/job/tracking-input';
import { checkOptimizationJob } from '../src/track/check-job';
import { DEFAULT_TRACKING_SCHEDULE, type TrackingSchedule } from '../src/track/schedule';
import { checkVariantsSettled, isSettlePayload } from '../src/track/settle-check';
import { LocalAws, type LocalStateMachineSpec, stateMachineArnOf } from './local-aws';

export const TRACKER_ASL = new URL('../statemachines/track-optimization-job.asl.json', import.meta.url);
export const STATE_MACHINE_NAME = 'model-optimization-pipeline-test-track';
export const STATE_MACHINE_ARN = stateMachineArnOf(STATE_MACHINE_NAME);
/** The bus the tracking input names. */
export const EVENT_BUS = 'model-optimization-pipeline-test';
export const CHECK_FUNCTION = 'model-optimization-pipeline-test-checkOptimizationJob';

/** The states a job that completes without a timeout or a continuation goes through, in order. */
export const HAPPY_PATH = [
  'WhichExecution',
  'PutStartedEvent',
  'FirstPollDelay',
  'CheckJob',
  'Route',
  'PutTerminalEvent',
];

/** The input start-optimization would send for a job of this name. */
export function trackingInput(
  jobName: string,
  {
    maxRuntimeInSeconds = 3600,
    tracking = {},
  }: { maxRuntimeInSeconds?: number; tracking?: Partial<TrackingSchedule> } = {},
): TrackingInput {
  return {
    schemaVersion: SCHEMA_VERSION,
    stage: 'test',
    eventBusName: EVENT_BUS,
    jobName,
    jobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${jobName}`,
    model: {
      bucket: 'models',
      key: `models/${jobName}/model.tar.gz`,
      s3Uri: `s3://models/models/${jobName}/model.tar.gz`,
      modelId: jobName,
    },
    deploymentInstanceType: 'ml.g5.2xlarge',
    techniques: ['quantization'],
    outputS3Uri: `s3://models/optimized/${jobName}/`,
    maxRuntimeInSeconds,
    droppedAt: '2026-01-01T00:00:00.000Z',
    tracking: { checkFunctionName: CHECK_FUNCTION, ...DEFAULT_TRACKING_SCHEDULE, ...tracking },
  };
}

/**
 * The emulators with the tracking state machine (and any `others`), and the check function the
 * definition invokes, as functions/check-optimization-job.ts dispatches it.
 */
export function startTracker({
  clock,
  random,
  http = false,
  others = [],
  checkFunctionName = CHECK_FUNCTION,
}: {
  clock: VirtualClock;
  random?: () => number;
  http?: boolean;
  others?: LocalStateMachineSpec[];
  checkFunctionName?: string;
}): Promise<LocalAws> {
  return LocalAws.start({
    clock,
    http,
    ...(random && { random }),
    busNames: [EVENT_BUS],
    stateMachines: [{ name: STATE_MACHINE_NAME, definition: readFileSync(TRACKER_ASL, 'utf8') }, ...others],
    lambdas: (clients) => {
      const deps = {
        sageMaker: clients.sagemaker as SageMakerClient,
        sfn: clients.sfn as SFNClient,
        now: () => new Date(clock.now()),
      };
      return {
        [checkFunctionName]: (payload: unknown) =>
          isSettlePayload(payload)
            ? checkVariantsSettled(payload, deps)
            : checkOptimizationJob(payload, deps),
      };
    },
  });
}

/**
 * Tracks one job to the end: the execution named after the job, then every continuation it
 * started. Resolves with the report of each execution, in order.
 */
export function trackJob(local: LocalAws, input: TrackingInput): Promise<ExecutionReport[]> {
  return local.runChain(STATE_MACHINE_NAME, input.jobName, input);
}

/**
 * Runs a drop's settle execution (`<dropJobName>-variants`) and its continuations, as
 * start-optimization would start it. Each variant's tracking chain should have been run (or
 * started) before: the settle check finds them through DescribeExecution.
 */
export function settleDrop(
  local: LocalAws,
  input: SettleInput,
  { name = settleExecutionName(input.dropJobName), maxExecutions = Number.POSITIVE_INFINITY } = {},
): Promise<ExecutionReport[]> {
  return local.runChain(STATE_MACHINE_NAME, name, input, maxExecutions);
}

/** Input of the settle execution of a drop with these variant jobs. */
export function settleInput(
  dropJobName: string,
  variants: { name: string; jobName: string }[],
  tracking: Partial<TrackingSchedule> = {},
): SettleInput {
  const { model, schemaVersion, stage, eventBusName } = trackingInput(dropJobName);
  return {
    schemaVersion,
    stage,
    eventBusName,
    model,
    dropJobName,
    variants: variants.map((v) => ({ ...v, deploymentInstanceType: 'ml.g5.2xlarge' })),
    tracking: { checkFunctionName: CHECK_FUNCTION, ...DEFAULT_TRACKING_SCHEDULE, ...tracking },
  };
}
