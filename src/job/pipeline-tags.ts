/**
 * The tag keys the pipeline sets on every job. A manifest may not set them (manifest-schema.ts
 * rejects it, with the path), so a job's tags always say where it came from. `variant` and
 * `drop-job` (the drop's job name) are set on the jobs of a drop with variants only.
 */
export const PIPELINE_TAG_KEYS = ['model-id', 'source-key', 'stage', 'variant', 'drop-job'] as const;
