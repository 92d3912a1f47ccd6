import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/**
 * The message attribute that carries, from one re-queue to the next, when the drop first met a
 * full quota (epoch milliseconds). A drop redriven from the DLQ has none, so its wait starts
 * over.
 */
export const QUOTA_WAIT_SINCE = 'quotaWaitSince';

/** When the drop's wait for a job slot began: what an earlier deferral recorded, else `now`. */
export function quotaWaitSince(record: SQSRecord, now: number): number {
  const since = Number(record.messageAttributes?.[QUOTA_WAIT_SINCE]?.stringValue);
  return Number.isFinite(since) && since > 0 && since <= now ? since : now;
}

export interface BackoffRules {
  baseSeconds: number;
  /** At most 900: SQS delays a message for at most 15 minutes. */
  maxSeconds: number;
}

/**
 * Seconds before a drop that met a full job quota is tried again: a quarter of how long it has
 * waited so far, at least `baseSeconds` and at most `maxSeconds`, jittered into [½, 1] of that
 * so that deferred drops do not all return at once. A fresh drop is tried again within 30 s
 * (with the defaults), one that has waited an hour or more every 8 to 15 minutes.
 */
export function quotaDelaySeconds(waitedSeconds: number, rules: BackoffRules, random = Math.random): number {
  const ceiling = Math.min(rules.maxSeconds, Math.max(rules.baseSeconds, waitedSeconds / 4));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL the SQS API takes. */
export function queueUrlFromArn(queueArn: string): string {
  const [, partition, , region, account, name] = queueArn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/**
 * Puts a message back on its queue as a new message, delivered after `seconds`, with when its
 * wait began (`waitSince`, epoch ms). Waiting this way uses none of the queue's maxReceiveCount,
 * which counts failures only; the longest wait (`maxQuotaWaitSeconds`) bounds it instead.
 */
export async function requeueMessage(
  sqs: SQSClient,
  queueArn: string,
  body: string,
  seconds: number,
  waitSince: number,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrlFromArn(queueArn),
      MessageBody: body,
      DelaySeconds: seconds,
      MessageAttributes: { [QUOTA_WAIT_SINCE]: { DataType: 'Number', StringValue: String(waitSince) } },
    }),
  );
}
