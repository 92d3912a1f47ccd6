/**
 * The environment a function's bundle is loaded with in the bench: what the nodejs22.x runtime
 * sets, dummy credentials, and the function's own variables from the packaged template, with
 * CloudFormation intrinsics replaced by plausible values so config validation passes.
 */
import type { PackagedFunction, PackagedTemplate } from './functions';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** A resource's ARN as AWS formats it for its type (the forms config validation checks). */
function arnFor(type: string, id: string): string {
  const at = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  switch (type) {
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${id}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${id.toLowerCase()}`;
    case 'AWS::StepFunctions::StateMachine':
      return at('states', `stateMachine:${id}`);
    case 'AWS::Lambda::Function':
      return at('lambda', `function:${id}`);
    case 'AWS::Events::EventBus':
      return at('events', `event-bus/${id}`);
    case 'AWS::DynamoDB::Table':
      return at('dynamodb', `table/${id}`);
    default: {
      const service = type.split('::')[1]?.toLowerCase() ?? 'unknown';
      return at(service, id);
    }
  }
}

/** What `Ref` returns for a resource: an ARN, URL or name depending on its type. */
function refFor(type: string, id: string): string {
  switch (type) {
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::SNS::Topic':
      return arnFor(type, id);
    case 'AWS::SQS::Queue':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    case 'AWS::S3::Bucket':
      return id.toLowerCase();
    default:
      return id;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::StackName': 'bench',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A string for a template value: strings as they are, intrinsics resolved to dummies. */
export function benchValue(value: unknown, template: PackagedTemplate): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const intrinsic = (value ?? {}) as Record<string, unknown>;
  const typeOf = (id: string) => template.Resources[id]?.Type ?? '';
  if (typeof intrinsic.Ref === 'string') {
    return PSEUDO[intrinsic.Ref] ?? refFor(typeOf(intrinsic.Ref), intrinsic.Ref);
  }
  if (Array.isArray(intrinsic['Fn::GetAtt'])) {
    const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    return attribute.endsWith('Arn') ? arnFor(typeOf(id), id) : id;
  }
  if (Array.isArray(intrinsic['Fn::If'])) {
    const [, whenTrue] = intrinsic['Fn::If'] as unknown[];
    return benchValue(whenTrue, template);
  }
  if (Array.isArray(intrinsic['Fn::Join'])) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => benchValue(p, template)).join(separator);
  }
  if ('Fn::Sub' in intrinsic) {
    const sub = intrinsic['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : String((sub as unknown[])[0]);
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => PSEUDO[name] ?? name);
  }
  return JSON.stringify(value);
}

/** The full environment for loading one function's bundle as Lambda would. */
export function lambdaEnv(fn: PackagedFunction, template: PackagedTemplate, taskRoot: string) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMiB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'bench',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: fn.handler,
    // Active tracing (provider.tracing.lambda) sets these.
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
  };
  for (const [name, value] of Object.entries(fn.environment)) env[name] = benchValue(value, template);
  return env;
}
