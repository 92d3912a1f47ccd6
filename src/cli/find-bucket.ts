import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { DropError } from './drop';

/**
 * The models bucket of a stage: the one whose name starts with
 * `model-optimization-pipeline-<stage>-models` (what serverless.yml creates), unless given.
 */
export async function findModelsBucket(s3: S3Client, stage: string, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  const prefix = `model-optimization-pipeline-${stage}-models`;
  const { Buckets = [] } = await s3.send(new ListBucketsCommand({}));
  const matches = Buckets.map((b) => b.Name ?? '').filter((name) => name.startsWith(prefix));
  if (matches.length === 1 && matches[0]) return matches[0];
  throw new DropError(
    matches.length === 0
      ? `no bucket named ${prefix}…: is the stack for stage "${stage}" deployed (or the local stack running)? Pass --bucket to choose one.`
      : `several buckets match ${prefix}… (${matches.join(', ')}): pass --bucket`,
  );
}
