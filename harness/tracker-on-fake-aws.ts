/**
 * Runs the real tracking state machine (statemachines/track-optimization-job.asl.json) with
 * the local runner against a FakeAws, on a virtual clock, following continuations: each
 * StartExecution the fake receives is run next, as Step Functions would.
 */
import { readFileSync } from 'node:fs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  type AwsClients,
  type ExecutionReport,
  localClients,
  type PreparedDefinition,
  prepareDefinition,
  runExecution,
} from '../local/stepfunctions';
import type { VirtualClock } from '../local/time/clock';
import { SCHEMA_VERSION } from '../src/events/contract';
import { executionArnFor } from '../src/execution-arn';
import { settleExecutionName } from '../src/job/job-name';
import type { SettleInput, TrackingInput } from '../src/job/tracking-input';
import { checkOptimizationJob } from '../src/track/check-job';
import { DEFAULT_TRACKING_SCHEDULE, type TrackingSchedule } from '../src/track/schedule';
import { checkVariantsSettled, isSettlePayload } from '../src/track/settle-check';
import type { FakeAws } from './fake-aws';

export const TRACKER_ASL = new URL('../statemachines/track-optimization-job.asl.json', import.meta.url);
export const STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:000000000000:stateMachine:model-optimization-pipeline-test-track';
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

/** The tracking state machine, parsed and prepared once. */
export function trackerDefinition(path: URL = TRACKER_ASL): PreparedDefinition {
  return prepareDefinition(readFileSync(path, 'utf8'));
}

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
    eventBusName: 'model-optimization-pipeline-test',
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

export interface Tracker {
  clock: VirtualClock;
  fake: FakeAws;
  clients: AwsClients;
  definition: PreparedDefinition;
  random?: () => number;
}

/** SDK clients on the fake: over HTTP when an endpoint is given, else in-process. */
export function fakeClients(fake: FakeAws, endpoint?: string): AwsClients {
  if (endpoint) return localClients({ endpoint, maxAttempts: 1 });
  const config = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: 'http://fake.local',
    maxAttempts: 1,
    requestHandler: fake.requestHandler(),
  };
  return {
    sagemaker: new SageMakerClient(config),
    eventbridge: new EventBridgeClient(config),
    sfn: new SFNClient(config),
  };
}

/**
 * Tracks one job to the end: the execution named after the job, then every continuation it
 * started. Resolves with the report of each execution, in order.
 */
export async function trackJob(tracker: Tracker, input: TrackingInput): Promise<ExecutionReport[]> {
  return runChain(tracker, input.tracking.checkFunctionName, input.jobName, input);
}

/**
 * Runs a drop's settle execution (`<dropJobName>-variants`) and its continuations, as
 * start-optimization would start it. Each variant's tracking chain should have been run (or
 * started) before: the settle check finds them through DescribeExecution on the fake.
 */
export async function settleDrop(
  tracker: Tracker,
  input: SettleInput,
  { name = settleExecutionName(input.dropJobName), maxExecutions = Number.POSITIVE_INFINITY } = {},
): Promise<ExecutionReport[]> {
  return runChain(tracker, input.tracking.checkFunctionName, name, input, maxExecutions);
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

/** Runs one execution and every continuation it starts, recording how each ended on the fake. */
async function runChain(
  tracker: Tracker,
  checkFunctionName: string,
  name: string,
  input: unknown,
  maxExecutions = Number.POSITIVE_INFINITY,
): Promise<ExecutionReport[]> {
  const { clock, fake, clients, definition, random } = tracker;
  const deps = {
    sageMaker: clients.sagemaker as SageMakerClient,
    sfn: clients.sfn as SFNClient,
    now: () => new Date(clock.now()),
  };
  // The one check function, as functions/check-optimization-job.ts dispatches.
  const lambdas = {
    [checkFunctionName]: (payload: unknown) =>
      isSettlePayload(payload) ? checkVariantsSettled(payload, deps) : checkOptimizationJob(payload, deps),
  };
  const reports: ExecutionReport[] = [];
  let next: { executionArn: string; input: unknown } | undefined = {
    executionArn: executionArnFor(STATE_MACHINE_ARN, name),
    input,
  };
  while (next && reports.length < maxExecutions) {
    const seen = fake.executions.length;
    reports.push(
      await runExecution({
        definition,
        input: next.input,
        context: { executionArn: next.executionArn, stateMachineArn: STATE_MACHINE_ARN },
        clients,
        lambdas,
        clock,
        ...(random && { random }),
      }),
    );
    const report = reports.at(-1);
    if (report) fake.executionEnds.set(report.executionArn, { status: report.status, output: report.output });
    const started = fake.executions[seen];
    next = started && { executionArn: started.executionArn, input: started.input };
  }
  return reports;
}
