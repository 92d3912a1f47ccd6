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
import {
  ExecutionAlreadyExists,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/start-optimization';
import { executionArnFor } from '../../src/execution-arn';
import { trackingInputSchema } from '../../src/job/tracking-input';
import { loadEvent } from '../support/events';

const sageMaker = mockClient(SageMakerClient);
const sfn = mockClient(SFNClient);
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
const starts = () => sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
/** The rejections announced: executions started with a `rejection` input, by name. */
const rejections = () =>
  starts()
    .map((input) => ({ name: input.name, input: JSON.parse(input.input ?? '{}') }))
    .filter(({ input }) => input.rejection)
    .map(({ name, input }) => ({ name, detail: input.rejection }));
const trackingStarts = () => starts().filter((input) => !JSON.parse(input.input ?? '{}').rejection);

beforeEach(() => {
  for (const mock of [sageMaker, sfn, s3, sqs]) mock.reset();
  sageMaker.on(CreateOptimizationJobCommand).callsFake(async (input) => ({
    OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
  }));
  sfn.on(StartExecutionCommand).callsFake(async (input) => ({
    executionArn: executionArnFor(input.stateMachineArn, input.name),
    startDate: new Date(),
  }));
  s3.on(GetObjectCommand, { Key: 'models/tiny-llm/optimization.json' }).resolves(
    body('{"techniques":[{"compilation":{}}]}'),
  );
  s3.on(GetObjectCommand, { Key: 'models/tiny-llm-bad/optimization.json' }).resolves(
    body('{"techniques":[{"pruning":{}}],"deploymentInstanceType":"ml.m5.large"}'),
  );
  s3.on(ListObjectsV2Command).resolves({
    Contents: [{ Key: 'models/x/config.json' }, { Key: 'models/x/optimization.json' }],
  });
  sqs.on(SendMessageCommand).resolves({});
});

describe('start-optimization handler', () => {
  it('reports only the throttled record of a mixed batch as failed, and rejects the invalid one', async () => {
    const throttled = sample('url-encoded-key');
    // A valid manifest, so that throttling is the only thing wrong with this drop.
    s3.on(GetObjectCommand, { Key: 'models/my model+v2 é/optimization.json' }).resolves(body('{}'));
    // The job name is hashed, so the stub picks the drop by its slug. (A vitest matcher in .on()'s
    // input would never match: test/support/mock-input-guard.ts.)
    const throttledJob = /^my-model-v2-e-[0-9a-f]{10}$/;
    sageMaker.on(CreateOptimizationJobCommand).callsFake(async (input) => {
      if (throttledJob.test(input.OptimizationJobName)) {
        throw new SageMakerServiceException({
          name: 'ThrottlingException',
          message: 'Rate exceeded',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return {
        OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
      };
    });
    const event = batchOf(
      sample('tar-gz-drop'),
      sample('ignored-key'),
      sample('bad-manifest'),
      throttled,
      sample('manifest-drop'),
    );

    const result = await handler(event, context);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    // The throttled drop got as far as CreateOptimizationJob, and no further.
    const creates = sageMaker.commandCalls(CreateOptimizationJobCommand).map((c) => c.args[0].input);
    expect(creates.filter((input) => throttledJob.test(input.OptimizationJobName ?? ''))).toHaveLength(1);
    expect(trackingStarts()).toHaveLength(2);
    expect(trackingStarts().map((input) => input.name)).not.toContainEqual(
      expect.stringMatching(throttledJob),
    );
    expect(rejections()).toEqual([
      {
        name: expect.stringMatching(/^tiny-llm-bad-[0-9a-f]{10}-rejected$/),
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

  it('creates nothing new and rejects nothing when the same drop arrives again', async () => {
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
    expect(rejections()).toEqual([]);
  });

  it('creates one job and one tracking execution per variant, then the settle execution, again alike on redelivery', async () => {
    s3.on(GetObjectCommand, { Key: 'models/tiny-llm/optimization.json' }).resolves(
      body(
        JSON.stringify({
          techniques: [{ compilation: {} }],
          variants: [
            { name: 'g5', deploymentInstanceType: 'ml.g5.12xlarge' },
            { name: 'g6e', deploymentInstanceType: 'ml.g6e.12xlarge' },
          ],
        }),
      ),
    );
    await handler(sample('manifest-drop'), context);

    const creates = sageMaker.commandCalls(CreateOptimizationJobCommand).map((c) => c.args[0].input);
    expect(creates.map((c) => c.OptimizationJobName)).toEqual([
      expect.stringMatching(/^tiny-llm-g5-[0-9a-f]{10}$/),
      expect.stringMatching(/^tiny-llm-g6e-[0-9a-f]{10}$/),
    ]);
    expect(creates.map((c) => c.DeploymentInstanceType)).toEqual(['ml.g5.12xlarge', 'ml.g6e.12xlarge']);
    const [tracking1, tracking2, settle, ...more] = starts();
    expect(more).toEqual([]);
    const dropJobName = settle?.name?.replace(/-variants$/, '');
    expect(dropJobName).toMatch(/^tiny-llm-[0-9a-f]{10}$/);
    expect(creates[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'variant', Value: 'g5' },
        { Key: 'drop-job', Value: dropJobName },
      ]),
    );
    for (const [index, start] of [tracking1, tracking2].entries()) {
      expect(start?.name).toBe(creates[index]?.OptimizationJobName);
      expect(trackingInputSchema.parse(JSON.parse(start?.input ?? '{}'))).toMatchObject({
        variant: ['g5', 'g6e'][index],
        dropJobName,
      });
    }
    expect(JSON.parse(settle?.input ?? '{}')).toMatchObject({
      dropJobName,
      variants: [
        { name: 'g5', jobName: creates[0]?.OptimizationJobName, deploymentInstanceType: 'ml.g5.12xlarge' },
        { name: 'g6e', jobName: creates[1]?.OptimizationJobName, deploymentInstanceType: 'ml.g6e.12xlarge' },
      ],
      tracking: expect.objectContaining({ checkFunctionName: expect.any(String) }),
    });

    // Redelivered: every step again, by the same names and inputs.
    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceInUse({ message: 'job exists', $metadata: {} }))
      .on(DescribeOptimizationJobCommand)
      .callsFake(async (input) => ({
        OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
      }));
    await handler(sample('manifest-drop'), context);
    expect(starts().slice(3)).toEqual([tracking1, tracking2, settle]);
  });

  it('finishes a drop with variants on redelivery after a failure between two of its steps', async () => {
    s3.on(GetObjectCommand, { Key: 'models/tiny-llm/optimization.json' }).resolves(
      body(JSON.stringify({ variants: [{ name: 'a' }, { name: 'b' }] })),
    );
    // The second variant's tracking execution cannot be started: the record fails after one
    // job and its tracking, and one more job, were created.
    let refused = false;
    sfn.on(StartExecutionCommand).callsFake(async (input) => {
      if (input.name.startsWith('tiny-llm-b-') && !refused) {
        refused = true;
        throw new SFNServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: {} });
      }
      return { executionArn: executionArnFor(input.stateMachineArn, input.name), startDate: new Date() };
    });
    const first = await handler(sample('manifest-drop'), context);
    expect(first.batchItemFailures).toHaveLength(1);
    expect(starts().map((s) => s.name)).toEqual([
      expect.stringMatching(/^tiny-llm-a-/),
      expect.stringMatching(/^tiny-llm-b-/),
    ]);
    expect(sageMaker.commandCalls(CreateOptimizationJobCommand)).toHaveLength(2);

    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceInUse({ message: 'job exists', $metadata: {} }))
      .on(DescribeOptimizationJobCommand)
      .callsFake(async (input) => ({
        OptimizationJobArn: `arn:aws:sagemaker:us-east-1:000000000000:optimization-job/${input.OptimizationJobName}`,
      }));
    const second = await handler(sample('manifest-drop'), context);

    expect(second).toEqual({ batchItemFailures: [] });
    const names = starts().map((s) => s.name);
    expect(names).toEqual([
      expect.stringMatching(/^tiny-llm-a-/),
      expect.stringMatching(/^tiny-llm-b-/),
      expect.stringMatching(/^tiny-llm-a-/),
      expect.stringMatching(/^tiny-llm-b-/),
      expect.stringMatching(/^tiny-llm-[0-9a-f]{10}-variants$/),
    ]);
    expect(names.slice(2, 4)).toEqual(names.slice(0, 2));
  });

  it('rejects a drop with one bad variant before it creates any job', async () => {
    const entries = (prefix: string) =>
      Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`${prefix}${i}`, 'v']));
    s3.on(GetObjectCommand, { Key: 'models/tiny-llm/optimization.json' }).resolves(
      body(
        JSON.stringify({
          environment: entries('TOP'),
          variants: [{ name: 'ok' }, { name: 'too-big', environment: entries('VAR') }],
        }),
      ),
    );
    await handler(sample('manifest-drop'), context);

    expect(sageMaker.commandCalls(CreateOptimizationJobCommand)).toEqual([]);
    expect(trackingStarts()).toEqual([]);
    expect(rejections()).toEqual([
      {
        name: expect.stringMatching(/^tiny-llm-[0-9a-f]{10}-rejected$/),
        detail: expect.objectContaining({
          errors: [{ path: '$.variants[1].environment', message: expect.stringContaining('at most 25') }],
        }),
      },
    ]);
  });

  it('rejects a drop through one execution named after it, so a redelivered drop is rejected once', async () => {
    await handler(sample('bad-manifest'), context);
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    const again = await handler(sample('bad-manifest'), context);

    expect(again).toEqual({ batchItemFailures: [] });
    const [first, second] = rejections();
    expect(first?.name).toMatch(/^tiny-llm-bad-[0-9a-f]{10}-rejected$/);
    expect(second?.name).toBe(first?.name);
    expect(JSON.parse(starts()[0]?.input ?? '{}')).toMatchObject({
      stage: process.env.STAGE,
      eventBusName: process.env.EVENT_BUS_NAME,
      rejection: { status: 'REJECTED', jobName: expect.stringMatching(/^tiny-llm-bad-/) },
    });
  });

  it('redelivers the record when the rejection cannot be announced, rather than dropping it', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new SFNServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: {} }));

    const result = await handler(sample('bad-manifest'), context);

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: record(sample('bad-manifest')).messageId }],
    });
  });

  it('puts a drop that meets a full job quota back on the queue, delayed by a quarter of its wait, and consumes it', async () => {
    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceLimitExceeded({ message: 'quota', $metadata: {} }));
    const event = sample('tar-gz-drop');
    // The drop happened 20 minutes ago.
    const eventTime = JSON.parse(record(event).body).Records[0].eventTime as string;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse(eventTime) + 20 * 60_000);
    try {
      const result = await handler(event, context);

      expect(result.batchItemFailures).toEqual([]);
      const [requeue] = sqs.commandCalls(SendMessageCommand);
      expect(requeue?.args[0].input).toMatchObject({
        QueueUrl:
          'https://sqs.us-east-1.amazonaws.com/000000000000/model-optimization-pipeline-local-UploadQueue',
        MessageBody: record(event).body,
      });
      // A quarter of 1200 s = 300 s, jittered into [150, 300].
      expect(requeue?.args[0].input.DelaySeconds).toBeGreaterThanOrEqual(150);
      expect(requeue?.args[0].input.DelaySeconds).toBeLessThanOrEqual(300);
    } finally {
      vi.useRealTimers();
    }
  });

  it('redelivers a drop that met a full quota when it cannot be put back on the queue', async () => {
    sageMaker
      .on(CreateOptimizationJobCommand)
      .rejects(new ResourceLimitExceeded({ message: 'quota', $metadata: {} }));
    sqs.on(SendMessageCommand).rejects(new Error('SQS is down'));

    const result = await handler(sample('tar-gz-drop'), context);

    expect(result.batchItemFailures).toHaveLength(1);
  });

  it('consumes S3 test events without creating anything', async () => {
    const event = sample('tar-gz-drop');
    record(event).body = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' });

    expect(await handler(event, context)).toEqual({ batchItemFailures: [] });
    expect(sageMaker).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
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
    expect(rejections()).toEqual([
      {
        name: expect.stringMatching(/^message-rejected-[0-9a-f]{20}$/),
        detail: expect.objectContaining({ errors: [{ path: '$', message }] }),
      },
    ]);
  });
});
