/**
 * One pipeline event in, at most one SNS message out. The event is validated against the
 * contract before anything is published, so a malformed event is never half-processed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { MalformedEventError } from '../errors';
import { DETAIL_TYPES } from '../events/contract';
import { METRIC } from '../observability';
import { parsePipelineEvent } from './parse-event';
import { summarise } from './summary';

/** What notifyOnOutcome needs: the SNS client and topic, and the function's logger and metrics. */
export interface NotifyDeps {
  sns: SNSClient;
  topicArn: string;
  logger: Logger;
  metrics: Metrics;
}

/** The invocation's result: what was published, or why nothing was. */
export type NotifyResult =
  | { published: true; detailType: string; messageId: string }
  | { published: false; detailType: string; reason: string };

/**
 * Publishes a summary of a Completed, Failed, Stopped or Rejected event; logs and skips a
 * Started or Variants Settled event (the rule's pattern excludes both: the one is news to no one,
 * the other repeats the variants' own terminal events).
 * @throws MalformedEventError when the event does not match the contract; nothing is published.
 */
export async function notifyOnOutcome(event: unknown, deps: NotifyDeps): Promise<NotifyResult> {
  let parsed: ReturnType<typeof parsePipelineEvent>;
  try {
    parsed = parsePipelineEvent(event);
  } catch (error) {
    if (error instanceof MalformedEventError) {
      deps.metrics.addMetric(METRIC.malformedEvents, MetricUnit.Count, 1);
      deps.logger.error('malformed event: not published', { error, issues: error.issues, event });
    }
    throw error;
  }

  const detailType = parsed['detail-type'];
  if (parsed['detail-type'] === DETAIL_TYPES.started) {
    deps.logger.info('started events are not summarised', { detailType, jobName: parsed.detail.jobName });
    return { published: false, detailType, reason: 'Started events are not summarised' };
  }
  if (parsed['detail-type'] === DETAIL_TYPES.settled) {
    // Each variant's own terminal event was summarised already (the rule's pattern excludes it).
    deps.logger.info('settled events are not summarised', {
      detailType,
      dropJobName: parsed.detail.dropJobName,
    });
    return { published: false, detailType, reason: 'Variants Settled events are not summarised' };
  }

  const { subject, message, attributes } = summarise(parsed);
  const result = await deps.sns.send(
    new PublishCommand({
      TopicArn: deps.topicArn,
      Subject: subject,
      Message: message,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
  const messageId = result.MessageId ?? '';
  deps.metrics.addMetric(METRIC.notificationsPublished, MetricUnit.Count, 1);
  deps.logger.info('summary published', { detailType, subject, messageId, eventId: parsed.id });
  return { published: true, detailType, messageId };
}
