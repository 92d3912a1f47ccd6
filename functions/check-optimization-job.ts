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
import { logger, tracer } from '../src/observability';
import { type CheckDeps, checkOptimizationJob } from '../src/track/check-job';
import type { CheckOutcome } from '../src/track/tracking-state';

const deps: CheckDeps = { sageMaker: tracer.captureAWSv3Client(sageMaker) };

export const handler = middy<unknown, CheckOutcome>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger))
  .handler(async (payload) => {
    const outcome = await checkOptimizationJob(payload, deps);
    logger.info('tracking decision', { action: outcome.action });
    return outcome;
  });
