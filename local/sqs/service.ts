/**
 * Local SQS on the wire (awsJson 1.0, `AmazonSQS.<Operation>`): the operations the pipeline
 * and its tools use. Queues are found by the last segment of `QueueUrl` (any host), or by ARN.
 */
import { AwsServiceError } from '../aws-error';
import { dispatchOperation } from '../aws-json';
import type { LocalQueue, MessageAttributes } from './queue';

export const SQS_TARGET_PREFIX = 'AmazonSQS';

export interface SqsService {
  handle(operation: string, input: unknown): Promise<unknown>;
  queue(nameUrlOrArn: string): LocalQueue;
}

type Input = Record<string, unknown>;

/** The SQS API over a fixed set of queues (those serverless.yml declares). */
export function createSqsService(queues: LocalQueue[], endpoint: () => string): SqsService {
  const byName = new Map(queues.map((q) => [q.name, q]));
  const find = (nameUrlOrArn: string): LocalQueue => {
    const name = nameUrlOrArn.split(/[/:]/).pop() ?? '';
    const queue = byName.get(name);
    if (!queue)
      throw new AwsServiceError('QueueDoesNotExist', `The specified queue ${nameUrlOrArn} does not exist.`);
    return queue;
  };
  const required = (input: Input, field: string): string => {
    const value = input[field];
    if (typeof value !== 'string' || value === '') {
      throw new AwsServiceError('MissingParameter', `The request must contain the parameter ${field}.`);
    }
    return value;
  };
  const urlOf = (q: LocalQueue) => `${endpoint()}/${q.arn.split(':')[4]}/${q.name}`;

  const operations: Record<string, (input: Input) => unknown> = {
    SendMessage: (input) => {
      const { messageId, md5OfBody } = find(required(input, 'QueueUrl')).send(
        required(input, 'MessageBody'),
        Number(input.DelaySeconds ?? 0),
        (input.MessageAttributes ?? {}) as MessageAttributes,
      );
      return { MessageId: messageId, MD5OfMessageBody: md5OfBody };
    },
    ReceiveMessage: (input) => {
      const queue = find(required(input, 'QueueUrl'));
      const messages = queue.receive(
        Number(input.MaxNumberOfMessages ?? 1),
        input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout),
      );
      const wanted = requestedAttributes(input.MessageAttributeNames);
      return {
        Messages: messages.map((m) => {
          const messageAttributes = Object.entries(m.messageAttributes).filter(([name]) => wanted(name));
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: m.md5OfBody,
            Body: m.body,
            Attributes: m.attributes,
            ...(messageAttributes.length > 0 && { MessageAttributes: Object.fromEntries(messageAttributes) }),
          };
        }),
      };
    },
    DeleteMessage: (input) => {
      find(required(input, 'QueueUrl')).delete(required(input, 'ReceiptHandle'));
      return {};
    },
    ChangeMessageVisibility: (input) => {
      find(required(input, 'QueueUrl')).changeVisibility(
        required(input, 'ReceiptHandle'),
        Number(input.VisibilityTimeout),
      );
      return {};
    },
    GetQueueUrl: (input) => ({ QueueUrl: urlOf(find(required(input, 'QueueName'))) }),
    ListQueues: (input) => ({
      QueueUrls: queues.filter((q) => q.name.startsWith(String(input.QueueNamePrefix ?? ''))).map(urlOf),
    }),
    GetQueueAttributes: (input) => {
      const queue = find(required(input, 'QueueUrl'));
      const { visible, inFlight } = queue.stats();
      const redrivePolicy = queue.redrivePolicy();
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesNotVisible: String(inFlight),
          ApproximateNumberOfMessagesDelayed: '0',
          ...(redrivePolicy && { RedrivePolicy: JSON.stringify(redrivePolicy) }),
        },
      };
    },
    PurgeQueue: (input) => {
      find(required(input, 'QueueUrl')).takeAll();
      return {};
    },
    // The DLQ redrive API: moves every message from SourceArn back to DestinationArn (or the
    // queue whose redrive policy names the source), at once rather than at a rate.
    StartMessageMoveTask: (input) => {
      const source = find(required(input, 'SourceArn'));
      const destination = input.DestinationArn
        ? find(String(input.DestinationArn))
        : queues.find((q) => q.deadLetterQueue === source);
      if (!destination) {
        throw new AwsServiceError(
          'InvalidParameterValue',
          `No queue uses ${source.arn} as its dead-letter queue.`,
        );
      }
      const moved = destination.redriveFrom(source);
      return { TaskHandle: `local-move-${Date.now()}-${moved}` };
    },
  };

  return {
    queue: find,
    async handle(operation, input) {
      return dispatchOperation(operations, operation, input);
    },
  };
}

/**
 * ReceiveMessage's `MessageAttributeNames`: `All` or `.*` for every attribute, a name, or a
 * prefix ending in `.*`. Without it SQS returns no message attributes.
 */
function requestedAttributes(names: unknown): (name: string) => boolean {
  const list = Array.isArray(names) ? names.map(String) : [];
  if (list.some((n) => n === 'All' || n === '.*')) return () => true;
  return (name) => list.some((n) => (n.endsWith('.*') ? name.startsWith(n.slice(0, -1)) : n === name));
}
