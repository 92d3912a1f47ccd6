import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { startEventSource } from '../../local/sqs/event-source';
import { LocalQueue } from '../../local/sqs/queue';
import { compressedClock } from '../../local/time/clock';

describe('the SQS event source of the local stack', () => {
  it('delivers a message once while its invocation outlasts the visibility timeout on a compressed clock', async () => {
    // 30 simulated seconds of visibility are 3 ms at ×10,000; the invocation takes 50 ms.
    const queue = new LocalQueue({
      name: 'q',
      arn: 'arn:aws:sqs:us-east-1:000000000000:q',
      url: 'q',
      clock: compressedClock(10_000),
      visibilityTimeoutSeconds: 30,
    });
    const deliveries: string[] = [];
    const source = startEventSource({
      queue,
      region: 'us-east-1',
      batchSize: 10,
      concurrency: 2,
      invoke: async (event: SQSEvent) => {
        deliveries.push(...event.Records.map((r) => r.body));
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { batchItemFailures: [] };
      },
    });

    queue.send('drop');
    while (queue.stats().total > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await source.stop();

    expect(deliveries).toEqual(['drop']);
  });
});
