/**
 * The drop contract, as code outside src/ uses it (local/, harness/, bench/, scripts/; a test
 * keeps it so): the rules and their defaults, which object starts a job, how keys are coded,
 * what a drop uploads and in which order, and what a folder drop leaves out. No I/O and no
 * Node here, so the console page bundles it. Reading and validating a manifest are the
 * pipeline's (read-manifest.ts, manifest-schema.ts) and are not exported.
 */
export { classifyObject, type Drop, MODEL_ID_MAX_LENGTH } from './classify';
export { decodeS3Key, encodeS3Key } from './decode-key';
export {
  DEFAULT_LEFT_OUT,
  type DropFilter,
  type DropFilterRules,
  describeLeftOut,
  dropFilter,
  type LeftOut,
  leftOutBytes,
  MODELIGNORE,
  splitFiles,
} from './drop-filter';
export {
  DEFAULT_MANIFEST_TEXT,
  DropError,
  type DropFile,
  type DropInput,
  type DropPlan,
  type PlannedUpload,
  planDrop,
} from './drop-plan';
export { DEFAULT_DROP_RULES, type DropRules } from './drop-rules';
export type { S3ObjectRef } from './s3-notification';
