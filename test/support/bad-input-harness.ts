import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateOptimizationJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { BadInput, BadInputOutcome } from '../../harness/bad-input-catalogue';
import { loadConfig } from '../../src/config';
import { encodeS3Key } from '../../src/drop/decode-key';
import type { RejectedDetail } from '../../src/events/contract';
import { handleUploadRecord } from '../../src/start/handle-record';

const BUCKET = 'models-bucket';

/** The SQS event that carries a catalogue entry to start-optimization. */
export function sqsEventFor(input: BadInput): SQSEvent {
  const body = (() => {
    const { drop } = input;
    if (drop.kind === 'body') return drop.body;
    const key = drop.kind === 'manifest' ? `models/${drop.modelId}/optimization.json` : drop.key;
    const size = drop.kind === 'manifest' ? (drop.size ?? Buffer.byteLength(drop.content)) : drop.size;
    return JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2026-11-22T00:00:00.000Z',
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: BUCKET }, object: { key: encodeS3Key(key), size, eTag: 'e0' } },
        },
      ],
    });
  })();
  return {
    Records: [
      {
        messageId: input.id,
        receiptHandle: `rh-${input.id}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'x',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:uploads',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/**
 * Runs one catalogue entry through start-optimization's record handler (what the Lambda runs
 * for each SQS record), its AWS clients mocked: S3 serves the manifest and the folder listing,
 * the other services accept anything. Returns the outcome and the rejections announced (the
 * `rejection` inputs of the executions it started, which put the Rejected events).
 */
export async function outcomeOf(
  input: BadInput,
): Promise<
  BadInputOutcome & { rejectedEvents: { errors: { path: string; message: string }[] }[]; jobsCreated: number }
> {
  const s3 = mockClient(S3Client);
  const sageMaker = mockClient(SageMakerClient);
  const sfn = mockClient(SFNClient);
  const sqs = mockClient(SQSClient);
  try {
    const { drop } = input;
    if (drop.kind === 'manifest') {
      s3.on(GetObjectCommand).resolves({
        Body: { transformToString: async () => drop.content },
      } as unknown as GetObjectCommandOutput);
      s3.on(ListObjectsV2Command).resolves({
        Contents: [...(drop.folderFiles ?? []), 'optimization.json'].map((f) => ({
          Key: `models/${drop.modelId}/${f}`,
        })),
      });
    }
    sageMaker
      .on(CreateOptimizationJobCommand)
      .resolves({ OptimizationJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:optimization-job/x' });
    sfn.on(StartExecutionCommand).resolves({
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:t:x',
      startDate: new Date(),
    });

    const [record] = sqsEventFor(input).Records;
    if (!record) throw new Error('no record');
    const outcomes = await handleUploadRecord(record, {
      config: loadConfig(),
      s3: new S3Client({}),
      sageMaker: new SageMakerClient({}),
      sfn: new SFNClient({}),
      sqs: new SQSClient({}),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'test' }),
    });

    const rejectedEvents = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => JSON.parse(c.args[0].input.input ?? '{}') as { rejection?: RejectedDetail })
      .flatMap((input) => (input.rejection ? [input.rejection] : []));
    const jobsCreated = sageMaker.commandCalls(CreateOptimizationJobCommand).length;
    const [outcome] = outcomes;
    const summary: BadInputOutcome =
      outcome?.kind === 'started'
        ? { outcome: 'accepted' }
        : outcome?.kind === 'rejected'
          ? { outcome: 'rejected', errors: outcome.issues }
          : outcome?.kind === 'ignored'
            ? { outcome: 'ignored', reason: outcome.reason }
            : { outcome: 'consumed' };
    return { ...summary, rejectedEvents, jobsCreated };
  } finally {
    for (const mock of [s3, sageMaker, sfn, sqs]) mock.restore();
  }
}
