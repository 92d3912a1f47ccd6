/**
 * Message attributes and the redrive policy on the local SQS, as start-optimization uses them:
 * a deferred drop carries when its wait began; a drop past the longest wait goes to the DLQ the
 * queue's RedrivePolicy names, with its reason, and keeps it through a redrive.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { startEventSource } from '../../local/sqs/event-source';
import { LocalQueue } from '../../local/sqs/queue';
import { createSqsService } from '../../local/sqs/service';
import { compressedClock } from '../../local/time/clock';

function queues() {
  const clock = compressedClock(10_000);
  const queue = (name: string, redrive?: { deadLetterQueue: LocalQueue; maxReceiveCount: number }) =>
    new LocalQueue({
      name,
      arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
      url: name,
      clock,
      visibilityTimeoutSeconds: 30,
      ...(redrive && { redrive }),
    });
  const deadLetters = queue('uploads-dlq');
  const uploads = queue('uploads', { deadLetterQueue: deadLetters, maxReceiveCount: 3 });
  const service = createSqsService([uploads, deadLetters], () => 'http://127.0.0.1:4618');
  return { uploads, deadLetters, service };
}

const REASON = { reason: { DataType: 'String', StringValue: 'QuotaWaitExceeded' } };

describe('message attributes on the local SQS', () => {
  it('reports the queue’s RedrivePolicy, naming its DLQ', async () => {
    const { service } = queues();

    const { Attributes } = (await service.handle('GetQueueAttributes', {
      QueueUrl: 'http://127.0.0.1:4618/000000000000/uploads',
      AttributeNames: ['RedrivePolicy'],
    })) as { Attributes: Record<string, string> };

    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:uploads-dlq',
      maxReceiveCount: 3,
    });
  });

  it('returns only the attributes ReceiveMessage asks for, and none unasked', async () => {
    const { service } = queues();
    const send = (MessageBody: string) =>
      service.handle('SendMessage', {
        QueueUrl: 'uploads',
        MessageBody,
        MessageAttributes: { ...REASON, other: { DataType: 'Number', StringValue: '1' } },
      });
    await send('a');
    await send('b');
    await send('c');
    const receive = async (names?: string[]) => {
      const { Messages } = (await service.handle('ReceiveMessage', {
        QueueUrl: 'uploads',
        ...(names && { MessageAttributeNames: names }),
      })) as { Messages: { MessageAttributes?: Record<string, unknown> }[] };
      return Messages[0]?.MessageAttributes;
    };

    expect(await receive()).toBeUndefined();
    expect(await receive(['reason'])).toEqual(REASON);
    expect(await receive(['All'])).toEqual({ ...REASON, other: { DataType: 'Number', StringValue: '1' } });
  });

  it('keeps a message’s attributes in the DLQ and back through a redrive', async () => {
    const { uploads, deadLetters, service } = queues();
    await service.handle('SendMessage', {
      QueueUrl: 'uploads-dlq',
      MessageBody: 'drop',
      MessageAttributes: REASON,
    });

    await service.handle('StartMessageMoveTask', { SourceArn: deadLetters.arn });

    expect(uploads.receive(1)).toEqual([
      expect.objectContaining({ body: 'drop', messageAttributes: REASON }),
    ]);
  });

  it('puts the attributes in the Lambda record as the event source mapping does', async () => {
    const { uploads } = queues();
    const records: SQSEvent['Records'] = [];
    const source = startEventSource({
      queue: uploads,
      region: 'us-east-1',
      batchSize: 10,
      concurrency: 1,
      invoke: async (event: SQSEvent) => {
        records.push(...event.Records);
        return { batchItemFailures: [] };
      },
    });

    uploads.send('drop', 0, { quotaWaitSince: { DataType: 'Number', StringValue: '1795168800000' } });
    while (uploads.stats().total > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await source.stop();

    expect(records.map((r) => r.messageAttributes)).toEqual([
      {
        quotaWaitSince: {
          dataType: 'Number',
          stringValue: '1795168800000',
          stringListValues: [],
          binaryListValues: [],
        },
      },
    ]);
  });
});
