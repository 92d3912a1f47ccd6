/**
 * Invoked by the tracking state machine's `CheckJob` state: one poll of the optimization job.
 * Throwing `JobStillRunning.<tier>s` is the normal "poll again later" answer (see
 * src/track/check-job.ts), so this function's Errors metric counts polls, not faults; alarm on
 * the state machine's ExecutionsFailed instead. It reads no environment: everything it needs
 * is in the payload the state machine sends.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { sageMaker } from '../src/aws/sagemaker';
import { now } from '../src/function-clock';
import { logger, metrics, publishMetricsIfAny, tracer } from '../src/observability';
import { type CheckDeps, checkOptimizationJob } from '../src/track/check-job';
import { jobNameOf, reportOutcome } from '../src/track/report-outcome';
import type { CheckOutcome } from '../src/track/tracking-state';

const deps: CheckDeps = { sageMaker: tracer.captureAWSv3Client(sageMaker), now };

export const handler = middy<unknown, CheckOutcome>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Not logMetrics: it would warn on every poll that ends nothing, i.e. on nearly every poll.
  .use(publishMetricsIfAny(metrics))
  .handler(async (payload) => {
    // The job name is the correlation key of every log line.
    logger.appendKeys({ jobName: jobNameOf(payload) });
    const outcome = await checkOptimizationJob(payload, deps);
    reportOutcome(outcome, logger, metrics);
    return outcome;
  });
