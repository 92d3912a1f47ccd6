import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../local/sqs/queue';
import { QueueStore } from '../../local/sqs/queue-store';
import { compressedClock } from '../../local/time/clock';

const queueOn = (directory: string) => {
  const store = new QueueStore(directory, 'uploads');
  const queue: LocalQueue = new LocalQueue({
    name: 'uploads',
    arn: 'arn:aws:sqs:us-east-1:000000000000:uploads',
    url: 'uploads',
    clock: compressedClock(1),
    visibilityTimeoutSeconds: 30,
    onChange: () => store.changed(() => queue.snapshot()),
    onAccept: (message) => store.accepted(message),
  });
  queue.restore(store.load());
  return { store, queue };
};

describe('a local queue on disk', () => {
  it('keeps a message it accepted even when the process dies before the next snapshot', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mop-queue-'));
    const { queue } = queueOn(directory);

    queue.send('{"n":1}');
    queue.send('{"n":2}');
    // No flush: the process is gone (kill -9) before the snapshot timer fires.

    const restarted = queueOn(directory).queue;
    expect(restarted.receive(10).map((m) => m.body)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('restores deletions and receive counts from the snapshot, and ignores a journal line cut short', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mop-queue-'));
    const { queue, store } = queueOn(directory);
    queue.send('keep');
    const gone = queue.send('gone');
    const received = queue.receive(10);
    const receipt = received.find((m) => m.messageId === gone.messageId)?.receiptHandle ?? '';
    queue.delete(receipt);
    store.flush();
    writeFileSync(join(directory, 'uploads.journal.jsonl'), '{"messageId":"half', { flag: 'a' });

    const restarted = queueOn(directory).queue;
    expect(restarted.snapshot().map((m) => [m.body, m.receiveCount])).toEqual([['keep', 1]]);
  });
});
