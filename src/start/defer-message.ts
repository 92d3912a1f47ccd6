import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface BackoffRules {
  baseSeconds: number;
  maxSeconds: number;
}

/**
 * Seconds to hide a message whose drop met a full job quota: exponential in the receive
 * count, capped, with jitter so deferred drops do not all return at once. With the defaults
 * (30 s doubling to 1 h) and maxReceiveCount 30, a full quota is waited out for about a day
 * before the message goes to the DLQ.
 */
export function quotaBackoffSeconds(receiveCount: number, rules: BackoffRules, random = Math.random): number {
  const ceiling = Math.min(rules.maxSeconds, rules.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** `arn:aws:sqs:<region>:<account>:<name>` → the queue URL the SQS API takes. */
export function queueUrlFromArn(queueArn: string): string {
  const [, partition, , region, account, name] = queueArn.split(':');
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** Hides a message from consumers for `seconds`; it is redelivered after that. */
export async function deferMessage(
  sqs: SQSClient,
  queueArn: string,
  receiptHandle: string,
  seconds: number,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrlFromArn(queueArn),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}
