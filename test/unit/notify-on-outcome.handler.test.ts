import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/notify-on-outcome';
import { ConfigError, MalformedEventError } from '../../src/errors';
import { loadNotifyConfig } from '../../src/notify/config';
import { loadEvent } from '../support/events';

const sns = mockClient(SNSClient);
const TOPIC_ARN = process.env.NOTIFY_TOPIC_ARN;

const context = {
  functionName: 'notify-on-outcome',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Sample = Record<string, any> & { detail: Record<string, any> };
const sample = (variant: string) => loadEvent<Sample>(`eventbridge/${variant}.json`);
const published = () => {
  const [call] = sns.commandCalls(PublishCommand);
  if (!call) throw new Error('nothing was published');
  return call.args[0].input as { Subject: string; Message: string; MessageAttributes: Record<string, any> };
};

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});

describe('notify-on-outcome handler', () => {
  it.each([
    ['completed', 'Model Optimization Completed'],
    ['failed', 'Model Optimization Failed'],
    ['stopped', 'Model Optimization Stopped'],
    ['rejected', 'Model Upload Rejected'],
  ])('publishes one summary of a %s event to the topic', async (variant, detailType) => {
    const result = await handler(sample(variant), context);

    expect(result).toEqual({ published: true, detailType, messageId: 'msg-1' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC_ARN });
    const { Subject, MessageAttributes } = published();
    expect(Subject.length).toBeLessThanOrEqual(100);
    expect(Subject).toMatch(/^\[local\] [\x20-\x7e]+$/);
    expect(MessageAttributes.detailType).toEqual({ DataType: 'String', StringValue: detailType });
    expect(MessageAttributes.stage).toEqual({ DataType: 'String', StringValue: 'local' });
  });

  it('says what completed, how long it took and where the output is', async () => {
    await handler(sample('completed'), context);
    const { Subject, Message } = published();
    expect(Subject).toBe('[local] Optimized llama-3-8b-instruct in 42 min 11 s');
    expect(Message).toContain('completed in 42 min 11 s');
    expect(Message).toContain(
      'Output:      s3://model-optimization-pipeline-local-models/optimized/llama-3-8b-instruct/llama-3-8b-instruct-2f8b855e06/',
    );
    expect(Message).toContain('Deploy it on ml.inf2.xlarge');
  });

  it('gives the reason of a failure and points at the job, its logs and a re-drop', async () => {
    await handler(sample('failed'), context);
    const { Subject, Message } = published();
    expect(Subject).toBe('[local] FAILED: mistral-7b optimization after 10 min 12 s');
    expect(Message).toContain('Reason: ClientError: quantization failed: CUDA out of memory');
    expect(Message).toContain('describe-optimization-job --optimization-job-name mistral-7b-f98cf360bb');
    expect(Message).toContain('CloudWatch Logs');
    expect(Message).toContain('larger deploymentInstanceType than ml.g5.2xlarge');
    expect(Message).toContain(
      'upload the model again (s3://model-optimization-pipeline-local-models/models/mistral-7b/model.tar.gz)',
    );
  });

  it('tells to raise maxRuntimeInSeconds in the manifest when a job was stopped by timeout', async () => {
    await handler(sample('stopped'), context);
    const { Subject, Message } = published();
    expect(Subject).toBe('[local] STOPPED (timeout): llama-3-70b optimization after 1 h 5 min');
    expect(Message).toContain('Raise stoppingCondition.maxRuntimeInSeconds in the manifest');
    expect(Message).toContain('upload the manifest again');
  });

  it('does not blame the runtime when someone stopped the job', async () => {
    const event = sample('stopped');
    event.detail.failureReason = 'Stopped by alice@example.com from the console';
    await handler(event, context);
    const { Subject, Message } = published();
    expect(Subject).toBe('[local] STOPPED: llama-3-70b optimization after 1 h 5 min');
    expect(Message).not.toContain('maxRuntimeInSeconds');
    expect(Message).toContain('If that was not intended, drop it again');
  });

  it('lists every error of a rejected upload with its path and says to fix the manifest and upload it again', async () => {
    await handler(sample('rejected'), context);
    const { Subject, Message } = published();
    expect(Subject).toBe('[local] REJECTED upload: llama-3.1-8b (2 problems)');
    expect(Message).toContain('- $.techniques[0]: unknown technique "pruning"');
    expect(Message).toContain('- $.stoppingCondition.maxRuntimeInSeconds: Too big');
    expect(Message).toContain('Fix each problem above in the manifest');
    expect(Message).toContain(
      'upload it again to s3://model-optimization-pipeline-local-models/models/llama-3.1-8b/optimization.json',
    );
  });

  it('publishes nothing for a Started event (the rule excludes it) and says so', async () => {
    const result = await handler(sample('started'), context);
    expect(result).toEqual({
      published: false,
      detailType: 'Model Optimization Started',
      reason: 'Started events are not summarised',
    });
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('fails a malformed event with MalformedEventError naming each bad field, and publishes nothing', async () => {
    const error = await handler(sample('malformed'), context).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).name).toBe('MalformedEventError');
    expect((error as MalformedEventError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        '$.detail.jobArn',
        '$.detail.executionArn',
        '$.detail.model',
        '$.detail.durationSeconds',
        '$.detail.output',
      ]),
    );
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['another source', (e: Sample) => ({ ...e, source: 'aws.sagemaker' }), '$.source'],
    ['an unknown detail-type', (e: Sample) => ({ ...e, 'detail-type': 'Model Deployed' }), '$.detail-type'],
    [
      'a new major schemaVersion',
      (e: Sample) => ({ ...e, detail: { ...e.detail, schemaVersion: '2.0.0' } }),
      '$.detail.schemaVersion',
    ],
    ['no envelope (a bare detail)', (e: Sample) => e.detail, '$.detail-type'],
  ])('treats %s as malformed', async (_, change, path) => {
    const error = await handler(change(sample('completed')), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedEventError);
    expect((error as MalformedEventError).issues.map((i) => i.path)).toContain(path);
    expect(sns).not.toHaveReceivedAnyCommand();
  });

  it('accepts fields a later minor version adds', async () => {
    const event = sample('completed');
    event.detail = { ...event.detail, schemaVersion: '1.3.0', costUsd: 12.5 };
    await expect(handler(event, context)).resolves.toMatchObject({ published: true });
  });

  it('fails the invocation when SNS fails, so Lambda retries it', async () => {
    sns
      .on(PublishCommand)
      .rejects(new SNSServiceException({ name: 'InternalError', $fault: 'server', $metadata: {} }));
    await expect(handler(sample('failed'), context)).rejects.toMatchObject({ name: 'InternalError' });
  });
});

describe('notify-on-outcome configuration', () => {
  it('names NOTIFY_TOPIC_ARN when it is missing or not a topic ARN', () => {
    expect(() => loadNotifyConfig({})).toThrow(ConfigError);
    expect(() => loadNotifyConfig({})).toThrow(/NOTIFY_TOPIC_ARN/);
    expect(() => loadNotifyConfig({ NOTIFY_TOPIC_ARN: '[object Object]' })).toThrow(
      /NOTIFY_TOPIC_ARN must be an SNS topic ARN/,
    );
  });

  it('needs none of start-optimization’s variables', () => {
    expect(loadNotifyConfig({ NOTIFY_TOPIC_ARN: TOPIC_ARN })).toEqual({ topicArn: TOPIC_ARN });
  });
});
