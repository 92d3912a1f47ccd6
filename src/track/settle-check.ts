/**
 * One poll of a drop's variants: the check function's logic for the settle execution
 * (`<drop's job name>-variants`, the `CheckVariants` state). It waits until every variant's
 * tracking chain (`<job>`, `<job>-c1`, …) has ended, not only its job: a tracking execution ends
 * after its terminal event was put, so `Variants Settled` cannot overtake a variant's terminal
 * event. Each row is that terminal event's own detail (the execution's output), so the two agree
 * on status and duration; a chain that ended without putting one (it failed, or was stopped by
 * hand) is reported from DescribeOptimizationJob. While a chain runs it throws the same
 * JobStillRunningError as the job check: one billed transition per poll.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type SFNClient,
  SFNServiceException,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { InvalidTrackingStateError, JobStillRunningError, StepFunctionsUnavailableError } from '../errors';
import {
  DETAIL_TYPES,
  type SettledDetail,
  settledDetailSchema,
  type VariantOutcome,
} from '../events/contract';
import { executionArnFor } from '../execution-arn';
import { settleExecutionName } from '../job/job-name';
import { type SettleInput, settleInputSchema } from '../job/tracking-input';
import { describeJob, isTransient } from './check-job';
import { checkOutcomeSchema, continuationSchema } from './tracking-state';

export interface SettleDeps {
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  now?: () => Date;
}

/** The settle execution's state: its input, plus where an earlier execution left off. */
export const settleStateSchema = settleInputSchema.extend({
  continuation: continuationSchema.optional(),
});

/** What `CheckVariants` sends: like CheckJob's payload, plus the state machine the chains run in. */
export const settlePayloadSchema = z.object({
  mode: z.literal('settle'),
  state: settleStateSchema,
  execution: z.object({ id: z.string().startsWith('arn:'), startTime: z.string() }),
  stateMachineArn: z.string().startsWith('arn:'),
  retryCount: z.number().int().min(0),
});

export const settleOutcomeSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('settled'),
    detailType: z.literal(DETAIL_TYPES.settled),
    detail: settledDetailSchema,
  }),
  z.object({
    action: z.literal('continue'),
    name: z.string().min(1).max(80),
    input: z.record(z.string(), z.unknown()),
  }),
]);

export type SettleState = z.infer<typeof settleStateSchema>;
export type SettlePayload = z.infer<typeof settlePayloadSchema>;
export type SettleOutcome = z.infer<typeof settleOutcomeSchema>;

/** Whether a check payload is the settle execution's (CheckVariants sets `mode`). */
export function isSettlePayload(payload: unknown): boolean {
  return (payload as { mode?: unknown } | undefined)?.mode === 'settle';
}

/** Polls every variant once. Resolves with the Settled detail, or a continuation; throws to poll again. */
export async function checkVariantsSettled(payload: unknown, deps: SettleDeps): Promise<SettleOutcome> {
  const parsed = settlePayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`);
    throw new InvalidTrackingStateError(`invalid settle payload: ${problems.join('; ')}`);
  }
  const { state, execution, stateMachineArn, retryCount } = parsed.data;
  const now = deps.now?.() ?? new Date();

  const rows: VariantOutcome[] = [];
  for (const variant of state.variants) {
    const end = await chainEnd(deps.sfn, stateMachineArn, variant.jobName);
    if (end.running) {
      if (retryCount >= state.tracking.pollsPerExecution) return continueSettling(state, execution);
      throw new JobStillRunningError(
        `still tracked (variant ${variant.name}, execution ${end.name})`,
        state.tracking.pollIntervalSeconds,
      );
    }
    rows.push(end.outcome ? fromTerminalEvent(variant, end.outcome) : await fromJob(deps, variant, end, now));
  }
  const detail: SettledDetail = settledDetailSchema.parse({
    schemaVersion: state.schemaVersion,
    stage: state.stage,
    status: 'SETTLED',
    model: state.model,
    dropJobName: state.dropJobName,
    variants: rows,
    endedAt: now.toISOString(),
  });
  return { action: 'settled', detailType: DETAIL_TYPES.settled, detail };
}

type Variant = SettleInput['variants'][number];
type Publish = Extract<z.infer<typeof checkOutcomeSchema>, { action: 'publish' }>;
type ChainEnd =
  | { running: true; name: string }
  | { running: false; name: string; status: string; outcome?: Publish };

/**
 * Follows one job's tracking chain to its last execution: `<job>`, then each continuation the
 * previous one started. An execution that continued ended only after starting the next one, so
 * the chain cannot end between two describes.
 */
async function chainEnd(sfn: SFNClient, stateMachineArn: string, jobName: string): Promise<ChainEnd> {
  let name = jobName;
  for (;;) {
    const execution = await describeExecution(sfn, executionArnFor(stateMachineArn, name));
    // start-optimization starts every tracking execution before the settle one; missing is a lag.
    if (!execution || execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
      return { running: true, name };
    }
    const output = parseOutput(execution.output);
    const publish = checkOutcomeSchema.safeParse(output);
    if (execution.status === 'SUCCEEDED' && publish.success && publish.data.action === 'publish') {
      return { running: false, outcome: publish.data, name, status: execution.status };
    }
    const next = (output as { check?: { Payload?: { action?: unknown; name?: unknown } } } | undefined)?.check
      ?.Payload;
    if (execution.status === 'SUCCEEDED' && next?.action === 'continue' && typeof next.name === 'string') {
      name = next.name;
      continue;
    }
    return { running: false, name, status: execution.status ?? 'UNKNOWN' };
  }
}

async function describeExecution(sfn: SFNClient, executionArn: string) {
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    if (isTransient(error, SFNServiceException)) {
      throw new StepFunctionsUnavailableError(`DescribeExecution failed: ${String(error)}`, { cause: error });
    }
    throw error;
  }
}

function parseOutput(output: string | undefined): unknown {
  if (output === undefined) return undefined;
  try {
    return JSON.parse(output);
  } catch {
    return undefined;
  }
}

function fromTerminalEvent(variant: Variant, { detail }: Publish): VariantOutcome {
  return {
    name: variant.name,
    jobName: variant.jobName,
    status: detail.status,
    durationSeconds: detail.durationSeconds,
    deploymentInstanceType: detail.deploymentInstanceType,
    ...(detail.status === 'COMPLETED'
      ? { output: { s3Uri: detail.output.s3Uri } }
      : { failureReason: detail.failureReason }),
  };
}

/** A chain that ended without a terminal event: what SageMaker says of the job. */
async function fromJob(
  deps: SettleDeps,
  variant: Variant,
  end: { name: string; status: string },
  now: Date,
): Promise<VariantOutcome> {
  const job = await describeJob(deps.sageMaker, variant.jobName);
  const status = job?.OptimizationJobStatus;
  const began = job?.OptimizationStartTime ?? job?.CreationTime;
  const ended = job?.OptimizationEndTime ?? now;
  const durationSeconds = began ? Math.max(0, Math.round((ended.getTime() - began.getTime()) / 1000)) : 0;
  const base = {
    name: variant.name,
    jobName: variant.jobName,
    durationSeconds,
    deploymentInstanceType: variant.deploymentInstanceType,
  };
  const untracked = `its tracking execution ${end.name} ended ${end.status} without an outcome event`;
  if (status === 'COMPLETED' && job?.OutputConfig?.S3OutputLocation) {
    return { ...base, status, output: { s3Uri: job.OutputConfig.S3OutputLocation } };
  }
  if (status === 'FAILED' || status === 'STOPPED') {
    return { ...base, status, failureReason: job?.FailureReason || untracked };
  }
  return {
    ...base,
    status: 'FAILED',
    failureReason: `${untracked}; the job is ${status ?? 'gone (DescribeOptimizationJob finds no such job)'}`,
  };
}

/** The next settle execution: `<dropJobName>-variants-c<n>`, with the original input. */
function continueSettling(state: SettleState, execution: SettlePayload['execution']): SettleOutcome {
  const { continuation: previous, ...rest } = state;
  const input = settleInputSchema.parse(rest);
  const index = (previous?.index ?? 0) + 1;
  return {
    action: 'continue',
    name: `${settleExecutionName(state.dropJobName)}-c${index}`,
    input: {
      ...input,
      continuation: {
        index,
        startedAt: previous?.startedAt ?? execution.startTime,
        executionArn: previous?.executionArn ?? execution.id,
      },
    },
  };
}
