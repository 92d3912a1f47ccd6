import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC } from '../observability';
import type { CheckOutcome } from './tracking-state';

const ENDED_METRIC = {
  COMPLETED: METRIC.jobsCompleted,
  FAILED: METRIC.jobsFailed,
  STOPPED: METRIC.jobsStopped,
} as const;

/**
 * Logs a tracking decision and, when a terminal event is about to be put, counts the job's
 * end (JobsCompleted / JobsFailed / JobsStopped, which JobFailureRateAlarm reads) and how
 * long it ran.
 */
export function reportOutcome(outcome: CheckOutcome, logger: Logger, metrics: Metrics): void {
  logger.info('tracking decision', { action: outcome.action });
  if (outcome.action !== 'publish') return;
  const { status, durationSeconds } = outcome.detail;
  metrics.addMetric(ENDED_METRIC[status], MetricUnit.Count, 1);
  metrics.addMetric(METRIC.trackingDurationSeconds, MetricUnit.Seconds, durationSeconds);
}

/** The job name in a check payload, for the log correlation key, if the payload has one. */
export function jobNameOf(payload: unknown): string | undefined {
  const name = (payload as { state?: { jobName?: unknown } } | undefined)?.state?.jobName;
  return typeof name === 'string' ? name : undefined;
}
