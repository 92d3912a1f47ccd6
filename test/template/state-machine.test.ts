import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRACKER_ASL } from '../../harness/tracker-on-local-aws';
import { packagedTemplate, resource, roleStatements } from '../support/template';

const template = packagedTemplate();
const sagemakerJobs = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
  'Fn::Sub': 'arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:optimization-job/*',
};
const checkFunctionArn = { 'Fn::GetAtt': ['CheckOptimizationJobLambdaFunction', 'Arn'] };

describe('packaged template: the tracking state machine', () => {
  it('inlines statemachines/track-optimization-job.asl.json unchanged, as a Standard workflow', () => {
    const machine = resource(template, 'TrackOptimizationJob').Properties;
    expect(typeof machine?.DefinitionString).toBe('string');
    const inlined = JSON.parse(machine?.DefinitionString);
    // The plugin's `validate: true` runs asl-validator, which writes each state's default
    // QueryLanguage into the definition; JSONPath is what the file means anyway.
    for (const state of Object.values<any>(inlined.States)) {
      expect(state.QueryLanguage).toBe('JSONPath');
      delete state.QueryLanguage;
    }
    expect(inlined).toEqual(JSON.parse(readFileSync(TRACKER_ASL, 'utf8')));
    expect(machine?.StateMachineType ?? 'STANDARD').toBe('STANDARD');
    expect(machine?.RoleArn).toEqual({ 'Fn::GetAtt': ['TrackOptimizationJobRole', 'Arn'] });
    expect(machine?.DefinitionSubstitutions).toBeUndefined();
  });

  it('lets the state machine put events on the pipeline bus, stop jobs, invoke its check function, continue itself, log and trace, nothing else', () => {
    const statements = roleStatements(resource(template, 'TrackOptimizationJobRole'));
    expect(statements.map(({ Sid: _sid, ...rest }) => rest)).toEqual([
      {
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['PipelineEventBus', 'Arn'] },
      },
      { Effect: 'Allow', Action: 'sagemaker:StopOptimizationJob', Resource: sagemakerJobs },
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [checkFunctionArn, { 'Fn::Join': ['', [checkFunctionArn, ':*']] }],
      },
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: {
          'Fn::Sub':
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:model-optimization-pipeline-ci-track',
        },
      },
      {
        Effect: 'Allow',
        Action: [
          'logs:CreateLogDelivery',
          'logs:GetLogDelivery',
          'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery',
          'logs:ListLogDeliveries',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
        ],
        Resource: '*',
      },
    ]);
  });

  it('gives the check function its own role: describe jobs and this state machine’s executions, write its logs, trace', () => {
    const fn = resource(template, 'CheckOptimizationJobLambdaFunction').Properties;
    expect(fn).toMatchObject({
      FunctionName: 'model-optimization-pipeline-ci-checkOptimizationJob',
      Runtime: 'nodejs22.x',
      Role: { 'Fn::GetAtt': ['CheckOptimizationJobRole', 'Arn'] },
    });
    expect(fn?.Timeout).toBeLessThan(60); // the CheckJob state's TimeoutSeconds
    const statements = roleStatements(resource(template, 'CheckOptimizationJobRole'));
    expect(statements.map((s) => s.Action ?? s['Fn::If']?.[1].Sid)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      'sagemaker:DescribeOptimizationJob',
      'states:DescribeExecution',
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      'VpcNetworkInterfaces',
    ]);
    expect(statements[1]?.Resource).toEqual(sagemakerJobs);
    expect(statements[2]?.Resource['Fn::Sub']).toMatch(/:execution:model-optimization-pipeline-ci-track:\*$/);
    expect(statements[0]?.Resource['Fn::Sub']).toContain(
      'log-group:/aws/lambda/model-optimization-pipeline-ci-checkOptimizationJob:*',
    );
  });

  it('tells start-optimization the check function and the stage’s tracking schedule', () => {
    const env = resource(template, 'StartOptimizationLambdaFunction').Properties?.Environment.Variables;
    expect(env).toMatchObject({
      TRACKING_CHECK_FUNCTION_NAME: 'model-optimization-pipeline-ci-checkOptimizationJob',
      TRACKING_FIRST_POLL_DELAY_SECONDS: '300',
      TRACKING_POLL_INTERVAL_SECONDS: '60',
      TRACKING_TIMEOUT_GRACE_SECONDS: '900',
      TRACKING_MAX_SECONDS: '2422800',
      TRACKING_POLLS_PER_EXECUTION: '7000',
    });
  });

  it('alarms on any failed tracking execution', () => {
    const alarm = resource(template, 'TrackOptimizationJobFailedAlarm');
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'TrackOptimizationJob' } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});
