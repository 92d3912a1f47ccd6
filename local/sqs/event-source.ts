/**
 * The Lambda event source mapping for an SQS queue: polls in batches, invokes the function,
 * deletes what succeeded and leaves the rest to reappear after the visibility timeout, as
 * `ReportBatchItemFailures` asks. A thrown error fails the whole batch.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalQueue, MessageAttributes, ReceivedMessage } from './queue';

export interface EventSourceOptions {
  queue: LocalQueue;
  region: string;
  batchSize: number;
  /** Concurrent batches in flight, like Lambda's pollers. */
  concurrency: number;
  invoke: (event: SQSEvent) => Promise<unknown>;
  onBatch?: (info: { size: number; failed: number; error?: unknown }) => void;
}

export interface EventSource {
  stop(): Promise<void>;
}

/** Starts polling; `stop()` waits for the batches in flight to finish. */
export function startEventSource(options: EventSourceOptions): EventSource {
  let signalStop = () => {};
  const stopping = new Promise<void>((resolve) => {
    signalStop = resolve;
  });
  let running = true;
  const workers = Array.from({ length: options.concurrency }, () => poll(options, () => running, stopping));
  return {
    async stop() {
      running = false;
      signalStop();
      await Promise.all(workers);
    },
  };
}

async function poll(
  options: EventSourceOptions,
  running: () => boolean,
  stopping: Promise<void>,
): Promise<void> {
  const { queue } = options;
  while (running()) {
    const messages = queue.receive(options.batchSize);
    if (messages.length === 0) {
      await Promise.race([queue.waitForMessages(60_000), stopping]);
      continue;
    }
    const ids = messages.map((m) => m.messageId);
    queue.hold(ids);
    try {
      await deliver(messages, options);
    } finally {
      queue.release(ids);
    }
  }
}

async function deliver(messages: ReceivedMessage[], options: EventSourceOptions): Promise<void> {
  const event: SQSEvent = {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: m.attributes,
      messageAttributes: lambdaMessageAttributes(m.messageAttributes),
      md5OfBody: m.md5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: options.queue.arn,
      awsRegion: options.region,
    })),
  };
  let failedIds: Set<string>;
  let error: unknown;
  try {
    const result = (await options.invoke(event)) as SQSBatchResponse | undefined;
    failedIds = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch (caught) {
    error = caught;
    failedIds = new Set(messages.map((m) => m.messageId));
  }
  for (const m of messages) {
    if (failedIds.has(m.messageId)) continue;
    try {
      options.queue.delete(m.receiptHandle);
    } catch {
      // The message was received again after its visibility expired; the newer receive owns it.
    }
  }
  options.onBatch?.({ size: messages.length, failed: failedIds.size, error });
}

/** Message attributes as Lambda's SQS event source puts them in a record. */
function lambdaMessageAttributes(attributes: MessageAttributes): SQSRecord['messageAttributes'] {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        dataType: value.DataType,
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue !== undefined && { binaryValue: value.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );
}
