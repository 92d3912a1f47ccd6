/**
 * The event contract: the one source of truth for the six detail-types the pipeline publishes.
 * The producers' TypeScript types are inferred from these schemas, and `schemas/*.json` are
 * generated from them (`npm run schemas`); a test fails when the committed files drift.
 *
 * Versioning: `schemaVersion` is semver. Adding an optional field is a minor bump; removing or
 * changing a field is a major bump and a new schema in the registry.
 *
 * Published schemas are open (unknown fields allowed) so a minor bump never breaks a subscriber
 * that validates against an older one; zod strips unknown fields when parsing, likewise.
 * Values that AWS may extend (instance types) are patterns, not enums, for the same reason.
 */
import * as z from 'zod';
import { OPTIMIZATION_JOB_STATUSES, TECHNIQUES } from '../sagemaker-api/limits';

export const SCHEMA_VERSION = '1.1.0';
export const EVENT_SOURCE = 'model-optimization-pipeline';

export const DETAIL_TYPES = {
  started: 'Model Optimization Started',
  completed: 'Model Optimization Completed',
  failed: 'Model Optimization Failed',
  stopped: 'Model Optimization Stopped',
  rejected: 'Model Upload Rejected',
  settled: 'Model Optimization Variants Settled',
} as const;
export type EventKind = keyof typeof DETAIL_TYPES;
export type DetailType = (typeof DETAIL_TYPES)[EventKind];

const isoTime = z.iso.datetime({ offset: false }).describe('ISO-8601 UTC timestamp');
// Patterns rather than `.startsWith()`, which emits a non-standard JSON Schema `format`.
const s3Uri = z.string().regex(/^s3:\/\/[^/]+/);
const arn = z.string().regex(/^arn:aws[a-z-]*:/);

export const modelRefSchema = z
  .object({
    bucket: z.string().min(1),
    key: z.string().min(1).describe('the decoded object key that triggered the drop'),
    s3Uri: s3Uri.describe('what SageMaker reads: the artifact or the folder prefix'),
    modelId: z.string().min(1).optional(),
    versionId: z.string().optional(),
    eTag: z.string().optional(),
  })
  .describe('the model that was dropped');

const jobFields = {
  schemaVersion: z
    .string()
    .regex(/^1\.\d+\.\d+$/)
    .describe(`semver of this schema (now ${SCHEMA_VERSION})`),
  stage: z.string().min(1),
  jobName: z.string().min(1).max(63),
  jobArn: arn,
  executionArn: arn,
  model: modelRefSchema,
  deploymentInstanceType: z
    .string()
    .regex(/^ml\.[a-z0-9-]+\.[a-z0-9-]+$/)
    .describe('the SageMaker instance type the model was optimized for, e.g. ml.g5.2xlarge'),
  techniques: z.array(z.enum(TECHNIQUES)).min(1),
  startedAt: isoTime,
};

/** On every event of a variant's job (1.1.0): which variant, and the drop it belongs to. */
const variantFields = {
  variant: z
    .string()
    .regex(/^[a-z0-9-]{1,20}$/)
    .optional()
    .describe('the variant this job runs, when the drop has variants (since 1.1.0)'),
  dropJobName: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .describe('the drop’s job name, which names its Variants Settled execution (since 1.1.0)'),
};

const endFields = {
  endedAt: isoTime,
  durationSeconds: z.number().min(0).describe('from startedAt to endedAt'),
};

export const startedDetailSchema = z.object({
  ...variantFields,
  ...jobFields,
  status: z.enum(OPTIMIZATION_JOB_STATUSES).describe('the SageMaker status when tracking began'),
});

export const completedDetailSchema = z.object({
  ...variantFields,
  ...jobFields,
  ...endFields,
  status: z.literal('COMPLETED'),
  output: z.object({
    s3Uri: s3Uri.describe('where the optimized model was written'),
    recommendedInferenceImage: z.string().optional(),
    sageMakerModel: z
      .object({
        name: z.string().min(1).max(63),
        arn: arn.describe('arn:aws:sagemaker:<region>:<account>:model/<name in lower case>'),
      })
      .optional()
      .describe(
        'the SageMaker model the job registered (manifest registerModel), ready to deploy; since 1.1.0',
      ),
  }),
});

export const failedDetailSchema = z.object({
  ...variantFields,
  ...jobFields,
  ...endFields,
  status: z.literal('FAILED'),
  failureReason: z.string(),
});

export const stoppedDetailSchema = z.object({
  ...variantFields,
  ...jobFields,
  ...endFields,
  status: z.literal('STOPPED'),
  failureReason: z.string().describe('who or what stopped it; a timeout says so and after how long'),
});

export const rejectedDetailSchema = z.object({
  schemaVersion: jobFields.schemaVersion,
  stage: jobFields.stage,
  status: z.literal('REJECTED'),
  model: modelRefSchema.partial().optional().describe('what is known of the drop'),
  jobName: jobFields.jobName.optional().describe('the name the job would have had, when known'),
  errors: z
    .array(
      z.object({
        path: z.string().describe('JSONPath of the problem; $ is the whole input'),
        message: z.string(),
      }),
    )
    .min(1),
  endedAt: isoTime.describe('when the drop was rejected'),
});

const variantOutcomeSchema = z.object({
  name: variantFields.variant.unwrap(),
  jobName: jobFields.jobName,
  status: z.enum(['COMPLETED', 'FAILED', 'STOPPED']),
  durationSeconds: endFields.durationSeconds,
  deploymentInstanceType: jobFields.deploymentInstanceType,
  output: z.object({ s3Uri: s3Uri.describe('where the optimized model was written') }).optional(),
  failureReason: z.string().optional().describe('why the job failed or stopped'),
});

/** Once per drop with variants, after every variant's job has ended (since 1.1.0). */
export const settledDetailSchema = z.object({
  schemaVersion: jobFields.schemaVersion,
  stage: jobFields.stage,
  status: z.literal('SETTLED'),
  model: modelRefSchema,
  dropJobName: jobFields.jobName.describe(
    'the drop’s job name: the settle execution is <dropJobName>-variants',
  ),
  variants: z.array(variantOutcomeSchema).min(1).describe('one row per variant, in manifest order'),
  endedAt: isoTime.describe('when the last variant was seen ended'),
});

export const detailSchemas = {
  started: startedDetailSchema,
  completed: completedDetailSchema,
  failed: failedDetailSchema,
  stopped: stoppedDetailSchema,
  rejected: rejectedDetailSchema,
  settled: settledDetailSchema,
} as const;

/** The EventBridge envelope around one detail-type, as targets of a rule receive it. */
export function envelopeSchemaOf<K extends EventKind>(kind: K) {
  return z.object({
    version: z.string().describe('EventBridge envelope version, "0"'),
    id: z.string().min(1).describe('unique per event; a redelivered event keeps its id'),
    'detail-type': z.literal(DETAIL_TYPES[kind]),
    source: z.literal(EVENT_SOURCE),
    account: z.string().regex(/^\d{12}$/),
    time: isoTime.describe('when the event was put'),
    region: z.string().min(1),
    resources: z.array(z.string()).describe('the job ARN, when there is a job'),
    detail: detailSchemas[kind],
  });
}

/** The envelope schema of each event kind. */
export const envelopeSchemas = {
  started: envelopeSchemaOf('started'),
  completed: envelopeSchemaOf('completed'),
  failed: envelopeSchemaOf('failed'),
  stopped: envelopeSchemaOf('stopped'),
  rejected: envelopeSchemaOf('rejected'),
  settled: envelopeSchemaOf('settled'),
} as const;

/** Any event the pipeline publishes, told apart by `detail-type`. */
export const pipelineEventSchema = z.discriminatedUnion('detail-type', [
  envelopeSchemas.started,
  envelopeSchemas.completed,
  envelopeSchemas.failed,
  envelopeSchemas.stopped,
  envelopeSchemas.rejected,
  envelopeSchemas.settled,
]);
export type PipelineEvent = z.infer<typeof pipelineEventSchema>;

export type StartedDetail = z.infer<typeof startedDetailSchema>;
export type CompletedDetail = z.infer<typeof completedDetailSchema>;
export type FailedDetail = z.infer<typeof failedDetailSchema>;
export type StoppedDetail = z.infer<typeof stoppedDetailSchema>;
export type RejectedDetail = z.infer<typeof rejectedDetailSchema>;
export type SettledDetail = z.infer<typeof settledDetailSchema>;
export type VariantOutcome = z.infer<typeof variantOutcomeSchema>;
export type ModelRef = z.infer<typeof modelRefSchema>;

/** The detail-type string → its kind, for subscribers reading `detail-type`. */
export function kindOf(detailType: string): EventKind | undefined {
  return (Object.entries(DETAIL_TYPES) as [EventKind, DetailType][]).find(([, t]) => t === detailType)?.[0];
}
