/**
 * The longest wait for a job slot (defect: waiting for quota was unbounded). A drop that meets
 * a full quota goes back on the queue with when its wait began; past `maxQuotaWaitSeconds` it
 * goes to the queue's DLQ instead, with its reason, an error log line and a metric. The same
 * path on the local stack's clock: test/e2e/quota.test.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateOptimizationJobCommand,
  ResourceLimitExceeded,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { NoDeadLetterQueueError } from '../../src/errors';
import { METRIC } from '../../src/observability';
import { handleUploadRecord, QUOTA_WAIT_EXCEEDED, type RecordDeps } from '../../src/start/handle-record';
import { loadEvent } from '../support/events';

const sageMaker = mockClient(SageMakerClient);
const sqs = mockClient(SQSClient);

const UPLOAD_QUEUE = 'model-optimization-pipeline-local-UploadQueue';
const DEAD_LETTER_QUEUE = 'model-optimization-pipeline-local-UploadDeadLetterQueue';
const urlOf = (name: string) => `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`;
const MAX_WAIT_SECONDS = 7 * 24 * 3600;
const NOW = Date.parse('2026-11-28T12:00:00.000Z');

/** The sample tar.gz drop, as a message a deferral put back with its wait starting at `waitSince`. */
function dropRecord(waitSince?: number): SQSRecord {
  const [record] = loadEvent<SQSEvent>('sqs/tar-gz-drop.json').Records;
  if (!record) throw new Error('sample has no record');
  if (waitSince !== undefined) {
    record.messageAttributes = {
      quotaWaitSince: {
        dataType: 'Number',
        stringValue: String(waitSince),
        stringListValues: [],
        binaryListValues: [],
      },
    };
  }
  return record;
}

function depsLoggingTo(lines: string[]): RecordDeps & { metrics: Metrics } {
  const logger = new Logger({ serviceName: 'test', logLevel: 'WARN' });
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => lines.push(String(line)));
  vi.spyOn(console, 'warn').mockImplementation((line: unknown) => lines.push(String(line)));
  return {
    config: { ...loadConfig(), maxQuotaWaitSeconds: MAX_WAIT_SECONDS },
    s3: {} as RecordDeps['s3'],
    sageMaker: new SageMakerClient({}),
    sfn: new SFNClient({}),
    sqs: new SQSClient({ region: 'us-east-1' }),
    now: () => new Date(NOW),
    logger,
    metrics: new Metrics({ namespace: 'test', serviceName: 'test' }),
  };
}

const sends = () => sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);

beforeEach(() => {
  vi.restoreAllMocks();
  sageMaker.reset();
  sqs.reset();
  sageMaker
    .on(CreateOptimizationJobCommand)
    .rejects(new ResourceLimitExceeded({ message: 'quota', $metadata: {} }));
  sqs.on(SendMessageCommand).resolves({});
  sqs.on(GetQueueAttributesCommand).resolves({
    Attributes: {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${DEAD_LETTER_QUEUE}`,
        maxReceiveCount: 30,
      }),
    },
  });
});

describe('waiting for a free job slot', () => {
  it('puts a drop that first meets a full quota back on the queue, marked with when its wait began', async () => {
    const deps = depsLoggingTo([]);

    const outcomes = await handleUploadRecord(dropRecord(), deps);

    expect(outcomes).toEqual([{ kind: 'deferred', delaySeconds: expect.any(Number) }]);
    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: urlOf(UPLOAD_QUEUE),
        MessageAttributes: { quotaWaitSince: { DataType: 'Number', StringValue: String(NOW) } },
      }),
    ]);
  });

  it('keeps when the wait began each time the drop meets a full quota again', async () => {
    const began = NOW - 3 * 24 * 3600_000;

    await handleUploadRecord(dropRecord(began), depsLoggingTo([]));

    expect(sends()).toEqual([
      expect.objectContaining({
        QueueUrl: urlOf(UPLOAD_QUEUE),
        MessageAttributes: { quotaWaitSince: { DataType: 'Number', StringValue: String(began) } },
      }),
    ]);
  });

  it('defers a drop that has waited exactly maxQuotaWaitSeconds once more', async () => {
    const outcomes = await handleUploadRecord(dropRecord(NOW - MAX_WAIT_SECONDS * 1000), depsLoggingTo([]));

    expect(outcomes.map((o) => o.kind)).toEqual(['deferred']);
    expect(sends().map((s) => s.QueueUrl)).toEqual([urlOf(UPLOAD_QUEUE)]);
  });

  it('sends a drop that has waited longer than maxQuotaWaitSeconds to the queue’s DLQ, says why and counts it', async () => {
    const lines: string[] = [];
    const deps = depsLoggingTo(lines);
    const addMetric = vi.spyOn(deps.metrics, 'addMetric');
    const record = dropRecord(NOW - (MAX_WAIT_SECONDS + 1) * 1000);

    const outcomes = await handleUploadRecord(record, deps);

    expect(outcomes).toEqual([
      {
        kind: 'quota-wait-exceeded',
        quotaWaitSeconds: MAX_WAIT_SECONDS + 1,
        deadLetterQueueArn: `arn:aws:sqs:us-east-1:000000000000:${DEAD_LETTER_QUEUE}`,
      },
    ]);
    // The DLQ is the one the upload queue's own RedrivePolicy names.
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({
      QueueUrl: urlOf(UPLOAD_QUEUE),
      AttributeNames: ['RedrivePolicy'],
    });
    // The notification as it arrived, without the wait's start: a redrive starts a new wait.
    expect(sends()).toEqual([
      {
        QueueUrl: urlOf(DEAD_LETTER_QUEUE),
        MessageBody: record.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: QUOTA_WAIT_EXCEEDED },
          quotaWaitSeconds: { DataType: 'String', StringValue: String(MAX_WAIT_SECONDS + 1) },
        },
      },
    ]);
    expect(addMetric).toHaveBeenCalledWith(METRIC.quotaWaitsExceeded, 'Count', 1);
    const logged = lines.map((line) => JSON.parse(line));
    expect(logged).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'drop waited longer than maxQuotaWaitSeconds for a job slot; sent to the DLQ',
        reason: QUOTA_WAIT_EXCEEDED,
        keys: ['models/tiny-llm.tar.gz'],
        quotaWaitSeconds: MAX_WAIT_SECONDS + 1,
        maxQuotaWaitSeconds: MAX_WAIT_SECONDS,
      }),
    ]);
  });

  it('starts a new wait for a drop redriven from the DLQ (its reason, but no start of a wait)', async () => {
    const record = dropRecord();
    record.messageAttributes = {
      reason: {
        dataType: 'String',
        stringValue: QUOTA_WAIT_EXCEEDED,
        stringListValues: [],
        binaryListValues: [],
      },
    };

    const outcomes = await handleUploadRecord(record, depsLoggingTo([]));

    expect(outcomes.map((o) => o.kind)).toEqual(['deferred']);
    expect(sends()[0]?.MessageAttributes).toEqual({
      quotaWaitSince: { DataType: 'Number', StringValue: String(NOW) },
    });
  });

  it('fails the record, to be redelivered, when the queue has no DLQ to send it to', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });

    await expect(
      handleUploadRecord(dropRecord(NOW - (MAX_WAIT_SECONDS + 1) * 1000), depsLoggingTo([])),
    ).rejects.toThrow(NoDeadLetterQueueError);
    expect(sends()).toEqual([]);
  });
});
