/**
 * The one place configuration is read. Parsed and validated once, at cold start: a missing
 * or malformed variable fails fast with a message that names it.
 */
import * as z from 'zod';
import { imageRegistryAccounts, kmsKeyArns, manifestNetworks } from '../config/job-policy.cjs';
import { normalizePrefix, prefixProblems } from '../config/stage-prefixes.cjs';
import { DEFAULT_DROP_RULES } from './drop/drop-rules';
import { environmentSchema, tagsSchema, techniquesSchema } from './drop/manifest-schema';
import { ConfigError } from './errors';
import type { JobPolicy } from './job/job-policy';
import {
  DEPLOYMENT_INSTANCE_TYPES,
  MAX_INSTANCE_COUNT_MIN,
  MAX_PENDING_TIME_MAX_SECONDS,
  MAX_PENDING_TIME_MIN_SECONDS,
  MAX_RUNTIME_MAX_SECONDS,
  ROLE_ARN_PATTERN,
} from './sagemaker-api/limits';
import {
  MAX_POLLS_PER_EXECUTION,
  POLL_TIERS_SECONDS,
  DEFAULT_TRACKING_SCHEDULE as TRACKING,
  type TrackingSchedule,
} from './track/schedule';

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const csv = z.string().transform((text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** An optional whole number: a stage parameter left empty (`''`) means unset. */
const optionalInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce.number().int().min(min).max(max).optional(),
  );

/**
 * The stage's default MaxRuntimeInSeconds: 10 hours, the SageMaker Python SDK's default for
 * optimization jobs (`ModelBuilder.optimize(max_runtime_in_seconds=36000)`). A 70B model's
 * quantization can run past an hour, and the tracker stops a job at its limit plus a grace.
 */
export const DEFAULT_MAX_RUNTIME_SECONDS = 36_000;
/** The largest manifest a drop may carry, unless the stage says otherwise (MAX_MANIFEST_BYTES). */
export const DEFAULT_MAX_MANIFEST_BYTES = 64 * 1024;

const prefix = (fallback: string) => z.string().default(fallback).transform(normalizePrefix);

const envSchema = z
  .object({
    STAGE: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    STATE_MACHINE_ARN: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:.+$/),
    SAGEMAKER_ROLE_ARN: z.string().regex(ROLE_ARN_PATTERN),
    MODELS_PREFIX: prefix(DEFAULT_DROP_RULES.modelsPrefix),
    MANIFEST_NAME: z.string().min(1).default(DEFAULT_DROP_RULES.manifestName),
    OUTPUT_PREFIX: prefix('optimized/'),
    OUTPUT_BUCKET: z.string().optional(),
    OUTPUT_KMS_KEY_ID: z.string().optional(),
    DEFAULT_DEPLOYMENT_INSTANCE_TYPE: z.enum(DEPLOYMENT_INSTANCE_TYPES).default('ml.g5.2xlarge'),
    DEFAULT_TECHNIQUES: json(techniquesSchema).default([
      { quantization: { environment: { OPTION_QUANTIZE: 'awq' } } },
    ]),
    DEFAULT_OPTIMIZATION_ENVIRONMENT: json(environmentSchema).default({}),
    DEFAULT_MAX_RUNTIME_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_RUNTIME_MAX_SECONDS)
      .default(DEFAULT_MAX_RUNTIME_SECONDS),
    DEFAULT_MAX_INSTANCE_COUNT: optionalInt(MAX_INSTANCE_COUNT_MIN),
    DEFAULT_MAX_PENDING_TIME_SECONDS: optionalInt(MAX_PENDING_TIME_MIN_SECONDS, MAX_PENDING_TIME_MAX_SECONDS),
    // The stage's tags for every job, under the manifest's (the same limits and reserved keys).
    DEFAULT_TAGS: json(tagsSchema).default({}),
    EULA_REQUIRED_MODEL_PREFIXES: csv.default(['meta-llama', 'llama']),
    VPC_SUBNET_IDS: csv.default([]),
    VPC_SECURITY_GROUP_IDS: csv.default([]),
    // What a manifest may choose (config/job-policy.cjs reads them, as serverless.yml does).
    AWS_REGION: z.string().min(1).default('us-east-1'),
    ALLOWED_IMAGE_REGISTRIES: z.string().default('aws'),
    ALLOWED_VPC_SUBNET_IDS: z.string().default(''),
    ALLOWED_VPC_SECURITY_GROUP_IDS: z.string().default(''),
    ALLOWED_KMS_KEY_ARNS: z.string().default(''),
    MAX_MANIFEST_BYTES: z.coerce.number().int().positive().default(DEFAULT_MAX_MANIFEST_BYTES),
    QUOTA_BACKOFF_BASE_SECONDS: z.coerce.number().int().min(0).default(30),
    // A delayed SendMessage waits at most 15 minutes.
    QUOTA_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(0).max(900).default(900),
    // The longest a drop waits for a free job slot before it goes to the DLQ (7 days).
    MAX_QUOTA_WAIT_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(7 * 24 * 3600),
    // The tracking schedule, passed to the state machine in each execution's input.
    TRACKING_CHECK_FUNCTION_NAME: z.string().min(1),
    TRACKING_FIRST_POLL_DELAY_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(TRACKING.firstPollDelaySeconds),
    TRACKING_POLL_INTERVAL_SECONDS: z.coerce
      .number()
      .pipe(z.literal(POLL_TIERS_SECONDS))
      .default(TRACKING.pollIntervalSeconds),
    TRACKING_TIMEOUT_GRACE_SECONDS: z.coerce.number().int().min(0).default(TRACKING.timeoutGraceSeconds),
    TRACKING_MAX_SECONDS: z.coerce.number().int().min(60).default(TRACKING.maxTrackingSeconds),
    TRACKING_POLLS_PER_EXECUTION: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_POLLS_PER_EXECUTION)
      .default(TRACKING.pollsPerExecution),
  })
  .superRefine((env, ctx) => {
    for (const message of prefixProblems(env.MODELS_PREFIX, env.OUTPUT_PREFIX))
      ctx.addIssue({ code: 'custom', path: ['MODELS_PREFIX'], message });
  })
  .transform((env, ctx) => {
    try {
      return { ...env, jobPolicy: jobPolicyOf(env) };
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['job policy'], message: (error as Error).message });
      return z.NEVER;
    }
  });

/** The stage's policy for what a manifest may choose; throws naming a malformed parameter. */
function jobPolicyOf(env: {
  AWS_REGION: string;
  ALLOWED_IMAGE_REGISTRIES: string;
  ALLOWED_VPC_SUBNET_IDS: string;
  ALLOWED_VPC_SECURITY_GROUP_IDS: string;
  ALLOWED_KMS_KEY_ARNS: string;
  OUTPUT_KMS_KEY_ID?: string;
}): JobPolicy {
  return {
    region: env.AWS_REGION,
    imageRegistryAccounts: imageRegistryAccounts(env.ALLOWED_IMAGE_REGISTRIES, env.AWS_REGION),
    networks: manifestNetworks(env.ALLOWED_VPC_SUBNET_IDS, env.ALLOWED_VPC_SECURITY_GROUP_IDS),
    outputKmsKeyIds: [
      ...(env.OUTPUT_KMS_KEY_ID ? [env.OUTPUT_KMS_KEY_ID] : []),
      ...kmsKeyArns(env.ALLOWED_KMS_KEY_ARNS),
    ],
  };
}

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof envSchema>) {
  const vpc =
    env.VPC_SUBNET_IDS.length > 0
      ? { subnets: env.VPC_SUBNET_IDS, securityGroupIds: env.VPC_SECURITY_GROUP_IDS }
      : undefined;
  return {
    stage: env.STAGE,
    eventBusName: env.EVENT_BUS_NAME,
    stateMachineArn: env.STATE_MACHINE_ARN,
    sageMakerRoleArn: env.SAGEMAKER_ROLE_ARN,
    modelsPrefix: env.MODELS_PREFIX,
    manifestName: env.MANIFEST_NAME,
    outputPrefix: env.OUTPUT_PREFIX,
    outputBucket: env.OUTPUT_BUCKET || undefined,
    outputKmsKeyId: env.OUTPUT_KMS_KEY_ID || undefined,
    eulaRequiredModelPrefixes: env.EULA_REQUIRED_MODEL_PREFIXES,
    maxManifestBytes: env.MAX_MANIFEST_BYTES,
    jobPolicy: env.jobPolicy,
    quotaBackoff: { baseSeconds: env.QUOTA_BACKOFF_BASE_SECONDS, maxSeconds: env.QUOTA_BACKOFF_MAX_SECONDS },
    maxQuotaWaitSeconds: env.MAX_QUOTA_WAIT_SECONDS,
    tracking: {
      checkFunctionName: env.TRACKING_CHECK_FUNCTION_NAME,
      firstPollDelaySeconds: env.TRACKING_FIRST_POLL_DELAY_SECONDS,
      pollIntervalSeconds: env.TRACKING_POLL_INTERVAL_SECONDS,
      timeoutGraceSeconds: env.TRACKING_TIMEOUT_GRACE_SECONDS,
      maxTrackingSeconds: env.TRACKING_MAX_SECONDS,
      pollsPerExecution: env.TRACKING_POLLS_PER_EXECUTION,
    } satisfies TrackingSchedule,
    defaults: {
      deploymentInstanceType: env.DEFAULT_DEPLOYMENT_INSTANCE_TYPE,
      techniques: env.DEFAULT_TECHNIQUES,
      environment: env.DEFAULT_OPTIMIZATION_ENVIRONMENT,
      maxRuntimeInSeconds: env.DEFAULT_MAX_RUNTIME_SECONDS,
      ...(env.DEFAULT_MAX_INSTANCE_COUNT !== undefined && {
        maxInstanceCount: env.DEFAULT_MAX_INSTANCE_COUNT,
      }),
      ...(env.DEFAULT_MAX_PENDING_TIME_SECONDS !== undefined && {
        maxPendingTimeInSeconds: env.DEFAULT_MAX_PENDING_TIME_SECONDS,
      }),
      tags: env.DEFAULT_TAGS,
      vpcConfig: vpc,
    },
  };
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return toConfig(parsed.data);
}
