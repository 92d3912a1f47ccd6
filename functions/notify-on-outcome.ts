/**
 * Example subscriber: the pipeline's outcome events (EventBridge rule) → a human-readable
 * summary on the notifications SNS topic. A malformed event fails the invocation.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { sns } from '../src/aws/sns';
import { loadNotifyConfig } from '../src/notify/config';
import { type NotifyDeps, type NotifyResult, notifyOnOutcome } from '../src/notify/notify-on-outcome';
import { logger, metrics, publishMetricsIfAny, tracer } from '../src/observability';

const deps: NotifyDeps = {
  ...loadNotifyConfig(),
  sns: tracer.captureAWSv3Client(sns),
  logger,
  metrics,
};

export const handler = middy<unknown, NotifyResult>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(publishMetricsIfAny(metrics))
  .handler(async (event) => notifyOnOutcome(event, deps));
