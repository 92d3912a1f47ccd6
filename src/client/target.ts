/**
 * Where the client talks to: the local stack when AWS_ENDPOINT_URL is set, else AWS through the
 * standard credential chain. One set of SDK clients, configured once.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

/** What selects a target: the options every `model-opt` command takes. */
export interface TargetOptions {
  profile?: string;
  region?: string;
  stage?: string;
}

/** The resolved target: stage, endpoint (local) or AWS, region, profile. */
export interface Target {
  stage: string;
  /** AWS_ENDPOINT_URL, when set: the local stack (or another emulator). */
  endpoint?: string;
  /** Whether the target is an endpoint rather than AWS. */
  local: boolean;
  region?: string;
  profile?: string;
}

/** The SDK clients the library works with. */
export interface Clients {
  s3: S3Client;
  sageMaker: SageMakerClient;
  sfn: SFNClient;
  sqs: SQSClient;
  cloudFormation: CloudFormationClient;
}

/** The local stack's default region, when neither the options nor the environment give one. */
const LOCAL_DEFAULT_REGION = 'us-east-1';

/** Resolves the target from the options and the environment. */
export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): Target {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const region =
    options.region ??
    (env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? LOCAL_DEFAULT_REGION : undefined));
  return {
    stage: options.stage ?? (endpoint ? 'local' : 'dev'),
    ...(endpoint && { endpoint }),
    local: Boolean(endpoint),
    ...(region && { region }),
    ...(options.profile && { profile: options.profile }),
  };
}

/** Creates the clients. The SDK reads AWS_ENDPOINT_URL itself; the local stack accepts any credentials. */
export function createClients(target: Target, env: NodeJS.ProcessEnv = process.env): Clients {
  const anyCredentials =
    target.local && !target.profile && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {};
  const config = {
    ...(target.region && { region: target.region }),
    ...(target.profile && { profile: target.profile }),
    ...anyCredentials,
  };
  return {
    s3: new S3Client({ ...config, forcePathStyle: target.local }),
    sageMaker: new SageMakerClient(config),
    sfn: new SFNClient(config),
    sqs: new SQSClient(config),
    cloudFormation: new CloudFormationClient(config),
  };
}

/** The CloudFormation stack serverless.yml deploys for a stage. */
export const stackName = (stage: string): string => `model-optimization-pipeline-${stage}`;
