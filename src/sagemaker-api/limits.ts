/**
 * Limits of the SageMaker optimization-job API, as documented in the CreateOptimizationJob /
 * DescribeOptimizationJob API reference and the current `@aws-sdk/client-sagemaker` types.
 * The manifest schema (what users may ask for) reads these; the local emulator (what the service
 * accepts) validates against botocore's model itself (local/sagemaker/botocore-model.json). A
 * test holds these constants to that model (test/local/sagemaker-conformance.test.ts).
 */
import { OptimizationJobDeploymentInstanceType } from '@aws-sdk/client-sagemaker';

export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const JOB_NAME_MAX_LENGTH = 63;

/** `OptimizationSageMakerModel.ModelName` (source or output model). */
export const MODEL_NAME_PATTERN = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const MODEL_NAME_MAX_LENGTH = 63;

export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
export const ROLE_ARN_MIN_LENGTH = 20;
export const ROLE_ARN_MAX_LENGTH = 2048;

/** S3Uri shape used by SageMaker (`s3://bucket/key` or an https S3 URL). */
export const S3_URI_PATTERN = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
export const S3_URI_MAX_LENGTH = 1024;

/** ECR image URI: no whitespace, at most 255 characters. */
export const IMAGE_PATTERN = /^[\S]+$/;
export const IMAGE_MAX_LENGTH = 255;

export const KMS_KEY_ID_PATTERN = /^[a-zA-Z0-9:/_-]*$/;
export const KMS_KEY_ID_MAX_LENGTH = 2048;

export const ENVIRONMENT_MAX_ENTRIES = 25;
export const ENVIRONMENT_KEY_MAX_LENGTH = 256;
export const ENVIRONMENT_VALUE_MAX_LENGTH = 256;
/** Keys must contain a non-whitespace character (`^(?!\s*$).+`), on one line. */
export const ENVIRONMENT_KEY_PATTERN = /^(?!\s*$).+$/;

/** The model allows an empty list (the manifest asks for at least one technique all the same). */
export const OPTIMIZATION_CONFIGS_MIN = 0;
export const OPTIMIZATION_CONFIGS_MAX = 10;

/** StoppingCondition.MaxRuntimeInSeconds: at least 1 s, at most 28 days (default 1 day). */
export const MAX_RUNTIME_MIN_SECONDS = 1;
export const MAX_RUNTIME_MAX_SECONDS = 28 * 24 * 60 * 60;
export const MAX_RUNTIME_DEFAULT_SECONDS = 24 * 60 * 60;
/** StoppingCondition.MaxWaitTimeInSeconds: at least 1 s. */
export const MAX_WAIT_TIME_MIN_SECONDS = 1;
/** StoppingCondition.MaxPendingTimeInSeconds: 2 hours to 28 days. */
export const MAX_PENDING_TIME_MIN_SECONDS = 2 * 60 * 60;
export const MAX_PENDING_TIME_MAX_SECONDS = 28 * 24 * 60 * 60;

export const TAGS_MAX = 50;
export const TAG_KEY_MIN_LENGTH = 1;
export const TAG_KEY_MAX_LENGTH = 128;
export const TAG_VALUE_MAX_LENGTH = 256;
export const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;

export const SECURITY_GROUP_ID_PATTERN = /^[-0-9a-zA-Z]+$/;
export const SECURITY_GROUPS_MIN = 1;
export const SECURITY_GROUPS_MAX = 5;
export const SUBNET_ID_PATTERN = /^[-0-9a-zA-Z]+$/;
export const SUBNETS_MIN = 1;
export const SUBNETS_MAX = 16;
export const VPC_ID_MAX_LENGTH = 32;

export const MAX_INSTANCE_COUNT_MIN = 1;

/** TrainingPlanArns: at most one plan per job. */
export const TRAINING_PLANS_MAX = 1;
export const TRAINING_PLAN_ARN_PATTERN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:training-plan\/.*$/;
export const TRAINING_PLAN_ARN_MIN_LENGTH = 50;
export const TRAINING_PLAN_ARN_MAX_LENGTH = 2048;

export const FAILURE_REASON_MAX_LENGTH = 1024;

/** The instance types the API's enum accepts (from the SDK, which tracks the service model). */
export const DEPLOYMENT_INSTANCE_TYPES = Object.values(OptimizationJobDeploymentInstanceType) as [
  OptimizationJobDeploymentInstanceType,
  ...OptimizationJobDeploymentInstanceType[],
];

/** The members of the OptimizationConfig tagged union, by the technique name we use for each. */
export const TECHNIQUE_MEMBERS = {
  quantization: 'ModelQuantizationConfig',
  compilation: 'ModelCompilationConfig',
  sharding: 'ModelShardingConfig',
  speculativeDecoding: 'ModelSpeculativeDecodingConfig',
} as const;

export type Technique = keyof typeof TECHNIQUE_MEMBERS;
export const TECHNIQUES = Object.keys(TECHNIQUE_MEMBERS) as [Technique, ...Technique[]];
export type TechniqueMember = (typeof TECHNIQUE_MEMBERS)[Technique];
export const TECHNIQUE_MEMBER_NAMES = Object.values(TECHNIQUE_MEMBERS) as TechniqueMember[];

export const SPECULATIVE_DECODING_TECHNIQUES = ['EAGLE'] as const;
export const SPECULATIVE_DECODING_S3_DATA_TYPES = ['S3Prefix', 'ManifestFile'] as const;

export const OPTIMIZATION_JOB_STATUSES = [
  'STARTING',
  'INPROGRESS',
  'COMPLETED',
  'FAILED',
  'STOPPING',
  'STOPPED',
] as const;
export type OptimizationJobStatusName = (typeof OPTIMIZATION_JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly OptimizationJobStatusName[] = ['COMPLETED', 'FAILED', 'STOPPED'];

/** ListOptimizationJobs: page size 1-100, 50 when not given. */
export const LIST_MAX_RESULTS_MIN = 1;
export const LIST_MAX_RESULTS_MAX = 100;
export const LIST_MAX_RESULTS_DEFAULT = 50;
/** ListOptimizationJobs NameContains / OptimizationContains (shape `NameContains`). */
export const NAME_CONTAINS_PATTERN = /^[a-zA-Z0-9-]+$/;
export const NAME_CONTAINS_MAX_LENGTH = 63;
export const NEXT_TOKEN_MAX_LENGTH = 8192;
/** Any text on one line (the model's `.*`). */
export const NEXT_TOKEN_PATTERN = /^.*$/;
export const LIST_SORT_BY = ['Name', 'CreationTime', 'Status'] as const;
export const SORT_ORDERS = ['Ascending', 'Descending'] as const;
