/** Wiring step: each function's SQS triggers, polled as Lambda's event sources poll. */
import type { LambdaRuntime } from '../lambda/runtime';
import { type EventSource, startEventSource } from '../sqs/event-source';
import type { LocalQueue } from '../sqs/queue';
import type { Wiring } from './wiring';

export function wireEventSources(
  w: Wiring,
  queueOf: (logicalId: string) => LocalQueue,
  lambda: LambdaRuntime,
  concurrency: number,
): EventSource[] {
  return w.description.functions.flatMap((fn) =>
    fn.sqs.map((source) =>
      startEventSource({
        queue: queueOf(source.queueLogicalId),
        region: w.region,
        batchSize: source.batchSize,
        concurrency,
        invoke: (event) => lambda.invoke(fn.key, event),
        onBatch: (info) =>
          w.emit({
            kind: 'batch',
            at: w.clock.now(),
            functionKey: fn.key,
            size: info.size,
            failed: info.failed,
          }),
      }),
    ),
  );
}
