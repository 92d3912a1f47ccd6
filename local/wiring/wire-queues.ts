/** Wiring step: the queues serverless.yml declares, each with its store and dead-letter queue. */
import { join } from 'node:path';
import { LocalQueue, type QueueMessage } from '../sqs/queue';
import { QueueStore } from '../sqs/queue-store';
import type { Wiring } from './wiring';

export interface WiredQueues {
  /** By logical id. */
  queues: Map<string, LocalQueue>;
  /** The queue of a logical id (made on first use, its dead-letter queue first). */
  queueOf(logicalId: string): LocalQueue;
  /** Writes every queue's state. */
  flush(): void;
}

export function wireQueues(w: Wiring): WiredQueues {
  const queues = new Map<string, LocalQueue>();
  const stores: QueueStore[] = [];
  const queueOf = (logicalId: string): LocalQueue => {
    const existing = queues.get(logicalId);
    if (existing) return existing;
    const def = w.description.queues.find((q) => q.logicalId === logicalId);
    if (!def) throw new Error(`serverless.yml declares no queue ${logicalId}`);
    const deadLetterQueue = def.redrive && queueOf(def.redrive.deadLetterLogicalId);
    const names = w.description.names[logicalId];
    const store = new QueueStore(join(w.dataDir, 'sqs'), def.name);
    stores.push(store);
    const queue: LocalQueue = new LocalQueue({
      name: def.name,
      arn: names?.arn ?? def.name,
      url: names?.ref ?? def.name,
      clock: w.clock,
      visibilityTimeoutSeconds: def.visibilityTimeoutSeconds,
      ...(def.redrive &&
        deadLetterQueue && { redrive: { deadLetterQueue, maxReceiveCount: def.redrive.maxReceiveCount } }),
      onChange: () => store.changed(() => queue.snapshot()),
      onAccept: (message) => store.accepted(message),
      onDeadLetter: (message: QueueMessage) =>
        w.emit({ kind: 'dead-lettered', at: w.clock.now(), queue: def.name, count: message.receiveCount }),
    });
    queue.restore(store.load());
    queues.set(logicalId, queue);
    return queue;
  };
  for (const q of w.description.queues) queueOf(q.logicalId);
  return {
    queues,
    queueOf,
    flush() {
      for (const store of stores) store.flush();
    },
  };
}
