import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';

/** The name prefix of a stage's models bucket (serverless.yml: `<stack>-models-<account>-<region>`). */
export const modelsBucketPrefix = (stage: string): string => `model-optimization-pipeline-${stage}-models`;

/**
 * The buckets that can be the stage's models bucket: names starting with
 * `model-optimization-pipeline-<stage>-models`. When several match (one stage deployed in
 * several regions), those ending in `-<region>` win.
 */
export async function findModelsBuckets(s3: S3Client, stage: string, region?: string): Promise<string[]> {
  const prefix = modelsBucketPrefix(stage);
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListBucketsCommand({ ContinuationToken: token, Prefix: prefix }));
    names.push(...(page.Buckets ?? []).map((b) => b.Name ?? '').filter((name) => name.startsWith(prefix)));
    token = page.ContinuationToken;
  } while (token);
  const inRegion = region ? names.filter((name) => name.endsWith(`-${region}`)) : [];
  return names.length > 1 && inRegion.length > 0 ? inRegion : names;
}
