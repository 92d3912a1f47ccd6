/**
 * Sends a message straight to its queue's dead-letter queue: for a drop that has waited longer
 * than the stage allows for a free job slot. Failing it `maxReceiveCount` times would get it
 * there too, but only after hours of visibility timeouts.
 */
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { NoDeadLetterQueueError } from '../errors';
import { queueUrlFromArn } from './defer-message';

/**
 * The ARN of the queue's dead-letter queue, from the queue's own `RedrivePolicy`, so that the
 * function needs no setting of its own for it (and `sls invoke local` no CloudFormation Ref).
 * @throws NoDeadLetterQueueError when the queue has none.
 */
export async function deadLetterQueueArnOf(sqs: SQSClient, queueArn: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrlFromArn(queueArn), AttributeNames: ['RedrivePolicy'] }),
  );
  const policy = Attributes?.RedrivePolicy
    ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string })
    : {};
  if (!policy.deadLetterTargetArn)
    throw new NoDeadLetterQueueError(`queue ${queueArn} has no dead-letter queue`);
  return policy.deadLetterTargetArn;
}

/**
 * Sends `body` to the dead-letter queue of `queueArn`, with string `attributes` that say why.
 * Resolves with the dead-letter queue's ARN.
 */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  queueArn: string,
  body: string,
  attributes: Record<string, string>,
): Promise<string> {
  const deadLetterQueueArn = await deadLetterQueueArnOf(sqs, queueArn);
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrlFromArn(deadLetterQueueArn),
      MessageBody: body,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      ),
    }),
  );
  return deadLetterQueueArn;
}
