/**
 * Powertools logger, metrics and tracer, one of each per function. The service name and the
 * metrics namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'model-optimization-pipeline';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ModelOptimizationPipeline',
});
export const tracer = new Tracer({ serviceName });

/** Metric names, so dashboards, alarms and docs/operations.md use the same words. */
export const METRIC = {
  dropsAccepted: 'DropsAccepted',
  dropsRejected: 'DropsRejected',
  dropsIgnored: 'DropsIgnored',
  jobsCreated: 'JobsCreated',
  quotaDeferrals: 'QuotaDeferrals',
  quotaWaitsExceeded: 'QuotaWaitsExceeded',
  jobsCompleted: 'JobsCompleted',
  jobsFailed: 'JobsFailed',
  jobsStopped: 'JobsStopped',
  trackingDurationSeconds: 'TrackingDurationSeconds',
  notificationsPublished: 'OutcomeNotificationsPublished',
  malformedEvents: 'MalformedEvents',
} as const;

/**
 * Middy middleware that flushes the stored metrics after the handler returns or throws, as
 * Powertools' `logMetrics` does, but only when there are some. `logMetrics` warns "No
 * application metrics to publish" on every invocation that adds none, whatever the log level:
 * for the tracking check, that is every poll. Every handler uses it, so none warns that way.
 */
export function publishMetricsIfAny(target: Metrics): MiddlewareObj {
  const flush = () => {
    if (target.hasStoredMetrics()) target.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}
