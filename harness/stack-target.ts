/**
 * A running local stack as the fault suite sees it: an endpoint, real SDK clients, the admin
 * API and the events log. Works the same for a stack in the test process and one in a child
 * process; nothing here reaches into the stack's objects.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { adminClient } from '../local/admin/admin-client';
import type { FaultSpec } from '../local/protocol/request-faults';
import type { OutcomeOverride } from '../local/sagemaker';
import { findModelsBuckets } from '../src/client';
import { readEventsLog, type StoredEvent } from './bus-events';

export const UPLOAD_QUEUE = 'model-optimization-pipeline-local-UploadQueue';

export interface Target {
  endpoint: string;
  region: string;
  bucket: string;
  stateMachineArn: string;
  uploadQueueUrl: string;
  s3: S3Client;
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  sqs: SQSClient;
  /** Every event put on the bus so far. */
  events(): StoredEvent[];
  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Request faults on one service (`POST /_local/faults`). */
  inject(service: 'sagemaker' | 'stepfunctions' | 'eventbridge', spec: FaultSpec): Promise<void>;
  /** A SageMaker outcome override (`POST /_local/sagemaker/outcomes`); JSON matches only. */
  overrideOutcome(
    override: OutcomeOverride & { match: { name?: string; nameContains?: string } },
  ): Promise<void>;
  clearFaults(): Promise<void>;
  /** Messages visible or in flight per queue (`GET /_local/queues`). */
  queues(): Promise<Record<string, { visible: number; inFlight: number; total: number }>>;
  destroy(): void;
}

/** Connects to the stack at `endpoint`; its events log is at `eventsLogPath`. */
export async function connect(
  endpoint: string,
  eventsLogPath: string,
  region = 'us-east-1',
): Promise<Target> {
  const config = { endpoint, region, credentials: { accessKeyId: 'any', secretAccessKey: 'thing' } };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sageMaker = new SageMakerClient(config);
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const admin = adminClient(endpoint);
  const [bucket = ''] = await findModelsBuckets(s3, 'local', region);
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: UPLOAD_QUEUE }));
  return {
    endpoint,
    region,
    bucket,
    stateMachineArn: stateMachines?.[0]?.stateMachineArn ?? '',
    uploadQueueUrl: QueueUrl ?? '',
    s3,
    sageMaker,
    sfn,
    sqs,
    events: () => readEventsLog(eventsLogPath),
    admin,
    inject: async (service, spec) => {
      await admin('POST', '/_local/faults', { service, ...spec });
    },
    overrideOutcome: async (override) => {
      await admin('POST', '/_local/sagemaker/outcomes', override);
    },
    clearFaults: async () => {
      await admin('DELETE', '/_local/faults');
    },
    queues: () => admin('GET', '/_local/queues'),
    destroy() {
      for (const client of [s3, sageMaker, sfn, sqs]) client.destroy();
    },
  };
}
