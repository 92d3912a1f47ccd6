/**
 * The manifest (`models/<model-id>/optimization.json`): the settings a user may give a folder
 * drop. Every limit comes from the API (src/sagemaker-api/limits.ts), so a manifest that passes here also
 * passes SageMaker's own validation. `schemas/manifest.schema.json` is generated from this
 * schema (`npm run schemas`); `docs/manifest.md` describes it.
 */
import * as z from 'zod';
import { PIPELINE_TAG_KEYS } from '../job/pipeline-tags';
import {
  DEPLOYMENT_INSTANCE_TYPES,
  ENVIRONMENT_KEY_MAX_LENGTH,
  ENVIRONMENT_KEY_PATTERN,
  ENVIRONMENT_MAX_ENTRIES,
  ENVIRONMENT_VALUE_MAX_LENGTH,
  IMAGE_MAX_LENGTH,
  IMAGE_PATTERN,
  KMS_KEY_ID_MAX_LENGTH,
  KMS_KEY_ID_PATTERN,
  MAX_INSTANCE_COUNT_MIN,
  MAX_PENDING_TIME_MAX_SECONDS,
  MAX_PENDING_TIME_MIN_SECONDS,
  MAX_RUNTIME_MAX_SECONDS,
  MAX_RUNTIME_MIN_SECONDS,
  MAX_WAIT_TIME_MIN_SECONDS,
  MODEL_NAME_MAX_LENGTH,
  MODEL_NAME_PATTERN,
  OPTIMIZATION_CONFIGS_MAX,
  S3_URI_MAX_LENGTH,
  SECURITY_GROUP_ID_PATTERN,
  SECURITY_GROUPS_MAX,
  SPECULATIVE_DECODING_S3_DATA_TYPES,
  SPECULATIVE_DECODING_TECHNIQUES,
  SUBNET_ID_PATTERN,
  SUBNETS_MAX,
  TAG_KEY_MAX_LENGTH,
  TAG_PATTERN,
  TAG_VALUE_MAX_LENGTH,
  TAGS_MAX,
  TECHNIQUES,
  TRAINING_PLAN_ARN_MAX_LENGTH,
  TRAINING_PLAN_ARN_MIN_LENGTH,
  TRAINING_PLAN_ARN_PATTERN,
  VPC_ID_MAX_LENGTH,
} from '../sagemaker-api/limits';

/**
 * Where speculative-decoding training data is: an `s3://bucket/key` URI or an `https://` URL of
 * an S3 object or prefix, as the API's `S3Uri` shape takes (`(https|s3)://([^/]+)/?(.*)`).
 */
const trainingDataUri = z
  .string()
  .max(S3_URI_MAX_LENGTH)
  .regex(
    /^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|https:\/\/[^/\s]+)\/\S*$/,
    'must be an s3://bucket/key URI or an https:// URL of S3 data',
  );

const modelName = z
  .string()
  .min(1)
  .max(MODEL_NAME_MAX_LENGTH)
  .regex(
    MODEL_NAME_PATTERN,
    'must be letters, digits and hyphens, starting and ending with a letter or digit',
  );

/** A container environment: the API allows at most 25 entries of at most 256 characters. */
export const environmentSchema = z
  .record(
    // Keys are checked below: zod reports a bad record key only as "Invalid key in record".
    z.string(),
    z
      .string()
      .max(ENVIRONMENT_VALUE_MAX_LENGTH, `values are at most ${ENVIRONMENT_VALUE_MAX_LENGTH} characters`),
  )
  .superRefine((env, ctx) => {
    const keys = Object.keys(env);
    if (keys.length > ENVIRONMENT_MAX_ENTRIES) {
      ctx.addIssue({ code: 'custom', message: `at most ${ENVIRONMENT_MAX_ENTRIES} entries` });
    }
    for (const key of keys) {
      if (key.length > ENVIRONMENT_KEY_MAX_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `keys are at most ${ENVIRONMENT_KEY_MAX_LENGTH} characters`,
        });
      } else if (!ENVIRONMENT_KEY_PATTERN.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'keys must not be blank' });
      }
    }
  })
  .meta({
    maxProperties: ENVIRONMENT_MAX_ENTRIES,
    propertyNames: { maxLength: ENVIRONMENT_KEY_MAX_LENGTH, pattern: ENVIRONMENT_KEY_PATTERN.source },
  });

const containerTechniqueSchema = z.strictObject({
  image: z
    .string()
    .max(IMAGE_MAX_LENGTH)
    .regex(IMAGE_PATTERN, 'must be an image URI without spaces')
    .optional(),
  environment: environmentSchema.optional(),
});

const speculativeDecodingSchema = z.strictObject({
  technique: z
    .enum(SPECULATIVE_DECODING_TECHNIQUES, {
      error: (issue) =>
        `unknown speculative-decoding technique ${JSON.stringify(issue.input)}; the API accepts ${SPECULATIVE_DECODING_TECHNIQUES.join(', ')}`,
    })
    .default('EAGLE'),
  trainingData: z
    .strictObject({
      s3Uri: trainingDataUri,
      s3DataType: z.enum(SPECULATIVE_DECODING_S3_DATA_TYPES),
    })
    .optional(),
});

const techniqueShapes = {
  quantization: containerTechniqueSchema,
  compilation: containerTechniqueSchema,
  sharding: containerTechniqueSchema,
  speculativeDecoding: speculativeDecodingSchema,
} as const;

/**
 * One technique, written like the API's tagged union: an object with exactly one key,
 * e.g. `{ "quantization": { "environment": { "OPTION_QUANTIZE": "awq" } } }`.
 */
export const techniqueEntrySchema = z
  .looseObject({
    quantization: techniqueShapes.quantization.optional(),
    compilation: techniqueShapes.compilation.optional(),
    sharding: techniqueShapes.sharding.optional(),
    speculativeDecoding: techniqueShapes.speculativeDecoding.optional(),
  })
  .superRefine((entry, ctx) => {
    const keys = Object.keys(entry);
    const unknown = keys.filter((key) => !Object.hasOwn(techniqueShapes, key));
    for (const key of unknown) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown technique "${key}"; expected one of ${TECHNIQUES.join(', ')}`,
      });
    }
    if (unknown.length === 0 && keys.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `must set exactly one technique of ${TECHNIQUES.join(', ')} (found ${keys.length === 0 ? 'none' : keys.join(' and ')})`,
      });
    }
  })
  // What the refinement enforces, stated for the generated JSON Schema.
  .meta({
    description: 'One technique: an object with exactly one key, like the API tagged union.',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
  });

export type TechniqueEntry = z.infer<typeof techniqueEntrySchema>;

/**
 * A manifest that names techniques names at least one (`{}` asks for the stage's defaults). The
 * API would take none (OPTIMIZATION_CONFIGS_MIN is 0): a job that optimizes nothing is a mistake here.
 */
export const MIN_TECHNIQUES = 1;

export const techniquesSchema = z
  .array(techniqueEntrySchema)
  .min(MIN_TECHNIQUES, `at least ${MIN_TECHNIQUES} technique`)
  .max(OPTIMIZATION_CONFIGS_MAX, `at most ${OPTIMIZATION_CONFIGS_MAX} techniques`);

const tagKey = z
  .string()
  .min(1)
  .max(TAG_KEY_MAX_LENGTH)
  .regex(TAG_PATTERN, 'has characters tags do not allow')
  // For the JSON Schema; the record below reports a reserved key with its own path.
  .meta({ not: { enum: [...PIPELINE_TAG_KEYS] } });
const tagValue = z.string().max(TAG_VALUE_MAX_LENGTH).regex(TAG_PATTERN, 'has characters tags do not allow');
const tagsMax = TAGS_MAX - PIPELINE_TAG_KEYS.length;
const pipelineTagKeys = new Set<string>(PIPELINE_TAG_KEYS);

/**
 * User tags, added after the pipeline's own. A key the pipeline sets is rejected, with its
 * path, rather than dropped (which would surprise the user who wrote it) or let overwrite the
 * pipeline's value (which says what model, drop and stage the job came from).
 */
export const tagsSchema = z
  .record(tagKey, tagValue)
  .superRefine((tags, ctx) => {
    if (Object.keys(tags).length > tagsMax) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${tagsMax} tags (the pipeline adds ${PIPELINE_TAG_KEYS.length} of its own)`,
      });
    }
    for (const key of Object.keys(tags)) {
      if (pipelineTagKeys.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is a tag the pipeline sets on its jobs (${PIPELINE_TAG_KEYS.join(', ')}); use another key`,
        });
      }
    }
  })
  .meta({ maxProperties: tagsMax });

const vpcId = (pattern: RegExp) => z.string().max(VPC_ID_MAX_LENGTH).regex(pattern, 'is not a valid id');

export const vpcConfigSchema = z.strictObject({
  securityGroupIds: z.array(vpcId(SECURITY_GROUP_ID_PATTERN)).min(1).max(SECURITY_GROUPS_MAX),
  subnets: z.array(vpcId(SUBNET_ID_PATTERN)).min(1).max(SUBNETS_MAX),
});

const instanceFamilies = [
  ...new Set(DEPLOYMENT_INSTANCE_TYPES.map((t) => t.slice(0, t.lastIndexOf('.')))),
].join(', ');

/** The API's instance-type enum, with a message short enough to read in an event. */
export const deploymentInstanceTypeSchema = z.enum(DEPLOYMENT_INSTANCE_TYPES, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an instance type the optimization-job API accepts (families: ${instanceFamilies}; the full list is in schemas/manifest.schema.json)`,
});

/**
 * `registerModel`: have the job register the optimized model in SageMaker
 * (`OutputConfig.SageMakerModel.ModelName`), ready to deploy. `true` names it after the job;
 * `{ "name": "…" }` chooses the name, which must not be taken when the job ends.
 */
export const registerModelSchema = z
  .union([z.boolean(), z.strictObject({ name: modelName })])
  .describe('true: register the optimized model under the job name; { name }: under that name');

/**
 * `source`: where the job reads the model from, when not from the folder. `sageMakerModel`
 * optimizes a model already registered in SageMaker (`ModelSource.SageMakerModel`), so nothing
 * is uploaded: the folder holds the manifest alone (read-manifest.ts refuses one with files).
 */
export const sourceSchema = z
  .strictObject({ sageMakerModel: z.strictObject({ name: modelName }) })
  .describe(
    'a model already registered in SageMaker, instead of the folder (which then holds the manifest only)',
  );

const stoppingConditionSchema = z.strictObject({
  maxRuntimeInSeconds: z.number().int().min(MAX_RUNTIME_MIN_SECONDS).max(MAX_RUNTIME_MAX_SECONDS).optional(),
  maxPendingTimeInSeconds: z
    .number()
    .int()
    .min(MAX_PENDING_TIME_MIN_SECONDS)
    .max(MAX_PENDING_TIME_MAX_SECONDS)
    .optional(),
  // The API sets no upper bound (botocore: integer, min 1).
  maxWaitTimeInSeconds: z.number().int().min(MAX_WAIT_TIME_MIN_SECONDS).optional(),
});

export const VARIANTS_MAX = 10;
export const VARIANT_NAME_PATTERN = /^[a-z0-9-]{1,20}$/;

/**
 * One variant of a drop: a name and any of the job-level fields, merged over the manifest's own
 * (src/job/settings.ts). Each variant becomes a job of its own.
 */
export const variantSchema = z.strictObject({
  name: z
    .string()
    .regex(VARIANT_NAME_PATTERN, 'must be 1-20 lowercase letters, digits or hyphens')
    .describe('names the variant in its job name, its tags and its events'),
  deploymentInstanceType: deploymentInstanceTypeSchema.optional(),
  techniques: techniquesSchema.optional(),
  environment: environmentSchema.optional(),
  stoppingCondition: stoppingConditionSchema.optional(),
  maxInstanceCount: z.number().int().min(MAX_INSTANCE_COUNT_MIN).optional(),
  registerModel: registerModelSchema.optional(),
});

export type Variant = z.infer<typeof variantSchema>;

const variantsSchema = z
  .array(variantSchema)
  .min(1, 'at least 1 variant (leave variants out for one job)')
  .max(VARIANTS_MAX, `at most ${VARIANTS_MAX} variants`)
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    for (const [index, { name }] of variants.entries()) {
      if (seen.has(name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${name}" names two variants` });
      }
      seen.add(name);
    }
  })
  .describe(
    'one job per entry, each with its fields merged over the manifest’s (docs/manifest.md, "Variants")',
  );

/** The manifest. Every field is optional: `{}` means "the stage defaults". */
export const manifestSchema = z
  .strictObject({
    deploymentInstanceType: deploymentInstanceTypeSchema.optional(),
    techniques: techniquesSchema.optional(),
    environment: environmentSchema.optional(),
    maxInstanceCount: z.number().int().min(MAX_INSTANCE_COUNT_MIN).optional(),
    stoppingCondition: stoppingConditionSchema.optional(),
    acceptEula: z.boolean().optional(),
    kmsKeyId: z.string().max(KMS_KEY_ID_MAX_LENGTH).regex(KMS_KEY_ID_PATTERN).optional(),
    tags: tagsSchema.optional(),
    vpcConfig: vpcConfigSchema.optional(),
    registerModel: registerModelSchema.optional(),
    source: sourceSchema.optional(),
    variants: variantsSchema.optional(),
    /** Reserved capacity (SageMaker training plans); the API takes at most one. */
    trainingPlanArn: z
      .string()
      .min(TRAINING_PLAN_ARN_MIN_LENGTH)
      .max(TRAINING_PLAN_ARN_MAX_LENGTH)
      .regex(
        TRAINING_PLAN_ARN_PATTERN,
        'must be a SageMaker training-plan ARN (arn:aws:sagemaker:<region>:<account>:training-plan/<name>)',
      )
      .optional(),
  })
  .superRefine((manifest, ctx) => {
    // ModelAccessConfig exists under ModelSource.S3 only: a registered model has its own terms.
    if (manifest.source?.sageMakerModel && manifest.acceptEula !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acceptEula'],
        message:
          'applies to a model read from S3; a source.sageMakerModel is optimized as registered (leave acceptEula out)',
      });
    }
  });

export type Manifest = z.infer<typeof manifestSchema>;
