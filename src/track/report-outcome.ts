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

/** The job name in a check payload (a settle payload's drop job name), for the log correlation key. */
export function jobNameOf(payload: unknown): string | undefined {
  const state = (payload as { state?: { jobName?: unknown; dropJobName?: unknown } } | undefined)?.state;
  const name = state?.jobName ?? state?.dropJobName;
  return typeof name === 'string' ? name : undefined;
}
