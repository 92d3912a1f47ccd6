/**
 * The bus policy, the tracking role's policy, the service roles' trust policies and
 * start-optimization's tagging grant as IAM evaluates them: each case is a request
 * run through @cloud-copilot/iam-simulate, which evaluates condition operators and keys by AWS's
 * service authorization reference (events:source multivalued; events:creatorAccount single, IfExists as EventBridge documents it).
 * The policies are the packaged templates' own, their intrinsic functions resolved for a
 * made-up account: the global setup's `ci` shape (no subscriber accounts), its `vpc` shape, and
 * its `prod` shape, as `npm run lint:cfn` packages it (subscriber accounts 111111111111 and
 * 222222222222).
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, inject, it } from 'vitest';
import { prodShape, VPC_SHAPE } from '../support/stage-shapes';
import {
  type CfnTemplate,
  packagedTemplate,
  resource,
  resourcesOfType,
  roleStatements,
  shapeTemplate,
} from '../support/template';

const PIPELINE_ACCOUNT = '999999999999';
const SOURCE = 'model-optimization-pipeline';
const SUBSCRIBER = '111111111111';
const UNLISTED = '333333333333';
/** The name CloudFormation would give the tracking role: it has no RoleName of its own. */
const TRACKING_ROLE_ARN = `arn:aws:iam::${PIPELINE_ACCOUNT}:role/model-optimization-pipeline-TrackOptimizationJobRole-AbC123`;
const SAGEMAKER_ROLE_ARN = `arn:aws:iam::${PIPELINE_ACCOUNT}:role/model-optimization-pipeline-SageMakerExecutionRole-AbC123`;

interface Stack {
  template: CfnTemplate;
  region: string;
  busName: string;
}

const NO_VALUE = Symbol('AWS::NoValue');

const pipelineKeyArn = (stack: Stack) => `arn:aws:kms:${stack.region}:${PIPELINE_ACCOUNT}:key/pipeline-key`;

/** The values CloudFormation gives the references the policies make, for this made-up stack. */
function resolve(value: unknown, stack: Stack): unknown {
  const arns: Record<string, string> = {
    PipelineEventBus: `arn:aws:events:${stack.region}:${PIPELINE_ACCOUNT}:event-bus/${stack.busName}`,
    TrackOptimizationJobRole: TRACKING_ROLE_ARN,
    SageMakerExecutionRole: SAGEMAKER_ROLE_ARN,
    CheckOptimizationJobLambdaFunction: `arn:aws:lambda:${stack.region}:${PIPELINE_ACCOUNT}:function:check`,
    PipelineKey: pipelineKeyArn(stack),
  };
  const refs: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': stack.region,
    'AWS::AccountId': PIPELINE_ACCOUNT,
    PipelineEventBus: stack.busName,
  };
  // Another resource of the stack: an ARN no request of these tests names.
  const known = (table: Record<string, string>, key: string) =>
    table[key] ?? `arn:aws:cloudformation:${stack.region}:${PIPELINE_ACCOUNT}:other-resource/${key}`;
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, stack)).filter((v) => v !== NO_VALUE);
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key && (key === 'Ref' || key.startsWith('Fn::'))) {
    if (key === 'Ref' && argument === 'AWS::NoValue') return NO_VALUE;
    if (key === 'Ref') return known(refs, argument as string);
    if (key === 'Fn::If') {
      const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
      return resolve(conditionHolds(stack.template, condition) ? whenTrue : whenFalse, stack);
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = argument as [string, string];
      if (attribute !== 'Arn') throw new Error(`the test cannot resolve ${id}.${attribute}`);
      return known(arns, id);
    }
    if (key === 'Fn::Sub') {
      return (argument as string).replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
        if (literal) return `\${${name}}`;
        return name.endsWith('.Arn') ? known(arns, name.slice(0, -4)) : known(refs, name);
      });
    }
    if (key === 'Fn::Split') {
      const [delimiter, source] = argument as [string, unknown];
      return (resolve(source, stack) as string).split(delimiter);
    }
    if (key === 'Fn::Join') {
      const [delimiter, list] = argument as [string, unknown];
      return (resolve(list, stack) as string[]).join(delimiter);
    }
    throw new Error(`the test cannot resolve ${key}`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, stack)]));
}

/** A condition of the template, as CloudFormation evaluates it (the few functions it uses). */
function conditionHolds(template: CfnTemplate, name: string): boolean {
  const evaluate = (expression: any): boolean => {
    if (expression['Fn::Not']) return !evaluate(expression['Fn::Not'][0]);
    if (expression['Fn::Or']) return expression['Fn::Or'].some(evaluate);
    if (expression['Fn::Equals']) return expression['Fn::Equals'][0] === expression['Fn::Equals'][1];
    if (expression.Condition) return evaluate(template.Conditions?.[expression.Condition]);
    throw new Error(`the test cannot evaluate ${JSON.stringify(expression)}`);
  };
  return evaluate(template.Conditions?.[name]);
}

/** The bus's policy: the statement of every AWS::Events::EventBusPolicy the stage creates. */
function busPolicy(stack: Stack) {
  const statements = resourcesOfType(stack.template, 'AWS::Events::EventBusPolicy')
    .filter(([, r]) => !r.Condition || conditionHolds(stack.template, r.Condition))
    .map(([, r]) => {
      expect(r.Properties?.EventBusName).toEqual({ Ref: 'PipelineEventBus' });
      return { Sid: r.Properties?.StatementId, ...(resolve(r.Properties?.Statement, stack) as object) };
    });
  return { Version: '2012-10-17', Statement: statements };
}

function trackingRolePolicy(stack: Stack) {
  const role = resource(stack.template, 'TrackOptimizationJobRole');
  return { Version: '2012-10-17', Statement: resolve(roleStatements(role), stack) };
}

/** Everything allowed by the caller's own account: what another account's policies add is not the pipeline's to decide. */
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

interface Request {
  /** The caller: a role session in some account. */
  account: string;
  role: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  identityPolicy?: unknown;
}

/** The decision IAM takes on the request, with the bus policy as resource policy. */
async function evaluate(stack: Stack, request: Request): Promise<string> {
  const roleArn = request.role.startsWith('arn:')
    ? request.role
    : `arn:aws:iam::${request.account}:role/${request.role}`;
  const roleName = roleArn.split('/').at(-1);
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${request.account}:assumed-role/${roleName}/session`,
      action: request.action,
      resource: { resource: request.resource, accountId: PIPELINE_ACCOUNT },
      // What AWS puts in every request context of a role session.
      contextVariables: {
        'aws:PrincipalArn': roleArn,
        'aws:PrincipalAccount': request.account,
        ...request.context,
      },
    },
    identityPolicies: [{ name: 'caller', policy: request.identityPolicy ?? ALLOW_ALL }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: busPolicy(stack),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

const ruleArn = (stack: Stack, name: string) =>
  `arn:aws:events:${stack.region}:${PIPELINE_ACCOUNT}:rule/${stack.busName}/${name}`;
const busArn = (stack: Stack) =>
  `arn:aws:events:${stack.region}:${PIPELINE_ACCOUNT}:event-bus/${stack.busName}`;

/** A subscriber account's PutRule on the pipeline's bus, with the pattern's sources. */
const putRule = (stack: Stack, account: string, sources: string[] | undefined) =>
  evaluate(stack, {
    account,
    role: 'rule-admin',
    action: 'events:PutRule',
    resource: ruleArn(stack, 'model-optimization-outcomes'),
    context: { 'events:creatorAccount': account, ...(sources ? { 'events:source': sources } : {}) },
  });

const putEvents = (stack: Stack, role: string, sources: string[], identityPolicy?: unknown) =>
  evaluate(stack, {
    account: PIPELINE_ACCOUNT,
    role,
    action: 'events:PutEvents',
    resource: busArn(stack),
    context: { 'events:source': sources },
    identityPolicy,
  });

const ci: Stack = {
  template: packagedTemplate(),
  region: 'us-east-1',
  busName: 'model-optimization-pipeline-ci',
};
const prod: Stack = {
  template: shapeTemplate('prod'),
  region: inject('shapes').prod.region,
  busName: 'model-optimization-pipeline-prod',
};

const OWN_REGISTRY = VPC_SHAPE.addedRegistry;
const STAGE_SUBNET = VPC_SHAPE.stageSubnet;
const CHOSEN_SUBNET = VPC_SHAPE.chosenSubnet;
/** In the made-up account: the stack's own account may use it by IAM policy alone. */
const TEAM_KEY = VPC_SHAPE.teamKey;
/** The ci stage with a VPC and a wider job policy: the SageMaker role's other shape (prod brings its own role). */
const vpc: Stack = {
  template: shapeTemplate('vpc'),
  region: VPC_SHAPE.region,
  busName: 'model-optimization-pipeline-ci',
};

it('evaluates the prod shape with its subscriber accounts and the vpc shape in the made-up account', () => {
  expect(prodShape().args).toContain(`subscriberAccountIds=${SUBSCRIBER},222222222222`);
  expect(TEAM_KEY.split(':')[4]).toBe(PIPELINE_ACCOUNT);
});

describe('bus policy, evaluated: subscriber accounts create rules on the pipeline source only (prod shape)', () => {
  it('allows a listed account a rule whose pattern names the pipeline source', async () => {
    expect(await putRule(prod, SUBSCRIBER, [SOURCE])).toBe('Allowed');
  });

  it('denies a listed account a rule without a source (it would select every event on the bus)', async () => {
    expect(await putRule(prod, SUBSCRIBER, undefined)).toBe('ImplicitlyDenied');
  });

  it('denies a listed account a rule on another source, alone or beside the pipeline’s', async () => {
    expect(await putRule(prod, SUBSCRIBER, ['com.example.orders'])).toBe('ImplicitlyDenied');
    expect(await putRule(prod, SUBSCRIBER, [SOURCE, 'com.example.orders'])).toBe('ImplicitlyDenied');
  });

  it('denies an unlisted account any rule', async () => {
    expect(await putRule(prod, UNLISTED, [SOURCE])).toBe('ImplicitlyDenied');
  });

  it('lets a listed account manage the rules it created, not another account’s', async () => {
    const deleteRule = (creatorAccount: string) =>
      evaluate(prod, {
        account: SUBSCRIBER,
        role: 'rule-admin',
        action: 'events:DeleteRule',
        resource: ruleArn(prod, 'model-optimization-outcomes'),
        context: { 'events:creatorAccount': creatorAccount },
      });
    expect(await deleteRule(SUBSCRIBER)).toBe('Allowed');
    expect(await deleteRule('222222222222')).toBe('ImplicitlyDenied');
  });
});

describe('bus policy, evaluated: no subscriber account on a stage that lists none (ci shape)', () => {
  it('denies every other account a rule, even on the pipeline source', async () => {
    expect(await putRule(ci, SUBSCRIBER, [SOURCE])).toBe('ImplicitlyDenied');
  });
});

describe.each([
  ['ci', ci],
  ['prod', prod],
])('bus policy, evaluated: only the tracking role puts the pipeline source (%s shape)', (_, stack) => {
  it('denies another role of the account the pipeline source, whatever its own policies allow', async () => {
    expect(await putEvents(stack, 'account-admin', [SOURCE])).toBe('ExplicitlyDenied');
    expect(await putEvents(stack, 'account-admin', ['com.example.orders', SOURCE])).toBe('ExplicitlyDenied');
  });

  it('leaves other sources to the account’s own policies', async () => {
    expect(await putEvents(stack, 'account-admin', ['com.example.orders'])).toBe('Allowed');
  });

  it('allows the tracking role, by its own policy, to put the pipeline source', async () => {
    expect(await putEvents(stack, TRACKING_ROLE_ARN, [SOURCE], trackingRolePolicy(stack))).toBe('Allowed');
  });

  it('denies another account the pipeline source', async () => {
    expect(
      await evaluate(stack, {
        account: UNLISTED,
        role: 'producer',
        action: 'events:PutEvents',
        resource: busArn(stack),
        context: { 'events:source': [SOURCE] },
      }),
    ).toBe('ExplicitlyDenied');
  });
});

/** A service's sts:AssumeRole of a stack role, on behalf of `sourceArn`, under the role's trust policy. */
async function assumeRole(stack: Stack, roleId: string, service: string, sourceArn: string | undefined) {
  const trust = resolve(resource(stack.template, roleId).Properties?.AssumeRolePolicyDocument, stack);
  const result = await runSimulation(
    {
      request: {
        principal: service,
        action: 'sts:AssumeRole',
        resource: {
          resource: `arn:aws:iam::${PIPELINE_ACCOUNT}:role/${roleId}`,
          accountId: PIPELINE_ACCOUNT,
        },
        contextVariables: sourceArn
          ? { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceArn.split(':')[4] ?? '' }
          : { 'aws:SourceAccount': PIPELINE_ACCOUNT },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('trust policies, evaluated: each service role serves this stack’s own resources (ci shape)', () => {
  const stateMachine = `arn:aws:states:us-east-1:${PIPELINE_ACCOUNT}:stateMachine:model-optimization-pipeline-ci-track`;

  it('lets Step Functions assume the tracking role for this state machine, not another', async () => {
    const assume = (arn?: string) => assumeRole(ci, 'TrackOptimizationJobRole', 'states.amazonaws.com', arn);
    expect(await assume(stateMachine)).toBe('Allowed');
    expect(await assume(`${stateMachine}:live`)).toBe('Allowed');
    expect(await assume(`${stateMachine}-other`)).toBe('ImplicitlyDenied');
    expect(await assume(undefined)).toBe('ImplicitlyDenied');
    expect(await assume(stateMachine.replace(PIPELINE_ACCOUNT, UNLISTED))).toBe('ImplicitlyDenied');
  });

  it('lets SageMaker assume the job role for this account’s optimization jobs, not other SageMaker resources, nor another account', async () => {
    const assume = (arn?: string) => assumeRole(ci, 'SageMakerExecutionRole', 'sagemaker.amazonaws.com', arn);
    const jobs = `arn:aws:sagemaker:us-east-1:${PIPELINE_ACCOUNT}`;
    expect(await assume(`${jobs}:optimization-job/llama-3-abc`)).toBe('Allowed');
    expect(await assume(`${jobs}:training-job/llama-3-abc`)).toBe('ImplicitlyDenied');
    // Without the key (not documented for optimization jobs), the account check alone decides.
    expect(await assume(undefined)).toBe('Allowed');
    expect(await assume(`${jobs}:optimization-job/llama-3-abc`.replace(PIPELINE_ACCOUNT, UNLISTED))).toBe(
      'ImplicitlyDenied',
    );
  });
});

/** The decision on a request by one of the stack's roles, under its own policy (and a resource policy, if any). */
async function roleDecision(
  stack: Stack,
  roleId: string,
  request: { action: string; resource: string; context?: Record<string, string | string[]> },
  resourcePolicy?: unknown,
) {
  const role = resource(stack.template, roleId);
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${PIPELINE_ACCOUNT}:assumed-role/${roleId}/session`,
        action: request.action,
        resource: { resource: request.resource, accountId: PIPELINE_ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': `arn:aws:iam::${PIPELINE_ACCOUNT}:role/${roleId}`,
          'aws:PrincipalAccount': PIPELINE_ACCOUNT,
          ...request.context,
        },
      },
      identityPolicies: [
        { name: roleId, policy: { Version: '2012-10-17', Statement: resolve(roleStatements(role), stack) } },
        // Policies of their own attached to the role (AWS::IAM::Policy with the role in Roles).
        ...resourcesOfType(stack.template, 'AWS::IAM::Policy')
          .filter(([, policy]) =>
            JSON.stringify(policy.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: roleId })),
          )
          .map(([id, policy]) => ({
            name: id,
            policy: resolve(policy.Properties?.PolicyDocument, stack) as object,
          })),
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

describe('start-optimization’s role, evaluated: it tags jobs only as it creates them, with the stage tag (ci shape)', () => {
  const addTags = (context: Record<string, string | string[]>) =>
    roleDecision(ci, 'StartOptimizationRole', {
      action: 'sagemaker:AddTags',
      resource: `arn:aws:sagemaker:us-east-1:${PIPELINE_ACCOUNT}:optimization-job/llama-3-abc`,
      context,
    });
  const pipelineTags = { 'aws:RequestTag/stage': 'ci', 'aws:TagKeys': ['model-id', 'source-key', 'stage'] };

  it('allows the tags of CreateOptimizationJob that carry the stage tag', async () => {
    expect(await addTags({ 'sagemaker:TaggingAction': 'CreateOptimizationJob', ...pipelineTags })).toBe(
      'Allowed',
    );
  });

  it('denies tags without the stage’s tag, and tagging a job that exists', async () => {
    const create = { 'sagemaker:TaggingAction': 'CreateOptimizationJob' };
    expect(await addTags({ ...create, 'aws:RequestTag/stage': 'prod', 'aws:TagKeys': ['stage'] })).toBe(
      'ImplicitlyDenied',
    );
    expect(await addTags({ ...create, 'aws:TagKeys': ['team'] })).toBe('ImplicitlyDenied');
    expect(await addTags({ 'sagemaker:TaggingAction': 'AddTags', ...pipelineTags })).toBe('ImplicitlyDenied');
  });
});

/**
 * The SageMaker role under the stage's job policy (src/job/job-policy.ts refuses the same
 * manifests before a job exists): images from the allowed registries only, network interfaces
 * in the allowed subnets and security groups only, outputs under the allowed keys only.
 */
describe.each([
  ['ci shape: the defaults, no VPC', () => ci, { registries: ['763104351884'], subnets: [], keys: [] }],
  [
    'VPC shape: a stage VPC, an added registry, a manifest-choosable network and key',
    () => vpc,
    { registries: ['763104351884', OWN_REGISTRY], subnets: [STAGE_SUBNET, CHOSEN_SUBNET], keys: [TEAM_KEY] },
  ],
])('the SageMaker role, evaluated (%s)', (_, stackOf, allowed) => {
  const jobRole = (request: Parameters<typeof roleDecision>[2], resourcePolicy?: unknown) =>
    roleDecision(stackOf(), 'SageMakerExecutionRole', request, resourcePolicy);
  const pull = (account: string) =>
    jobRole({
      action: 'ecr:BatchGetImage',
      resource: `arn:aws:ecr:us-east-1:${account}:repository/quantizer`,
    });

  it('pulls images from the allowed registries only', async () => {
    for (const account of allowed.registries) expect(await pull(account)).toBe('Allowed');
    expect(await pull(UNLISTED)).toBe('ImplicitlyDenied');
  });

  it('registers the optimized model (registerModel) in its own account only, passing only itself, only to SageMaker', async () => {
    const sagemaker = `arn:aws:sagemaker:us-east-1:${PIPELINE_ACCOUNT}`;
    const createModel = (resource: string) => jobRole({ action: 'sagemaker:CreateModel', resource });
    expect(await createModel(`${sagemaker}:model/llama-3-abc`)).toBe('Allowed');
    expect(await createModel(`${sagemaker}:model/llama-3-abc`.replace(PIPELINE_ACCOUNT, UNLISTED))).toBe(
      'ImplicitlyDenied',
    );
    expect(await jobRole({ action: 'sagemaker:CreateEndpoint', resource: `${sagemaker}:endpoint/x` })).toBe(
      'ImplicitlyDenied',
    );
    const pass = (role: string, service: string) =>
      jobRole({ action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service } });
    expect(await pass(SAGEMAKER_ROLE_ARN, 'sagemaker.amazonaws.com')).toBe('Allowed');
    expect(await pass(SAGEMAKER_ROLE_ARN, 'lambda.amazonaws.com')).toBe('ImplicitlyDenied');
    expect(await pass(TRACKING_ROLE_ARN, 'sagemaker.amazonaws.com')).toBe('ImplicitlyDenied');
  });

  it('creates network interfaces in the allowed subnets only, and none without a VPC', async () => {
    const create = (resource: string) => jobRole({ action: 'ec2:CreateNetworkInterface', resource });
    const ec2 = `arn:aws:ec2:us-east-1:${PIPELINE_ACCOUNT}`;
    for (const subnet of allowed.subnets) expect(await create(`${ec2}:subnet/${subnet}`)).toBe('Allowed');
    expect(await create(`${ec2}:subnet/subnet-0123456789abcdef0`)).toBe('ImplicitlyDenied');
    expect(await create(`${ec2}:security-group/sg-0123456789abcdef0`)).toBe('ImplicitlyDenied');
  });

  it('encrypts outputs under the stage’s key (by its key policy) and the allowed keys, through S3', async () => {
    const viaS3 = { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': PIPELINE_ACCOUNT };
    const generate = (key: string, keyPolicy: unknown) =>
      jobRole({ action: 'kms:GenerateDataKey', resource: key, context: viaS3 }, keyPolicy);
    const stageKeyPolicy = resolve(
      resource(stackOf().template, 'PipelineKey').Properties?.KeyPolicy,
      stackOf(),
    );
    expect(await generate(pipelineKeyArn(stackOf()), stageKeyPolicy)).toBe('Allowed');
    // A team's key whose policy leaves its use to IAM, as AWS's default key policy does.
    const delegatesToIam = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    };
    for (const key of allowed.keys) expect(await generate(key, delegatesToIam)).toBe('Allowed');
    expect(await generate(`arn:aws:kms:us-east-1:${PIPELINE_ACCOUNT}:key/other`, delegatesToIam)).not.toBe(
      'Allowed',
    );
  });

  it('cannot encrypt under another key, even one whose key policy lets the whole account use it (aws/s3)', async () => {
    const awsManagedKey = `arn:aws:kms:us-east-1:${PIPELINE_ACCOUNT}:key/aws-s3-managed`;
    const keyPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: {
            StringEquals: {
              'kms:CallerAccount': PIPELINE_ACCOUNT,
              'kms:ViaService': 's3.us-east-1.amazonaws.com',
            },
          },
        },
      ],
    };
    const request = {
      action: 'kms:GenerateDataKey',
      resource: awsManagedKey,
      context: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': PIPELINE_ACCOUNT },
    };
    expect(await jobRole(request, keyPolicy)).toBe('ExplicitlyDenied');
  });
});

describe('check-optimization-job’s role, evaluated: it describes this state machine’s executions only (ci shape)', () => {
  const executions = `arn:aws:states:us-east-1:${PIPELINE_ACCOUNT}:execution`;
  const describeExecution = (resource: string) =>
    roleDecision(ci, 'CheckOptimizationJobRole', { action: 'states:DescribeExecution', resource });

  it('may describe a tracking execution, not another state machine’s, nor stop or start one', async () => {
    expect(
      await describeExecution(`${executions}:model-optimization-pipeline-ci-track:llama-3-awq-abc`),
    ).toBe('Allowed');
    expect(
      await describeExecution(`${executions}:model-optimization-pipeline-ci-other:llama-3-awq-abc`),
    ).toBe('ImplicitlyDenied');
    const stop = await roleDecision(ci, 'CheckOptimizationJobRole', {
      action: 'states:StopExecution',
      resource: `${executions}:model-optimization-pipeline-ci-track:llama-3-awq-abc`,
    });
    expect(stop).toBe('ImplicitlyDenied');
  });
});
