import { describe, expect, it } from 'vitest';
import {
  packagedTemplate,
  resource,
  resourcesOfType,
  roleStatements,
  statementsOfEveryBranch,
} from '../support/template';

const template = packagedTemplate();
const key = { 'Fn::GetAtt': ['PipelineKey', 'Arn'] };
const root = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
  AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
};
/** The key policy's statements, in every branch of every Fn::If. */
const keyStatements = () => statementsOfEveryBranch(resource(template, 'PipelineKey').Properties?.KeyPolicy);
const statement = (sid: string) => keyStatements().find((s) => s.Sid === sid);
const viaService = (...services: string[]) =>
  services.map((service) => ({ 'Fn::Sub': `${service}.\${AWS::Region}.amazonaws.com` }));

describe('packaged template: the stack key', () => {
  it('is a symmetric key with yearly rotation, aliased after the stage', () => {
    expect(resource(template, 'PipelineKey').Properties).toMatchObject({ EnableKeyRotation: true });
    expect(resource(template, 'PipelineKey').Properties?.KeySpec).toBeUndefined();
    expect(resource(template, 'PipelineKeyAlias').Properties).toEqual({
      AliasName: 'alias/model-optimization-pipeline-ci',
      TargetKeyId: { Ref: 'PipelineKey' },
    });
  });

  it('lets the account administer the key but use it only through S3, SQS and SNS', () => {
    const admin = statement('AccountAdministersTheKey');
    expect(admin?.Principal).toEqual(root);
    for (const crypto of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:*']) {
      expect(admin?.Action).not.toContain(crypto);
    }
    expect(statement('AccountPrincipalsThroughPipelineServices')).toEqual({
      Sid: 'AccountPrincipalsThroughPipelineServices',
      Effect: 'Allow',
      Principal: root,
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': { Ref: 'AWS::AccountId' },
          'kms:ViaService': viaService('s3', 'sqs', 'sns'),
        },
      },
    });
  });

  it('allows exactly these service principals, each bound to this account or its resources', () => {
    const services = keyStatements()
      .filter((s) => s.Effect === 'Allow' && s.Principal.Service)
      .map((s) => ({ service: s.Principal.Service, conditions: Object.keys(s.Condition) }));
    expect(services).toEqual([
      { service: 's3.amazonaws.com', conditions: ['ArnLike', 'StringEquals'] },
      { service: 'logging.s3.amazonaws.com', conditions: ['StringEquals'] },
      { service: 'cloudwatch.amazonaws.com', conditions: ['ArnLike', 'StringEquals'] },
      { service: 'events.amazonaws.com', conditions: ['ArnEquals', 'StringEquals'] },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' }, conditions: ['ArnLike'] },
    ]);
    expect(statement('ModelsBucketNotifiesTheUploadQueue')?.Condition.ArnLike['aws:SourceArn']).toEqual({
      'Fn::Join': ['', ['arn:aws:s3:::', expect.anything()]],
    });
    const logGroups = statement('CloudWatchLogsEncryptsTheStageLogGroups')?.Condition.ArnLike[
      'kms:EncryptionContext:aws:logs:arn'
    ];
    expect(logGroups.map((g: { 'Fn::Sub': string }) => g['Fn::Sub'].split(':log-group:')[1])).toEqual([
      '/aws/lambda/model-optimization-pipeline-ci-*',
      '/aws/vendedlogs/states/model-optimization-pipeline-ci-track',
    ]);
  });

  it('lets EventBridge use it only for notify-on-outcome’s rule, named by the ARN of the rule the template has', () => {
    const [rule] = resourcesOfType(template, 'AWS::Events::Rule');
    expect(rule?.[1].Properties?.Targets[0].DeadLetterConfig).toBeDefined();
    expect(statement('NotifyRuleDeadLettersUndeliveredEvents')?.Condition).toEqual({
      ArnEquals: {
        'aws:SourceArn': {
          'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/model-optimization-pipeline-ci/${rule?.[1].Properties?.Name}`,
        },
      },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('denies grants that are not for AWS resources (CT.KMS.PR.3)', () => {
    expect(statement('DenyGrantsExceptForAwsResources')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'kms:CreateGrant',
      Condition: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    });
  });

  it('encrypts the buckets, queues, topic and every log group with it', () => {
    const sse = (id: string) =>
      resource(template, id).Properties?.BucketEncryption.ServerSideEncryptionConfiguration[0]
        .ServerSideEncryptionByDefault;
    expect(sse('ModelsBucket')).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key });
    expect(sse('AccessLogsBucket')).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key });
    // Created before the key, by the Framework: the AWS-managed S3 key.
    expect(sse('ServerlessDeploymentBucket')).toEqual({ SSEAlgorithm: 'aws:kms' });
    for (const id of ['UploadQueue', 'UploadDeadLetterQueue', 'NotifyOnOutcomeDeadLetterQueue']) {
      expect(resource(template, id).Properties?.KmsMasterKeyId).toEqual(key);
    }
    expect(resource(template, 'OutcomeNotificationsTopic').Properties?.KmsMasterKeyId).toEqual(key);
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups.map(([id]) => id).sort()).toEqual([
      'CheckOptimizationJobLogGroup',
      'NotifyOnOutcomeLogGroup',
      'StartOptimizationLogGroup',
      'TrackOptimizationJobLogGroup',
    ]);
    for (const [, group] of logGroups) {
      expect(group.Properties).toMatchObject({ KmsKeyId: key, RetentionInDays: 365 });
    }
  });

  it('has SageMaker encrypt outputs with it, by alias (a literal, so invoke local needs no Ref)', () => {
    const env = resource(template, 'StartOptimizationLambdaFunction').Properties?.Environment.Variables;
    expect(env.OUTPUT_KMS_KEY_ID).toBe(resource(template, 'PipelineKeyAlias').Properties?.AliasName);
  });

  it('grants the roles that read or write encrypted data the key, through the service that holds it', () => {
    const kms = (role: string) =>
      roleStatements(resource(template, role)).filter((s) => String(s.Action).includes('kms:'));
    expect(kms('StartOptimizationRole')).toEqual([
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: key,
        Condition: { StringEquals: { 'kms:ViaService': viaService('sqs', 's3') } },
      }),
      // A drop that meets a full job quota is sent back to the upload queue.
      expect.objectContaining({
        Action: 'kms:GenerateDataKey',
        Resource: key,
        Condition: { StringEquals: { 'kms:ViaService': viaService('sqs')[0] } },
      }),
    ]);
    // The stage's key, and the keys a manifest may choose (none on ci); no other key, whatever its key policy.
    expect(kms('SageMakerExecutionRole')).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [key],
        Condition: { StringEquals: { 'kms:ViaService': viaService('s3')[0] } },
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Action: expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']),
        NotResource: [key],
      }),
    ]);
    expect(kms('CheckOptimizationJobRole')).toEqual([]);
    expect(kms('TrackOptimizationJobRole')).toEqual([]);
  });
});

describe('packaged template: logging, tracing, buckets', () => {
  it('logs state machine errors with their data to its encrypted log group, with X-Ray tracing', () => {
    const machine = resource(template, 'TrackOptimizationJob').Properties;
    expect(machine?.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: true,
      Destinations: [
        {
          CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['TrackOptimizationJobLogGroup', 'Arn'] } },
        },
      ],
    });
    expect(machine?.TracingConfiguration).toEqual({ Enabled: true });
    expect(resource(template, 'TrackOptimizationJobLogGroup').Properties?.LogGroupName).toBe(
      '/aws/vendedlogs/states/model-optimization-pipeline-ci-track',
    );
  });

  it('sends the models and deployment buckets’ access logs to the access-log bucket, which only S3 logging of this account writes', () => {
    for (const [id, prefix] of [
      ['ModelsBucket', 'models-bucket/'],
      ['ServerlessDeploymentBucket', 'deployment-bucket/'],
    ]) {
      expect(resource(template, id as string).Properties?.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: 'AccessLogsBucket' },
        LogFilePrefix: prefix,
      });
    }
    const statements = resource(template, 'AccessLogsBucketPolicy').Properties?.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Sid: 'DenyInsecureTransport', Effect: 'Deny' }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
  });

  it('lets only the upload queue use the DLQ', () => {
    const queueName = resource(template, 'UploadQueue').Properties?.QueueName['Fn::Sub'];
    const allow = resource(template, 'UploadDeadLetterQueue').Properties?.RedriveAllowPolicy;
    expect(allow.redrivePermission).toBe('byQueue');
    expect(allow.sourceQueueArns).toHaveLength(1);
    expect(allow.sourceQueueArns[0]['Fn::Sub'].endsWith(`:${queueName}`)).toBe(true);
  });

  it('runs no Lambda in a VPC on ci, and grants network interfaces only under HasVpc (jobs: JobsMayUseVpc)', () => {
    expect(template.Conditions?.HasVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(template.Conditions?.JobsMayUseVpc).toEqual({
      'Fn::Or': [{ Condition: 'HasVpc' }, { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] }],
    });
    for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      expect(fn.Properties?.VpcConfig).toBeUndefined();
    }
    const jobs = roleStatements(resource(template, 'SageMakerExecutionRole')).filter((s) =>
      JSON.stringify(s).includes('ec2:'),
    );
    expect(jobs.map((s) => [s['Fn::If']?.[0], s['Fn::If']?.[1]?.Sid, s['Fn::If']?.[2]])).toEqual(
      ['VpcNetworkInterfacesInAllowedNetworks', 'VpcNetworkInterfaceUpkeep', 'VpcDescribe'].map((sid) => [
        'JobsMayUseVpc',
        sid,
        { Ref: 'AWS::NoValue' },
      ]),
    );
    for (const role of ['StartOptimizationRole', 'NotifyOnOutcomeRole', 'CheckOptimizationJobRole']) {
      const ec2 = roleStatements(resource(template, role)).filter((s) => JSON.stringify(s).includes('ec2:'));
      expect(ec2).toEqual([
        {
          'Fn::If': [
            'HasVpc',
            expect.objectContaining({ Sid: 'VpcNetworkInterfaces' }),
            { Ref: 'AWS::NoValue' },
          ],
        },
      ]);
    }
  });

  it('sends every alarm to the outcome topic when the stage names no other (config/existing-or-created.cjs)', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: 'OutcomeNotificationsTopic' }]);
    }
  });
});
