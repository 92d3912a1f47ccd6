/**
 * The per-record work of start-optimization: process the message, log and count what
 * happened, and on a full quota put the drop back on the queue, delayed, or, once it has
 * waited longer than the stage allows, send it to the DLQ.
 * Throwing marks the record as a batch item failure, so SQS redelivers it alone.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { parseUploadMessage } from '../drop/s3-notification';
import { QuotaFullError } from '../errors';
import { METRIC } from '../observability';
import { sendToDeadLetterQueue } from './dead-letter';
import { quotaDelaySeconds, quotaWaitSince, requeueMessage } from './defer-message';
import { type DropOutcome, processUploadMessage, type StartDeps } from './process-message';

/** The `reason` attribute of a drop sent to the DLQ for waiting too long. */
export const QUOTA_WAIT_EXCEEDED = 'QuotaWaitExceeded';

export interface RecordDeps extends StartDeps {
  sqs: SQSClient;
  logger: Logger;
  metrics: Metrics;
}

/** Processes one SQS record; resolves with its outcomes or throws to have it redelivered. */
export async function handleUploadRecord(record: SQSRecord, deps: RecordDeps): Promise<DropOutcome[]> {
  const log = deps.logger.createChild({ persistentKeys: { messageId: record.messageId } });
  try {
    const outcomes = await processUploadMessage(record.body, deps);
    for (const outcome of outcomes) report(outcome, log, deps.metrics);
    return outcomes;
  } catch (error) {
    if (!(error instanceof QuotaFullError)) {
      log.error('drop failed; the message will be redelivered', { error });
      throw error;
    }
    const now = (deps.now?.() ?? new Date()).getTime();
    const waitSince = quotaWaitSince(record, now);
    const quotaWaitSeconds = (now - waitSince) / 1000;
    if (quotaWaitSeconds > deps.config.maxQuotaWaitSeconds) {
      return [await giveUpWaiting(record, quotaWaitSeconds, log, deps)];
    }
    const waitedSeconds = Math.max(0, (now - droppedAt(record)) / 1000);
    const delaySeconds = quotaDelaySeconds(waitedSeconds, deps.config.quotaBackoff);
    log.warn('job quota full; the drop goes back on the queue', {
      waitedSeconds: Math.round(waitedSeconds),
      quotaWaitSeconds: Math.round(quotaWaitSeconds),
      delaySeconds,
    });
    deps.metrics.addMetric(METRIC.quotaDeferrals, MetricUnit.Count, 1);
    // If this fails, the record fails and returns after the visibility timeout.
    await requeueMessage(deps.sqs, record.eventSourceARN, record.body, delaySeconds, waitSince);
    return [{ kind: 'deferred', delaySeconds }];
  }
}

/**
 * A drop that has waited for a job slot longer than `maxQuotaWaitSeconds` goes to the DLQ, with
 * the reason in its attributes (the DLQ alarm fires; `model-opt redrive` starts a new wait).
 * If sending fails, the record fails and returns after the visibility timeout.
 */
async function giveUpWaiting(
  record: SQSRecord,
  quotaWaitSeconds: number,
  log: Logger,
  deps: RecordDeps,
): Promise<DropOutcome> {
  const waited = Math.round(quotaWaitSeconds);
  const deadLetterQueueArn = await sendToDeadLetterQueue(deps.sqs, record.eventSourceARN, record.body, {
    reason: QUOTA_WAIT_EXCEEDED,
    quotaWaitSeconds: String(waited),
  });
  log.error('drop waited longer than maxQuotaWaitSeconds for a job slot; sent to the DLQ', {
    reason: QUOTA_WAIT_EXCEEDED,
    keys: objectKeys(record),
    quotaWaitSeconds: waited,
    maxQuotaWaitSeconds: deps.config.maxQuotaWaitSeconds,
    deadLetterQueueArn,
  });
  deps.metrics.addMetric(METRIC.quotaWaitsExceeded, MetricUnit.Count, 1);
  return { kind: 'quota-wait-exceeded', quotaWaitSeconds: waited, deadLetterQueueArn };
}

/** The object keys a message is about, for logs. */
function objectKeys(record: SQSRecord): string[] {
  const message = parseUploadMessage(record.body);
  return message.kind === 'objects' ? message.objects.map((o) => o.key) : [];
}

/** When the drop happened: its S3 event time, else when the message was sent (epoch ms). */
function droppedAt(record: SQSRecord): number {
  const message = parseUploadMessage(record.body);
  const times = message.kind === 'objects' ? message.objects.map((o) => Date.parse(o.eventTime)) : [];
  const earliest = Math.min(...times.filter(Number.isFinite));
  return Number.isFinite(earliest) ? earliest : Number(record.attributes.SentTimestamp);
}

function report(outcome: DropOutcome, log: Logger, metrics: Metrics): void {
  switch (outcome.kind) {
    case 'test-event':
      log.info('S3 test event received; notifications are configured');
      return;
    case 'ignored':
      log.debug('object ignored', { key: outcome.key, reason: outcome.reason });
      metrics.addMetric(METRIC.dropsIgnored, MetricUnit.Count, 1);
      return;
    case 'rejected':
      log.warn('drop rejected', { jobName: outcome.jobName, key: outcome.key, errors: outcome.issues });
      metrics.addMetric(METRIC.dropsRejected, MetricUnit.Count, 1);
      return;
    case 'deferred':
    case 'quota-wait-exceeded':
      return;
    case 'started': {
      const { kind: _kind, ...fields } = outcome;
      log.info(outcome.jobCreated ? 'optimization job created' : 'drop already started; resumed', fields);
      metrics.addMetric(METRIC.dropsAccepted, MetricUnit.Count, 1);
      // A drop with variants creates one job per variant.
      const created = (outcome.variants ?? [outcome]).filter((job) => job.jobCreated).length;
      if (created > 0) metrics.addMetric(METRIC.jobsCreated, MetricUnit.Count, created);
      return;
    }
  }
}
