/**
 * The tag keys the pipeline sets on every job. A manifest may not set them (manifest-schema.ts
 * rejects it, with the path), so a job's tags always say where it came from.
 */
export const PIPELINE_TAG_KEYS = ['model-id', 'source-key', 'stage'] as const;
