import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateOptimizationJobCommand,
  DescribeOptimizationJobCommand,
  ResourceInUse,
  ResourceLimitExceeded,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/start-optimization';
import { trackingInputSchema } from '../../src/job/tracking-input';
import { loadEvent } from '../support/events';

const sageMaker = mockClient(SageMakerClient);
const sfn = mockClient(SFNClient);
const eventBridge = mockClient(EventBridgeClient);
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);

const context = {
  functionName: 'start-optimization',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const body = (text: string) =>
  ({ Body: { transformToString: async () => text } }) as unknown as GetObjectCommandOutput;
const sample = (name: string) => loadEvent<SQSEvent>(`sqs/${name}.json`);
const batchOf = (...events: SQSEvent[]): SQSEvent => ({
  Records: events.flatMap((e, i) => e.Records.map((r) => ({ ...r, messageId: `m${i}` }))),
});
const record = (event: SQSEvent): SQSRecord => event.Records[0] as SQSRecord;
const putDetails = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => ({ detailType: entry.DetailType, detail: JSON.parse(entry.Detail ?? '{}') }));

beforeEach(() => {
  for (const mock of [sageMaker, sfn, eventBridge, s3, sqs]) mock.reset();
  sageMaker.on(CreateOptimizationJobCommand).callsFake(async (input) => ({
    OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
  }));
  sfn.on(StartExecutionCommand).callsFake(async (input) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
  s3.on(GetObjectCommand, { Key: 'models/tiny-llm/optimization.json' }).resolves(
    body('{"techniques":[{"compilation":{}}]}'),
  );
  s3.on(GetObjectCommand, { Key: 'models/tiny-llm-bad/optimization.json' }).resolves(
    body('{"techniques":[{"pruning":{}}],"deploymentInstanceType":"ml.m5.large"}'),
  );
  s3.on(ListObjectsV2Command).resolves({
    Contents: [{ Key: 'models/x/config.json' }, { Key: 'models/x/optimization.json' }],
  });
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
});

describe('start-optimization handler', () => {
  it('reports only the throttled record of a mixed batch as failed, and rejects the invalid one', async () => {
    const throttled = sample('url-encoded-key');
    sageMaker
      .on(CreateOptimizationJobCommand, { OptimizationJobName: expect.stringMatching(/^my-model-v2-e-/) })
      .rejects(
        new SageMakerServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {} }),
      );
    const event = batchOf(
      sample('tar-gz-drop'),
      sample('ignored-key'),
      sample('bad-manifest'),
      throttled,
      sample('manifest-drop'),
    );

    const result = await handler(event, context);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(putDetails()).toEqual([
      {
        detailType: 'Model Upload Rejected',
        detail: expect.objectContaining({
          status: 'REJECTED',
          errors: [
            {
              path: '$.deploymentInstanceType',
              message: expect.stringContaining('is not an instance type the optimization-job API accepts'),
            },
            { path: '$.techniques[0]', message: expect.stringContaining('unknown technique "pruning"') },
          ],
          model: expect.objectContaining({ key: 'models/tiny-llm-bad/optimization.json' }),
        }),
      },
    ]);
  });

  it('creates the job on the artifact and starts tracking with the job name and a deterministic input', async () => {
    await handler(sample('tar-gz-drop'), context);

    const [create] = sageMaker.commandCalls(CreateOptimizationJobCommand);
    const jobName = create?.args[0].input.OptimizationJobName;
    expect(jobName).toMatch(/^tiny-llm-[0-9a-f]{10}$/);
    expect(create?.args[0].input).toMatchObject({
      ModelSource: {
        S3: {
          S3Uri:
            's3://model-optimization-pipeline-local-models-000000000000-us-east-1/models/tiny-llm.tar.gz',
        },
      },
      OutputConfig: {
        S3OutputLocation: `s3://model-optimization-pipeline-local-models-000000000000-us-east-1/optimized/tiny-llm/${jobName}/`,
      },
      RoleArn: process.env.SAGEMAKER_ROLE_ARN,
    });
    const [start] = sfn.commandCalls(StartExecutionCommand);
    expect(start?.args[0].input.name).toBe(jobName);
    expect(JSON.parse(start?.args[0].input.input ?? '{}')).toMatchObject({
      jobName,
      jobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${jobName}`,
      eventBusName: process.env.EVENT_BUS_NAME,
      techniques: ['quantization'],
      model: {
        bucket: 'model-optimization-pipeline-local-models-000000000000-us-east-1',
        key: 'models/tiny-llm.tar.gz',
        versionId: 'v1-tarball',
      },
      tracking: {
        checkFunctionName: process.env.TRACKING_CHECK_FUNCTION_NAME,
        firstPollDelaySeconds: 300,
        pollIntervalSeconds: 60,
      },
    });
    // What start-optimization sends is what the state machine's check function accepts.
    expect(() => trackingInputSchema.parse(JSON.parse(start?.args[0].input.input ?? '{}'))).not.toThrow();
  });

  it('creates nothing new and puts no event when the same drop arrives again', async () => {
    await handler(sample('manifest-drop'), context);
    const firstInput = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceInUse({ message: 'job exists', $metadata: {} }))
      .on(DescribeOptimizationJobCommand)
      .callsFake(async (input) => ({
        OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
      }));

    const result = await handler(sample('manifest-drop'), context);

    expect(result).toEqual({ batchItemFailures: [] });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toEqual(firstInput);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('retries a PutEvents entry that EventBridge reports as failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e2' }] });

    const result = await handler(sample('bad-manifest'), context);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('redelivers the record when PutEvents keeps failing, rather than dropping the rejection', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'down' }] });

    const result = await handler(sample('bad-manifest'), context);

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: record(sample('bad-manifest')).messageId }],
    });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
  });

  it('defers a drop that meets a full job quota, with backoff, and reports it failed', async () => {
    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceLimitExceeded({ message: 'quota', $metadata: {} }));
    const event = sample('tar-gz-drop');
    (record(event).attributes as { ApproximateReceiveCount: string }).ApproximateReceiveCount = '4';

    const result = await handler(event, context);

    expect(result.batchItemFailures).toHaveLength(1);
    const [defer] = sqs.commandCalls(ChangeMessageVisibilityCommand);
    expect(defer?.args[0].input).toMatchObject({
      QueueUrl:
        'https://sqs.us-east-1.amazonaws.com/000000000000/model-optimization-pipeline-local-UploadQueue',
      ReceiptHandle: record(event).receiptHandle,
    });
    // 30 s doubled three times = 240 s, jittered into [120, 240].
    expect(defer?.args[0].input.VisibilityTimeout).toBeGreaterThanOrEqual(120);
    expect(defer?.args[0].input.VisibilityTimeout).toBeLessThanOrEqual(240);
  });

  it('consumes S3 test events without creating anything', async () => {
    const event = sample('tar-gz-drop');
    record(event).body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' });

    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(sageMaker).not.toHaveReceivedAnyCommand();
    expect(eventBridge).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a body that is not JSON', 'not json{', 'message body is not JSON'],
    [
      'a message that is not an S3 notification',
      '{"hello":"world"}',
      'message is not an S3 event notification (no Records)',
    ],
  ])('rejects %s with an event and consumes it', async (_name, text, message) => {
    const event = sample('tar-gz-drop');
    record(event).body = text;

    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(putDetails()).toEqual([
      {
        detailType: 'Model Upload Rejected',
        detail: expect.objectContaining({ errors: [{ path: '$', message }] }),
      },
    ]);
  });
});
