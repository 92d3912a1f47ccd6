/**
 * Local SQS on the wire (awsJson 1.0, `AmazonSQS.<Operation>`): the operations the pipeline
 * and its tools use. Queues are found by the last segment of `QueueUrl` (any host), or by ARN.
 */
import * as z from 'zod';
import { AwsServiceError } from '../protocol/aws-error';
import { dispatchOperation, optional, parseInput } from '../protocol/aws-json';
import type { LocalQueue, MessageAttributes } from './queue';

export const SQS_TARGET_PREFIX = 'AmazonSQS';

/** A member SQS requires: its absence is SQS's `MissingParameter`, checked by `required` below. */
const text = optional(z.string());
const strings = optional(z.array(z.string()));
/** The request shapes, as in the SQS API reference (members the stack ignores left out). */
const SHAPES = {
  SendMessage: z.object({
    QueueUrl: text,
    MessageBody: text,
    DelaySeconds: optional(z.int().min(0).max(900)),
    MessageAttributes: optional(
      z.record(z.string(), z.object({ DataType: z.string(), StringValue: text, BinaryValue: text })),
    ),
    MessageDeduplicationId: text,
    MessageGroupId: text,
  }),
  ReceiveMessage: z.object({
    QueueUrl: text,
    MaxNumberOfMessages: optional(z.int().min(1).max(10)),
    VisibilityTimeout: optional(z.int().min(0).max(43_200)),
    WaitTimeSeconds: optional(z.int().min(0).max(20)),
    AttributeNames: strings,
    MessageSystemAttributeNames: strings,
    MessageAttributeNames: strings,
    ReceiveRequestAttemptId: text,
  }),
  DeleteMessage: z.object({ QueueUrl: text, ReceiptHandle: text }),
  ChangeMessageVisibility: z.object({
    QueueUrl: text,
    ReceiptHandle: text,
    VisibilityTimeout: optional(z.int()),
  }),
  GetQueueUrl: z.object({ QueueName: text, QueueOwnerAWSAccountId: text }),
  ListQueues: z.object({
    QueueNamePrefix: text,
    NextToken: text,
    MaxResults: optional(z.int().min(1).max(1000)),
  }),
  GetQueueAttributes: z.object({ QueueUrl: text, AttributeNames: strings }),
  PurgeQueue: z.object({ QueueUrl: text }),
  StartMessageMoveTask: z.object({
    SourceArn: text,
    DestinationArn: text,
    MaxNumberOfMessagesPerSecond: optional(z.int().min(1).max(500)),
  }),
};
/** SendMessage's limit on a body, in bytes. */
const MESSAGE_MAX_BYTES = 262_144;
/** The characters SQS accepts in a message body (XML's). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the allowed set is defined by code points
const MESSAGE_CHARACTERS = /^[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

export interface SqsService {
  handle(operation: string, input: unknown): Promise<unknown>;
  queue(nameUrlOrArn: string): LocalQueue;
}

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
  const required = (input: Record<string, unknown>, field: string): string => {
    const value = input[field];
    if (typeof value !== 'string' || value === '') {
      throw new AwsServiceError('MissingParameter', `The request must contain the parameter ${field}.`);
    }
    return value;
  };
  const urlOf = (q: LocalQueue) => `${endpoint()}/${q.arn.split(':')[4]}/${q.name}`;

  const operations: Record<string, (input: unknown) => unknown> = {
    SendMessage: (body) => {
      const input = parseInput(SHAPES.SendMessage, body);
      const queue = find(required(input, 'QueueUrl'));
      const message = required(input, 'MessageBody');
      if (Buffer.byteLength(message) > MESSAGE_MAX_BYTES) {
        throw new AwsServiceError(
          'InvalidParameterValue',
          `One or more parameters are invalid. Reason: Message must be shorter than ${MESSAGE_MAX_BYTES} bytes.`,
        );
      }
      if (!MESSAGE_CHARACTERS.test(message)) {
        throw new AwsServiceError(
          'InvalidMessageContents',
          'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
        );
      }
      const { messageId, md5OfBody } = queue.send(
        message,
        input.DelaySeconds ?? 0,
        (input.MessageAttributes ?? {}) as MessageAttributes,
      );
      return { MessageId: messageId, MD5OfMessageBody: md5OfBody };
    },
    ReceiveMessage: (body) => {
      const input = parseInput(SHAPES.ReceiveMessage, body);
      const queue = find(required(input, 'QueueUrl'));
      const messages = queue.receive(input.MaxNumberOfMessages ?? 1, input.VisibilityTimeout);
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
    DeleteMessage: (body) => {
      const input = parseInput(SHAPES.DeleteMessage, body);
      find(required(input, 'QueueUrl')).delete(required(input, 'ReceiptHandle'));
      return {};
    },
    ChangeMessageVisibility: (body) => {
      const input = parseInput(SHAPES.ChangeMessageVisibility, body);
      const queue = find(required(input, 'QueueUrl'));
      const receiptHandle = required(input, 'ReceiptHandle');
      if (input.VisibilityTimeout === undefined)
        throw new AwsServiceError(
          'MissingParameter',
          'The request must contain the parameter VisibilityTimeout.',
        );
      queue.changeVisibility(receiptHandle, input.VisibilityTimeout);
      return {};
    },
    GetQueueUrl: (body) => {
      const input = parseInput(SHAPES.GetQueueUrl, body);
      return { QueueUrl: urlOf(find(required(input, 'QueueName'))) };
    },
    ListQueues: (body) => {
      const { QueueNamePrefix = '' } = parseInput(SHAPES.ListQueues, body);
      return { QueueUrls: queues.filter((q) => q.name.startsWith(QueueNamePrefix)).map(urlOf) };
    },
    GetQueueAttributes: (body) => {
      const input = parseInput(SHAPES.GetQueueAttributes, body);
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
    PurgeQueue: (body) => {
      find(required(parseInput(SHAPES.PurgeQueue, body), 'QueueUrl')).takeAll();
      return {};
    },
    // The DLQ redrive API: moves every message from SourceArn back to DestinationArn (or the
    // queue whose redrive policy names the source), at once rather than at a rate.
    StartMessageMoveTask: (body) => {
      const input = parseInput(SHAPES.StartMessageMoveTask, body);
      const source = find(required(input, 'SourceArn'));
      const destination = input.DestinationArn
        ? find(input.DestinationArn)
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
