import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { discover } from '../../src/client/discover';
import { ResourceNotFoundError } from '../../src/client/errors';
import { resolveTarget } from '../../src/client/target';

const config = { region: 'eu-west-1' };
const clients = {
  s3: new S3Client(config),
  sageMaker: new SageMakerClient(config),
  sfn: new SFNClient(config),
  sqs: new SQSClient(config),
  cloudFormation: new CloudFormationClient(config),
};
const s3 = mockClient(clients.s3);
const sfn = mockClient(clients.sfn);
const sqs = mockClient(clients.sqs);
const cfn = mockClient(clients.cloudFormation);
const aws = resolveTarget({ stage: 'dev' }, { AWS_REGION: 'eu-west-1' });
const local = resolveTarget({}, { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012';

describe('discover: resources by name, stack outputs as the fallback on AWS', () => {
  beforeEach(() => {
    for (const mock of [s3, sfn, sqs, cfn]) mock.reset();
  });

  it('finds the bucket, state machine and queues by their names without CloudFormation', async () => {
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: 'model-optimization-pipeline-dev-models-123456789012-eu-west-1' },
        { Name: 'model-optimization-pipeline-dev-models-123456789012-us-east-1' },
        { Name: 'model-optimization-pipeline-dev2-models-123456789012-eu-west-1' },
      ],
    });
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'model-optimization-pipeline-dev-track',
          stateMachineArn:
            'arn:aws:states:eu-west-1:123456789012:stateMachine:model-optimization-pipeline-dev-track',
          type: 'STANDARD',
          creationDate: new Date(0),
        },
      ],
    });
    sqs.on(ListQueuesCommand).resolves({
      QueueUrls: [
        `${QUEUE}/model-optimization-pipeline-dev-UploadQueue-Xk3u8P0aQw1z`,
        `${QUEUE}/model-optimization-pipeline-dev-UploadDeadLetterQueue-9fJd0aPq2LmN`,
      ],
    });

    const found = discover(clients, aws);

    expect(await found.bucket()).toBe('model-optimization-pipeline-dev-models-123456789012-eu-west-1');
    expect(await found.stateMachineArn()).toMatch(/:stateMachine:model-optimization-pipeline-dev-track$/);
    expect(await found.queues()).toEqual({
      uploadQueueUrl: `${QUEUE}/model-optimization-pipeline-dev-UploadQueue-Xk3u8P0aQw1z`,
      deadLetterQueueUrl: `${QUEUE}/model-optimization-pipeline-dev-UploadDeadLetterQueue-9fJd0aPq2LmN`,
    });
    expect(cfn.calls()).toHaveLength(0);
  });

  it('reads the stack outputs when no bucket has the name (an existing bucket)', async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'my-models' }] });
    cfn.on(DescribeStacksCommand, { StackName: 'model-optimization-pipeline-dev' }).resolves({
      Stacks: [
        {
          StackName: 'model-optimization-pipeline-dev',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(0),
          Outputs: [{ OutputKey: 'ModelsBucketName', OutputValue: 'my-models' }],
        },
      ],
    });

    expect(await discover(clients, aws).bucket()).toBe('my-models');
  });

  it('names the stage and what to check when neither way finds it; no CloudFormation locally', async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack does not exist'), { name: 'ValidationError' }));

    await expect(discover(clients, aws).bucket()).rejects.toThrow(ResourceNotFoundError);
    await expect(discover(clients, aws).bucket()).rejects.toThrow(/stage "dev".*sls deploy --stage dev/);
    await expect(discover(clients, local).bucket()).rejects.toThrow(
      /on the local stack at http:\/\/127\.0\.0\.1:4566/,
    );
    expect(cfn.calls()).toHaveLength(2);
  });
});
