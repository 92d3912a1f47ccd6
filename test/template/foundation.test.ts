import { describe, expect, it } from 'vitest';
import { SHELL_ARN_MARKER } from '../support/sls';
import { packagedTemplate, resource, roleStatements } from '../support/template';

const template = packagedTemplate();

describe('packaged template: the foundation', () => {
  it('has a versioned, encrypted, private models bucket that denies non-TLS access', () => {
    const bucket = resource(template, 'ModelsBucket');
    expect(bucket.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
          },
          BucketKeyEnabled: true,
        },
      ],
    });
    expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = resource(template, 'ModelsBucketPolicy').Properties?.PolicyDocument.Statement;
    expect(policy).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('notifies the upload queue of .tar.gz and manifest uploads under models/', () => {
    const configs = resource(template, 'ModelsBucket').Properties?.NotificationConfiguration
      .QueueConfigurations;
    const rules = configs.map((c: any) => ({
      queue: c.Queue,
      event: c.Event,
      rules: c.Filter.S3Key.Rules,
    }));
    expect(rules).toEqual([
      {
        queue: { 'Fn::GetAtt': ['UploadQueue', 'Arn'] },
        event: 's3:ObjectCreated:*',
        rules: [
          { Name: 'prefix', Value: 'models/' },
          { Name: 'suffix', Value: '.tar.gz' },
        ],
      },
      {
        queue: { 'Fn::GetAtt': ['UploadQueue', 'Arn'] },
        event: 's3:ObjectCreated:*',
        rules: [
          { Name: 'prefix', Value: 'models/' },
          { Name: 'suffix', Value: '/optimization.json' },
        ],
      },
    ]);
  });

  it('lets only the models bucket send to the upload queue', () => {
    const policy = resource(template, 'UploadQueuePolicy').Properties;
    expect(policy?.Queues).toEqual([{ Ref: 'UploadQueue' }]);
    expect(policy?.PolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: expect.objectContaining({ ArnEquals: { 'aws:SourceArn': expect.anything() } }),
      }),
    ]);
  });

  it('gives the upload queue an encrypted DLQ through a redrive policy', () => {
    const queue = resource(template, 'UploadQueue').Properties;
    expect(queue?.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['UploadDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 30,
    });
    expect(queue?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['PipelineKey', 'Arn'] });
    const dlq = resource(template, 'UploadDeadLetterQueue').Properties;
    expect(dlq?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': ['PipelineKey', 'Arn'] });
  });

  it('bounds the wait for a job slot at 7 days, then lets start-optimization send the drop to that DLQ', () => {
    const env = resource(template, 'StartOptimizationLambdaFunction').Properties?.Environment.Variables;
    expect(env.MAX_QUOTA_WAIT_SECONDS).toBe('604800');
    const statements = roleStatements(resource(template, 'StartOptimizationRole'));
    expect(statements.find((s) => s.Sid === 'DeadLetterDropsPastTheLongestWait')).toEqual({
      Sid: 'DeadLetterDropsPastTheLongestWait',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['UploadDeadLetterQueue', 'Arn'] },
    });
    // It finds the DLQ from the upload queue's RedrivePolicy.
    expect(statements.find((s) => s.Sid === 'ConsumeUploadQueue')?.Action).toContain(
      'sqs:GetQueueAttributes',
    );
  });

  it('feeds start-optimization from the queue in batches of 10 with partial batch responses', () => {
    const mapping = resource(template, 'StartOptimizationEventSourceMappingSQSUploadQueue').Properties;
    expect(mapping).toMatchObject({
      BatchSize: 10,
      EventSourceArn: { 'Fn::GetAtt': ['UploadQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs start-optimization on Node 22 arm64 with its own role', () => {
    const fn = resource(template, 'StartOptimizationLambdaFunction').Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(fn?.Role).toEqual({ 'Fn::GetAtt': ['StartOptimizationRole', 'Arn'] });
  });

  it('has the state machine, the custom bus and the SageMaker execution role', () => {
    expect(resource(template, 'TrackOptimizationJob').Type).toBe('AWS::StepFunctions::StateMachine');
    expect(resource(template, 'PipelineEventBus').Properties?.Name).toBe('model-optimization-pipeline-ci');
    const role = resource(template, 'SageMakerExecutionRole');
    expect(role.Properties?.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'sagemaker.amazonaws.com',
    });
  });

  it('passes only the SageMaker role, and only to SageMaker', () => {
    const passRole = roleStatements(resource(template, 'StartOptimizationRole')).filter((s) =>
      [s.Action].flat().includes('iam:PassRole'),
    );
    expect(passRole).toEqual([
      expect.objectContaining({
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    ]);
  });

  it('packages the stack’s own ARNs, never the ones exported in the shell for `sls invoke local`', () => {
    // test/global-setup.ts packages with junk in STATE_MACHINE_ARN, SAGEMAKER_ROLE_ARN, NOTIFY_TOPIC_ARN.
    const env = resource(template, 'StartOptimizationLambdaFunction').Properties?.Environment.Variables;
    expect(env.STATE_MACHINE_ARN).toEqual({ Ref: 'TrackOptimizationJob' });
    expect(env.SAGEMAKER_ROLE_ARN).toEqual({ 'Fn::GetAtt': ['SageMakerExecutionRole', 'Arn'] });
    expect(
      resource(template, 'NotifyOnOutcomeLambdaFunction').Properties?.Environment.Variables.NOTIFY_TOPIC_ARN,
    ).toEqual({ Ref: 'OutcomeNotificationsTopic' });
    expect(JSON.stringify(template)).not.toContain(SHELL_ARN_MARKER);
    expect(env.EVENT_BUS_NAME).toBe('model-optimization-pipeline-ci');
  });
});
