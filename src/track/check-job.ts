/**
 * One poll of the tracked job: the check function's whole logic. It either decides what the
 * state machine does next (publish the terminal event, stop the job, continue in a fresh
 * execution) or throws JobStillRunningError, which the `CheckJob` state's Retry turns into the
 * next poll. Retrying costs one billed transition per poll, where a Wait→Task→Choice loop costs
 * three (docs/benchmarks.md, "Polling").
 */
import {
  DescribeOptimizationJobCommand,
  type DescribeOptimizationJobCommandOutput,
  ResourceNotFound,
  type SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import {
  InvalidTrackingStateError,
  JobStillRunningError,
  JobStopTimeoutError,
  SageMakerUnavailableError,
} from '../errors';
import { STOP_WAIT_SECONDS } from './schedule';
import { completedEvent, failedEvent, type JobContext, stoppedEvent } from './terminal-event';
import { timeoutReason } from './timeout';
import {
  type CheckOutcome,
  type CheckPayload,
  type Continuation,
  checkPayloadSchema,
  type PendingStop,
  type TrackingState,
} from './tracking-state';

/** The SageMaker client to describe with, and the clock (tests and the local stack pass theirs). */
export interface CheckDeps {
  sageMaker: SageMakerClient;
  now?: () => Date;
}

/** Polls the job once. Resolves with the next step, or throws JobStillRunningError to poll again. */
export async function checkOptimizationJob(payload: unknown, deps: CheckDeps): Promise<CheckOutcome> {
  const { state, execution, retryCount } = parsePayload(payload);
  const context: JobContext = {
    state,
    executionArn: state.continuation?.executionArn ?? execution.id,
    startedAt: state.continuation?.startedAt ?? execution.startTime,
  };
  const job = await describeJob(deps.sageMaker, state.jobName);
  const now = deps.now?.() ?? new Date();
  const stop = pendingStop(state);

  if (!job) {
    return failedEvent(
      context,
      `job disappeared: DescribeOptimizationJob reports no job named ${state.jobName} (deleted outside the pipeline?)`,
      now,
    );
  }
  const status = job.OptimizationJobStatus ?? 'UNKNOWN';
  const endedAt = job.OptimizationEndTime ?? now;
  switch (status) {
    case 'COMPLETED':
      return completedEvent(context, job, endedAt);
    case 'FAILED':
      return failedEvent(context, job.FailureReason || 'SageMaker gave no failure reason', endedAt);
    case 'STOPPED':
      return stoppedEvent(
        context,
        stop?.reason ??
          (job.FailureReason || 'stopped outside the pipeline (a StopOptimizationJob call by someone else)'),
        endedAt,
      );
  }

  const nextPoll = state.tracking.pollIntervalSeconds;
  if (stop) {
    const refused = state.check?.stopRefused;
    const waited = (now.getTime() - Date.parse(stop.requestedAt)) / 1000;
    if (waited > STOP_WAIT_SECONDS) {
      throw new JobStopTimeoutError(
        `job is still ${status} ${Math.round(waited)} s after the pipeline asked it to stop (${stop.reason})` +
          (refused ? `; SageMaker refused the last stop: ${refused.Error}: ${refused.Cause ?? ''}` : ''),
      );
    }
    // SageMaker refused the stop (throttled, say) and the job still runs: ask again, one poll
    // later (this entry's first attempt polls once more first), under the same deadline.
    if (refused && status !== 'STOPPING' && retryCount > 0) return { action: 'stop', stop };
    throw new JobStillRunningError(status, nextPoll);
  }

  const reason = timeoutReason({
    state,
    runningSince: job.OptimizationStartTime ?? job.CreationTime,
    trackedSince: new Date(context.startedAt),
    now,
  });
  if (reason) return { action: 'stop', stop: { requestedAt: now.toISOString(), reason } };

  if (retryCount >= state.tracking.pollsPerExecution) return continueTracking(state, context);
  throw new JobStillRunningError(status, nextPoll);
}

function parsePayload(payload: unknown): CheckPayload {
  const parsed = checkPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `$.${i.path.join('.')}: ${i.message}`);
    throw new InvalidTrackingStateError(`invalid check payload: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * The stop the tracker requested, if the last outcome was one. (While a stop is pending the
 * tracker does not continue in a fresh execution; the wait is bounded by STOP_WAIT_SECONDS.)
 */
function pendingStop(state: TrackingState): PendingStop | undefined {
  const last = state.check?.Payload;
  return last?.action === 'stop' ? last.stop : undefined;
}

/** The next execution's name and input: the original input plus where tracking stands. */
function continueTracking(state: TrackingState, context: JobContext): CheckOutcome {
  const { check: _check, continuation: previous, ...input } = state;
  const continuation: Continuation = {
    index: (previous?.index ?? 0) + 1,
    startedAt: context.startedAt,
    executionArn: context.executionArn,
  };
  return {
    action: 'continue',
    name: `${state.jobName}-c${continuation.index}`,
    input: { ...input, continuation },
  };
}

/** The job, or undefined when SageMaker says it does not exist; a transient failure is SageMakerUnavailableError. */
export async function describeJob(
  sageMaker: SageMakerClient,
  jobName: string,
): Promise<DescribeOptimizationJobCommandOutput | undefined> {
  try {
    return await sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: jobName }));
  } catch (error) {
    if (error instanceof ResourceNotFound) return undefined;
    if (isTransient(error)) {
      throw new SageMakerUnavailableError(`DescribeOptimizationJob failed: ${String(error)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/**
 * Throttling, a server fault or no answer at all (network); not a refusal such as AccessDenied.
 * `serviceException` is the client's base exception class (SageMaker's unless told).
 */
export function isTransient(
  error: unknown,
  serviceException: abstract new (...args: never[]) => Error = SageMakerServiceException,
): boolean {
  if (!(error instanceof serviceException)) return error instanceof Error && !(error instanceof TypeError);
  const { $metadata, $fault } = error as unknown as {
    $metadata: { httpStatusCode?: number };
    $fault?: string;
  };
  const status = $metadata.httpStatusCode ?? 0;
  return $fault === 'server' || status >= 500 || status === 429 || THROTTLING.has(error.name);
}
