/**
 * Least privilege, proven on the packaged template: what every role may do, and the data
 * protections of the bucket, the queues and the log groups. Policies are read in every branch
 * of every Fn::If, whatever the packaged stage's conditions say (the VPC grants, say, exist
 * only with the VPC parameters, which the ci stage leaves empty).
 */
import { describe, expect, it } from 'vitest';
import {
  type CfnResource,
  packagedTemplate,
  resourcesOfType,
  roleStatementsOfEveryBranch,
  statementsOfEveryBranch,
} from '../support/template';

const template = packagedTemplate();

/**
 * The only actions allowed on `Resource: "*"`, because AWS offers no narrower scope for them.
 * docs/security.md lists them with the same reasons.
 */
const STAR_RESOURCE_ACTIONS: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray has no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingRules': 'X-Ray has no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray has no resource-level permissions',
  'ecr:GetAuthorizationToken': 'an account-wide token; ECR documents no resource scope for it',
  'cloudwatch:PutMetricData': 'CloudWatch metrics have no resource scope (narrowed by a namespace condition)',
  'logs:CreateLogDelivery': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:GetLogDelivery': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:UpdateLogDelivery': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:DeleteLogDelivery': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:ListLogDeliveries': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:PutResourcePolicy': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery: CloudWatch Logs requires *',
  'logs:DescribeLogGroups': 'Step Functions log delivery: CloudWatch Logs requires *',
  'ec2:CreateNetworkInterface': 'VPC networking (only with the VPC parameter): no resource scope at create',
  'ec2:DescribeNetworkInterfaces': 'Describe* actions have no resource scope',
  'ec2:DeleteNetworkInterface': 'VPC networking (only with the VPC parameter)',
  'ec2:DescribeVpcs': 'Describe* actions have no resource scope',
  'ec2:DescribeSubnets': 'Describe* actions have no resource scope',
  'ec2:DescribeSecurityGroups': 'Describe* actions have no resource scope',
  'ec2:DescribeDhcpOptions': 'Describe* actions have no resource scope',
  'ec2:CreateNetworkInterfacePermission': 'VPC networking for SageMaker jobs (only with the VPC parameter)',
  // Seen since the test reads both branches of Fn::If (issue 12); SageMaker's documented VpcConfig set.
  'ec2:DeleteNetworkInterfacePermission': 'VPC networking for SageMaker jobs (only with the VPC parameter)',
  'ec2:AssignPrivateIpAddresses': 'VPC networking (only with the VPC parameter)',
  'ec2:UnassignPrivateIpAddresses': 'VPC networking (only with the VPC parameter)',
};

const roles = resourcesOfType(template, 'AWS::IAM::Role');
const standalonePolicies = [
  ...resourcesOfType(template, 'AWS::IAM::Policy'),
  ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy'),
];
const statementsOf = (resource: CfnResource) =>
  resource.Type === 'AWS::IAM::Role'
    ? roleStatementsOfEveryBranch(resource)
    : statementsOfEveryBranch(resource.Properties?.PolicyDocument);
const allowStatements = [...roles, ...standalonePolicies].flatMap(([id, role]) =>
  (statementsOf(role) as Record<string, any>[])
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({
      role: id,
      sid: s.Sid as string | undefined,
      actions: [s.Action].flat() as string[],
      resource: s.Resource,
      condition: s.Condition,
    })),
);

describe('least privilege in the packaged template', () => {
  it('sees the statements behind Fn::If: every function role’s VPC grants, though ci has no VPC', () => {
    const vpc = allowStatements.filter((s) => s.sid?.startsWith('VpcNetworkInterface'));
    expect(vpc.map((s) => `${s.role} ${s.sid}`).sort()).toEqual([
      'CheckOptimizationJobRole VpcNetworkInterfaces',
      'NotifyOnOutcomeRole VpcNetworkInterfaces',
      'SageMakerExecutionRole VpcNetworkInterfaceUpkeep',
      'SageMakerExecutionRole VpcNetworkInterfacesInAllowedNetworks',
      'StartOptimizationRole VpcNetworkInterfaces',
    ]);
    for (const s of vpc)
      expect(
        s.actions.every((a) => a.startsWith('ec2:')),
        s.role,
      ).toBe(true);
    expect(allowStatements.every((s) => s.actions.length > 0 && s.actions.every(Boolean))).toBe(true);
  });

  it('has inline-policy roles only (no managed policies to audit elsewhere)', () => {
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const [id, role] of roles) expect(role.Properties?.ManagedPolicyArns ?? [], id).toEqual([]);
  });

  it('grants no wildcard action anywhere', () => {
    for (const s of allowStatements) {
      for (const action of s.actions) {
        expect(action, `${s.role}/${s.sid}`).not.toBe('*');
        expect(action, `${s.role}/${s.sid}`).not.toMatch(/:\*$/);
      }
    }
  });

  it('grants Resource "*" only for the actions AWS offers no narrower scope for', () => {
    const star = allowStatements.filter((s) => [s.resource].flat().includes('*'));
    for (const s of star) {
      for (const action of s.actions) {
        expect(STAR_RESOURCE_ACTIONS, `${s.role}/${s.sid}: ${action} on *`).toHaveProperty([action]);
      }
    }
  });

  it('lets only start-optimization (to create jobs) and the SageMaker role (to register a model as itself) pass only the SageMaker role, only to SageMaker', () => {
    const passRole = allowStatements.filter((s) => s.actions.includes('iam:PassRole'));
    expect(passRole.map((s) => s.role)).toEqual([
      'StartOptimizationRole',
      'SageMakerExecutionRoleModelRegistration',
    ]);
    for (const s of passRole) {
      expect(s.condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
      expect(JSON.stringify(s.resource)).toContain('SageMakerExecutionRole');
    }
  });

  it('lets start-optimization send only to the upload queue (a deferred drop) and its DLQ (past the longest wait), notify-on-outcome only to its DLQ', () => {
    const send = allowStatements.filter((s) => s.actions.includes('sqs:SendMessage'));
    expect(send.map((s) => [s.role, JSON.stringify(s.resource)])).toEqual([
      ['StartOptimizationRole', JSON.stringify({ 'Fn::GetAtt': ['UploadQueue', 'Arn'] })],
      ['StartOptimizationRole', JSON.stringify({ 'Fn::GetAtt': ['UploadDeadLetterQueue', 'Arn'] })],
      ['NotifyOnOutcomeRole', JSON.stringify({ 'Fn::GetAtt': ['NotifyOnOutcomeDeadLetterQueue', 'Arn'] })],
    ]);
    // Its key use for that, through SQS only, is checked in security.test.ts.
  });

  it('gives every function its own role', () => {
    const functionRoles = resourcesOfType(template, 'AWS::Lambda::Function').map(([, fn]) =>
      JSON.stringify(fn.Properties?.Role),
    );
    expect(new Set(functionRoles).size).toBe(functionRoles.length);
  });

  it('denies non-TLS access to the models bucket, blocks public access and encrypts it', () => {
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy');
    const buckets = resourcesOfType(template, 'AWS::S3::Bucket').filter(
      ([id]) => id !== 'ServerlessDeploymentBucket',
    );
    expect(buckets.length).toBeGreaterThanOrEqual(1);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration?.length,
        id,
      ).toBeGreaterThan(0);
      const policy = policies.find(
        ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }),
      );
      expect(policy, `${id} has a bucket policy`).toBeDefined();
      expect(policy?.[1].Properties?.PolicyDocument?.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('encrypts every queue', () => {
    for (const [id, queue] of resourcesOfType(template, 'AWS::SQS::Queue')) {
      expect(Boolean(queue.Properties?.KmsMasterKeyId ?? queue.Properties?.SqsManagedSseEnabled), id).toBe(
        true,
      );
    }
  });

  it('sets a retention on every log group', () => {
    const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const [id, group] of groups) expect(group.Properties?.RetentionInDays, id).toBeGreaterThan(0);
  });
});
