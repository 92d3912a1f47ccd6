/**
 * The upload DLQ: list its messages (the drops they were about) and move them back to the
 * upload queue with SQS's DLQ redrive API, StartMessageMoveTask.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { decodeS3Key } from '../drop/decode-key';

/** One message waiting in the DLQ. */
export interface DeadLetter {
  messageId: string;
  /** ApproximateReceiveCount, this listing's receive included. */
  receiveCount: number;
  sentAt?: string;
  /**
   * Why start-optimization sent it there itself (its `reason` attribute), e.g. `QuotaWaitExceeded`;
   * absent for a message SQS moved after `maxReceiveCount` failed receives.
   */
  reason?: string;
  /** The objects the S3 notification names, keys decoded. */
  objects: { bucket: string; key: string }[];
  /** The body's start, when it is not an S3 notification. */
  body?: string;
}

/** What `redrive --dry-run` found. */
export interface DeadLetterListing {
  approximateCount: number;
  messages: DeadLetter[];
}

/** A started DLQ move task. */
export interface MoveResult {
  /** Messages in the DLQ when the move started (SQS's approximate count). */
  approximateCount: number;
  /** Absent when there was nothing to move. */
  taskHandle?: string;
}

/** How long listed messages stay hidden while the listing pages through the queue. */
const LISTING_VISIBILITY_SECONDS = 300;

const approximateCount = async (sqs: SQSClient, queueUrl: string): Promise<number> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
};

/**
 * Lists up to `max` messages without moving or deleting them. Peeking with a visibility
 * timeout of 0 would return the first batch again and again, so each batch is hidden while the
 * next is received, and every listed message is made visible again at the end. Receiving counts
 * as a receive (ApproximateReceiveCount goes up by one); a DLQ has no redrive policy, so that
 * moves nothing.
 */
export async function listDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  max = 100,
): Promise<DeadLetterListing> {
  const count = await approximateCount(sqs, queueUrl);
  const seen = new Map<string, DeadLetter>();
  const handles: string[] = [];
  try {
    while (seen.size < Math.min(count, max)) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: LISTING_VISIBILITY_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          MessageAttributeNames: ['reason'],
        }),
      );
      const fresh = Messages.filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of Messages) if (m.ReceiptHandle) handles.push(m.ReceiptHandle);
      for (const m of fresh) {
        const sent = Number(m.Attributes?.SentTimestamp);
        const reason = m.MessageAttributes?.reason?.StringValue;
        seen.set(m.MessageId as string, {
          messageId: m.MessageId as string,
          receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
          ...(Number.isFinite(sent) && { sentAt: new Date(sent).toISOString() }),
          ...(reason && { reason }),
          ...describeBody(m.Body ?? ''),
        });
      }
    }
  } finally {
    await Promise.allSettled(
      handles.map((ReceiptHandle) =>
        sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle, VisibilityTimeout: 0 }),
        ),
      ),
    );
  }
  return { approximateCount: count, messages: [...seen.values()].slice(0, max) };
}

/** Starts moving every DLQ message back to the upload queue. */
export async function moveDeadLetters(
  sqs: SQSClient,
  queues: { deadLetterQueueUrl: string; deadLetterQueueArn: string; uploadQueueArn: string },
): Promise<MoveResult> {
  const count = await approximateCount(sqs, queues.deadLetterQueueUrl);
  if (count === 0) return { approximateCount: 0 };
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: queues.deadLetterQueueArn,
      DestinationArn: queues.uploadQueueArn,
    }),
  );
  return { approximateCount: count, ...(TaskHandle && { taskHandle: TaskHandle }) };
}

/** The objects an S3 notification body names, or the start of any other body. */
export function describeBody(body: string): Pick<DeadLetter, 'objects' | 'body'> {
  try {
    const parsed = JSON.parse(body) as {
      Event?: string;
      Records?: { s3?: { bucket?: { name?: string }; object?: { key?: string } } }[];
    };
    if (parsed.Event === 's3:TestEvent') return { objects: [], body: 's3:TestEvent' };
    const objects = (parsed.Records ?? []).flatMap((r) => {
      const key = r.s3?.object?.key;
      if (!key) return [];
      let decoded = key;
      try {
        decoded = decodeS3Key(key);
      } catch {
        // Keep the raw key: the listing should show what is there.
      }
      return [{ bucket: r.s3?.bucket?.name ?? '', key: decoded }];
    });
    if (objects.length > 0) return { objects };
  } catch {
    // Not JSON: shown as text below.
  }
  return { objects: [], body: body.length > 200 ? `${body.slice(0, 200)}…` : body };
}
