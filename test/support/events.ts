import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const EVENTS_DIR = fileURLToPath(new URL('../../events/', import.meta.url));

/**
 * Loads a sample from `events/` (the same files `sls invoke local -p` uses) as a fresh copy,
 * so a test can change it without affecting another.
 */
export function loadEvent<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(`${EVENTS_DIR}${relativePath}`, 'utf8')) as T;
}

/** The variants (file names without `.json`) of the samples in one folder of `events/`. */
export function eventVariants(folder: string): string[] {
  return readdirSync(`${EVENTS_DIR}${folder}`)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The S3 notification inside the first record of an SQS sample. */
export function s3NotificationOf(sqsSample: { Records: { body: string }[] }): {
  Records: { s3: { bucket: { name: string }; object: { key: string } } }[];
} {
  const [record] = sqsSample.Records;
  if (!record) throw new Error('sample has no records');
  return JSON.parse(record.body);
}
