/**
 * The per-record work of start-optimization: process the message, log and count what
 * happened, and on a full quota put the drop back on the queue, delayed.
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
import { quotaDelaySeconds, requeueMessage } from './defer-message';
import { type DropOutcome, processUploadMessage, type StartDeps } from './process-message';

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
    const waitedSeconds = Math.max(0, ((deps.now?.() ?? new Date()).getTime() - droppedAt(record)) / 1000);
    const delaySeconds = quotaDelaySeconds(waitedSeconds, deps.config.quotaBackoff);
    log.warn('job quota full; the drop goes back on the queue', {
      waitedSeconds: Math.round(waitedSeconds),
      delaySeconds,
    });
    deps.metrics.addMetric(METRIC.quotaDeferrals, MetricUnit.Count, 1);
    // If this fails, the record fails and returns after the visibility timeout.
    await requeueMessage(deps.sqs, record.eventSourceARN, record.body, delaySeconds);
    return [{ kind: 'deferred', delaySeconds }];
  }
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
      return;
    case 'started': {
      const { kind: _kind, ...fields } = outcome;
      log.info(outcome.jobCreated ? 'optimization job created' : 'drop already started; resumed', fields);
      metrics.addMetric(METRIC.dropsAccepted, MetricUnit.Count, 1);
      if (outcome.jobCreated) metrics.addMetric(METRIC.jobsCreated, MetricUnit.Count, 1);
      return;
    }
  }
}
