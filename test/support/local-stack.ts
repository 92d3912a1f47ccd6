import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readEventsLog, type StoredEvent } from '../../harness/bus-events';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack';
import { aslExecutor } from '../../local/stepfunctions/executor';

export interface TestStack {
  stack: LocalStack;
  s3: S3Client;
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  /** Every event put on the bus so far, from `.local/events.jsonl`. */
  events(): StoredEvent[];
  /** Polls `events()` until `done(events)` holds; fails with what was seen after `timeoutMs` (real time). */
  waitForEvents(done: (events: StoredEvent[]) => boolean, timeoutMs?: number): Promise<StoredEvent[]>;
  /** Waits until no message is visible or in flight on any queue but the DLQs. */
  waitForQueuesEmpty(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack on a random port with its state in a fresh temp folder, and real SDK
 * clients pointed at it. The compressed clock runs fast so jobs take seconds.
 */
export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  // A folder of its own goes when the stack stops (about 80 MB per test run otherwise stayed in
  // the system's temporary folder); a caller's folder stays.
  const ownDataDir = options.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'mop-stack-'));
  const stack = await startLocalStack({
    port: 0,
    dataDir: ownDataDir,
    clockSpeed: 200,
    execute: aslExecutor,
    ...options,
    sageMaker: {
      durations: { startingSeconds: 30, inProgressSeconds: 120, stoppingSeconds: 20 },
      ...options.sageMaker,
    },
  });
  const config = {
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  };
  const events = () => readEventsLog(stack.eventsLogPath);
  const clients = {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sageMaker: new SageMakerClient(config),
    sfn: new SFNClient(config),
    sqs: new SQSClient(config),
    eventBridge: new EventBridgeClient(config),
  };
  return {
    stack,
    ...clients,
    events,
    async waitForEvents(done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = events();
        if (done(seen)) return seen;
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for events; saw:\n${seen.map((e) => `  ${e['detail-type']} ${e.detail.jobName ?? ''}`).join('\n')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async waitForQueuesEmpty(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const busy = () =>
        [...stack.queues.values()].some((q) => !/DeadLetter/.test(q.name) && q.stats().total > 0);
      while (busy()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the queues to drain');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** Stops the stack; rejects if it counted an internal error (a bug it survived). */
    async stop() {
      for (const client of Object.values(clients)) client.destroy();
      await stack.stop();
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      if (stack.internalErrors.count > 0) {
        throw new Error(
          `the local stack counted ${stack.internalErrors.count} internal error(s): see the stack traces logged above`,
        );
      }
    },
  };
}
