import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../local/eventbridge/pattern-matcher';
import { DETAIL_TYPES } from '../../src/events/contract';
import { EVENT_KINDS, REGISTRY_SCHEMA_TYPE, registrySchemaFile, registrySchemaName } from '../../src/schemas';
import { loadEvent } from '../support/events';
import { committedSchema } from '../support/json-schema';
import {
  packagedTemplate,
  resource,
  resourcesOfType,
  roleStatements,
  roleStatementsOfEveryBranch,
} from '../support/template';

const template = packagedTemplate();
const BUS = 'model-optimization-pipeline-ci';
const DEAD_LETTER_QUEUE_ARN = { 'Fn::GetAtt': ['NotifyOnOutcomeDeadLetterQueue', 'Arn'] };

const notifyRule = () => {
  const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) =>
    rule.Properties?.Targets.some(
      (t: any) =>
        JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': ['NotifyOnOutcomeLambdaFunction', 'Arn'] }),
    ),
  );
  expect(rules).toHaveLength(1);
  return rules[0]?.[1] as { Properties: Record<string, any> };
};

describe('packaged template: the event contract', () => {
  it('has a schema registry named after the bus', () => {
    expect(resource(template, 'PipelineSchemaRegistry')).toMatchObject({
      Type: 'AWS::EventSchemas::Registry',
      Properties: { RegistryName: BUS },
    });
  });

  it.each(EVENT_KINDS)('publishes the %s schema, its Content the committed registry document', (kind) => {
    const schemas = resourcesOfType(template, 'AWS::EventSchemas::Schema').filter(
      ([, s]) => s.Properties?.SchemaName === registrySchemaName(kind),
    );
    expect(schemas).toHaveLength(1);
    const properties = schemas[0]?.[1].Properties ?? {};
    expect(properties.Type).toBe(REGISTRY_SCHEMA_TYPE);
    expect(properties.RegistryName).toEqual({ 'Fn::GetAtt': ['PipelineSchemaRegistry', 'RegistryName'] });
    expect(typeof properties.Content).toBe('string');
    expect(JSON.parse(properties.Content)).toEqual(committedSchema(registrySchemaFile(kind)));
  });

  it('has exactly one schema per detail-type', () => {
    expect(resourcesOfType(template, 'AWS::EventSchemas::Schema')).toHaveLength(EVENT_KINDS.length);
  });

  it('archives the pipeline events of the bus for replay, for the stage retention', () => {
    expect(resource(template, 'PipelineEventArchive').Properties).toEqual({
      SourceArn: { 'Fn::GetAtt': ['PipelineEventBus', 'Arn'] },
      Description: expect.any(String),
      RetentionDays: 30,
      EventPattern: { source: ['model-optimization-pipeline'] },
    });
  });

  it('adds the subscriber statements only when subscriber accounts are listed (none on ci)', () => {
    expect(template.Conditions?.HasSubscriberAccounts).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's escape for a literal ${...}
    const creatorAccount = { 'events:creatorAccount': { 'Fn::Sub': '${!aws:PrincipalAccount}' } };
    const subscribers = {
      EventBusName: { Ref: 'PipelineEventBus' },
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Split': [',', ''] } },
        Resource: { 'Fn::Sub': expect.stringContaining(`:rule/${BUS}/*`) },
      },
    };
    const putRule = resource(template, 'PipelineEventBusSubscriberPolicy');
    expect(putRule.Condition).toBe('HasSubscriberAccounts');
    expect(putRule.Properties).toMatchObject(subscribers);
    expect(putRule.Properties?.Statement.Action).toBe('events:PutRule');
    expect(putRule.Properties?.Statement.Condition).toEqual({
      StringEqualsIfExists: creatorAccount,
      'ForAllValues:StringEquals': { 'events:source': 'model-optimization-pipeline' },
      Null: { 'events:source': 'false' },
    });
    const manage = resource(template, 'PipelineEventBusSubscriberRulesPolicy');
    expect(manage.Condition).toBe('HasSubscriberAccounts');
    expect(manage.Properties).toMatchObject(subscribers);
    expect(manage.Properties?.Statement.Action).not.toContain('events:PutRule');
    expect(manage.Properties?.Statement.Action).not.toContain('events:PutEvents');
    expect(manage.Properties?.Statement.Condition).toEqual({ StringEqualsIfExists: creatorAccount });
  });
  it('denies every principal but the tracking role putting an event with the pipeline source, on every stage', () => {
    const deny = resource(template, 'PipelineEventBusOnlyThePipelinePutsItsSource');
    expect(deny.Condition).toBeUndefined();
    expect(deny.Properties).toEqual({
      EventBusName: { Ref: 'PipelineEventBus' },
      StatementId: 'OnlyThePipelinePutsItsSource',
      Statement: {
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['PipelineEventBus', 'Arn'] },
        Condition: {
          'ForAnyValue:StringEquals': { 'events:source': 'model-optimization-pipeline' },
          ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['TrackOptimizationJobRole', 'Arn'] } },
        },
      },
    });
    // The role it exempts is the only one granted events:PutEvents.
    const putters = resourcesOfType(template, 'AWS::IAM::Role').filter(([, role]) =>
      roleStatementsOfEveryBranch(role).some((s) => [s.Action].flat().includes('events:PutEvents')),
    );
    expect(putters.map(([id]) => id)).toEqual(['TrackOptimizationJobRole']);
  });
});

describe('packaged template: notify-on-outcome', () => {
  it('subscribes the function to the outcome events of the pipeline bus', () => {
    const rule = notifyRule();
    expect(rule.Properties.EventBusName).toEqual({ 'Fn::GetAtt': ['PipelineEventBus', 'Name'] });
    expect(rule.Properties.State).toBe('ENABLED');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['model-optimization-pipeline'],
      'detail-type': [
        DETAIL_TYPES.completed,
        DETAIL_TYPES.failed,
        DETAIL_TYPES.stopped,
        DETAIL_TYPES.rejected,
      ],
    });
  });

  it('routes the four outcome samples to it and not Started, per the local matcher', () => {
    const pattern = notifyRule().Properties.EventPattern;
    validatePattern(pattern);
    const matched = EVENT_KINDS.filter((kind) =>
      matchesPattern(pattern, loadEvent(`eventbridge/${kind}.json`)),
    );
    expect(matched).toEqual(['completed', 'failed', 'stopped', 'rejected']);
  });

  it('creates no second bus for the subscription', () => {
    expect(resourcesOfType(template, 'AWS::Events::EventBus').map(([id]) => id)).toEqual([
      'PipelineEventBus',
    ]);
  });

  it('runs on Node 22 arm64 with its own role and the topic ARN from a Ref', () => {
    const fn = resource(template, 'NotifyOnOutcomeLambdaFunction').Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(fn?.Role).toEqual({ 'Fn::GetAtt': ['NotifyOnOutcomeRole', 'Arn'] });
    expect(fn?.Environment.Variables.NOTIFY_TOPIC_ARN).toEqual({ Ref: 'OutcomeNotificationsTopic' });
    expect(fn?.Environment.Variables).not.toHaveProperty('STATE_MACHINE_ARN');
  });

  it('lets EventBridge invoke it only from its rule', () => {
    const permission = resource(template, 'NotifyOnOutcomeEventBridgeLambdaPermission1').Properties;
    expect(permission).toMatchObject({
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': ['NotifyOnOutcomeLambdaFunction', 'Arn'] },
    });
    const [ruleId] = resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) => r === notifyRule()) ?? [];
    expect(permission?.SourceArn).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  it('has a topic encrypted with the stack key that refuses non-TLS publishing and takes only this account’s alarms', () => {
    expect(resource(template, 'OutcomeNotificationsTopic').Properties?.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': ['PipelineKey', 'Arn'],
    });
    expect(
      resource(template, 'OutcomeNotificationsTopicPolicy').Properties?.PolicyDocument.Statement,
    ).toEqual([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          ArnLike: { 'aws:SourceArn': { 'Fn::Sub': expect.stringMatching(/:cloudwatch:.*:alarm:\*$/) } },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      }),
    ]);
  });

  it('subscribes an email address only when the stage gives one (none on ci)', () => {
    const subscription = resource(template, 'OutcomeNotificationsEmail');
    expect(subscription.Condition).toBe('HasNotifyEmail');
    expect(template.Conditions?.HasNotifyEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect(subscription.Properties).toMatchObject({
      TopicArn: { Ref: 'OutcomeNotificationsTopic' },
      Protocol: 'email',
    });
  });

  it('gives its role sns:Publish on the topic, the key through SNS, logs on its own log group and X-Ray, sending to its DLQ, VPC access only with a VPC, nothing else', () => {
    const statements = roleStatements(resource(template, 'NotifyOnOutcomeRole'));
    expect(statements).toEqual([
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: {
          'Fn::Sub': expect.stringMatching(
            /:log-group:\/aws\/lambda\/model-optimization-pipeline-ci-notifyOnOutcome:\*$/,
          ),
        },
      },
      {
        Sid: 'PublishSummaries',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: 'OutcomeNotificationsTopic' },
      },
      {
        Sid: 'Tracing',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: '*',
      },
      {
        Sid: 'EncryptSummaries',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' } } },
      },
      {
        Sid: 'DeadLetterFailedEvents',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: DEAD_LETTER_QUEUE_ARN,
      },
      {
        Sid: 'EncryptDeadLetters',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sqs.${AWS::Region}.amazonaws.com' } } },
      },
      {
        'Fn::If': [
          'HasVpc',
          expect.objectContaining({ Sid: 'VpcNetworkInterfaces' }),
          { Ref: 'AWS::NoValue' },
        ],
      },
    ]);
    expect(resource(template, 'NotifyOnOutcomeLogGroup').Properties?.LogGroupName).toBe(
      '/aws/lambda/model-optimization-pipeline-ci-notifyOnOutcome',
    );
  });

  it('outputs the registry, the archive, the topic and the DLQ', () => {
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        'EventSchemaRegistryName',
        'EventArchiveArn',
        'OutcomeNotificationsTopicArn',
        'NotifyOnOutcomeDeadLetterQueueUrl',
      ]),
    );
  });
});

describe('packaged template: no outcome notification is lost without a trace', () => {
  it('retries a delivery Lambda does not accept for up to a day, then sends the event to the DLQ', () => {
    const [target, ...others] = notifyRule().Properties.Targets;
    expect(others).toEqual([]);
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    expect(target.DeadLetterConfig).toEqual({ Arn: DEAD_LETTER_QUEUE_ARN });
  });

  it('sends an event that failed every Lambda attempt to the same DLQ (the on-failure destination)', () => {
    const configs = resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, c]) => c.Properties)).toEqual([
      {
        FunctionName: { Ref: 'NotifyOnOutcomeLambdaFunction' },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: DEAD_LETTER_QUEUE_ARN } },
      },
    ]);
  });

  it('keeps dead letters 14 days, encrypted with the stack key; only the rule and the function send to it', () => {
    expect(resource(template, 'NotifyOnOutcomeDeadLetterQueue').Properties).toEqual({
      KmsMasterKeyId: { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
      MessageRetentionPeriod: 1209600,
      RedriveAllowPolicy: { redrivePermission: 'allowAll' },
    });
    const [ruleId] = resourcesOfType(template, 'AWS::Events::Rule').find(([, r]) => r === notifyRule()) ?? [];
    const policy = resource(template, 'NotifyOnOutcomeDeadLetterQueuePolicy').Properties;
    expect(policy?.Queues).toEqual([{ Ref: 'NotifyOnOutcomeDeadLetterQueue' }]);
    expect(policy?.PolicyDocument.Statement).toEqual([
      {
        Sid: 'NotifyRuleSendsUndeliveredEvents',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: DEAD_LETTER_QUEUE_ARN,
        Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
      },
    ]);
    // The function sends with its role (the role test above); no other role may.
    const senders = resourcesOfType(template, 'AWS::IAM::Role').filter(([, role]) =>
      JSON.stringify(role.Properties?.Policies).includes('NotifyOnOutcomeDeadLetterQueue'),
    );
    expect(senders.map(([id]) => id)).toEqual(['NotifyOnOutcomeRole']);
  });
});
