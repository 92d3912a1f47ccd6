/**
 * Invoked by the tracking state machine's `CheckJob` state: one poll of the optimization job;
 * and by its `CheckVariants` state (payload `mode: "settle"`): one poll of a drop's variants.
 * Throwing `JobStillRunning.<tier>s` is the normal "poll again later" answer (see
 * src/track/check-job.ts), so this function's Errors metric counts polls, not faults; alarm on
 * the state machine's ExecutionsFailed instead. It reads no environment: everything it needs
 * is in the payload the state machine sends.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { sageMaker } from '../src/aws/sagemaker';
import { sfn } from '../src/aws/sfn';
import { now } from '../src/function-clock';
import { logger, metrics, publishMetricsIfAny, tracer } from '../src/observability';
import { checkOptimizationJob } from '../src/track/check-job';
import { jobNameOf, reportOutcome } from '../src/track/report-outcome';
import { checkVariantsSettled, isSettlePayload, type SettleOutcome } from '../src/track/settle-check';
import type { CheckOutcome } from '../src/track/tracking-state';

const deps = { sageMaker: tracer.captureAWSv3Client(sageMaker), sfn: tracer.captureAWSv3Client(sfn), now };

export const handler = middy<unknown, CheckOutcome | SettleOutcome>()
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  // Not logMetrics: it would warn on every poll that ends nothing, i.e. on nearly every poll.
  .use(publishMetricsIfAny(metrics))
  .handler(async (payload) => {
    // The job name (the drop's, for the settle execution) is the correlation key of every log line.
    logger.appendKeys({ jobName: jobNameOf(payload) });
    if (isSettlePayload(payload)) {
      const outcome = await checkVariantsSettled(payload, deps);
      logger.info('settle decision', { action: outcome.action });
      return outcome;
    }
    const outcome = await checkOptimizationJob(payload, deps);
    reportOutcome(outcome, logger, metrics);
    return outcome;
  });
