import { createHash } from 'node:crypto';
import { JOB_NAME_MAX_LENGTH } from '../sagemaker-api/limits';

const HASH_LENGTH = 10;
/** Room for the slug: the name is `<slug>-<hash>`. */
const SLUG_MAX_LENGTH = JOB_NAME_MAX_LENGTH - HASH_LENGTH - 1;

/** Identifies one upload: the same object version always yields the same job name. */
export interface DropIdentity {
  bucket: string;
  key: string;
  /** versionId when the bucket is versioned, else the eTag. */
  version?: string;
}

/**
 * The version a drop is named by, from the answer to its upload (PutObject,
 * CompleteMultipartUpload, HeadObject): the VersionId of a versioned bucket, else the ETag
 * without its quotes, as the notification carries them.
 */
export function uploadedVersion(answer: { VersionId?: string; ETag?: string }): string | undefined {
  return answer.VersionId ?? answer.ETag?.replace(/"/g, '');
}

/** A readable, name-safe slug of a model id: `Llama 3/8B_instruct` → `llama-3-8b-instruct`. */
export function slugify(modelId: string): string {
  const slug = modelId
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug || 'model';
}

/**
 * The deterministic job name of a drop: `<slug>-<hash of bucket, key, version>`. At most 63
 * characters and always matching the API's name pattern, so a redelivered notification finds
 * the job it already created.
 */
export function jobNameFor(modelId: string, drop: DropIdentity): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([drop.bucket, drop.key, drop.version ?? '']))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  return `${slugify(modelId)}-${hash}`;
}

/**
 * The job of one variant of a drop: `<slug>-<variant>-<hash of bucket, key, version, variant>`,
 * the slug cut so the name stays within 63 characters. The same drop version and variant always
 * give the same name, so a redelivered drop finds each variant's job again.
 */
export function variantJobNameFor(modelId: string, drop: DropIdentity, variant: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([drop.bucket, drop.key, drop.version ?? '', variant]))
    .digest('hex')
    .slice(0, HASH_LENGTH);
  const room = JOB_NAME_MAX_LENGTH - HASH_LENGTH - variant.length - 2;
  const slug = slugify(modelId).slice(0, room).replace(/-+$/, '') || 'model';
  return `${slug}-${variant}-${hash}`;
}

/** The suffix of the execution that puts a drop's `Variants Settled`: job names cannot end in it. */
const SETTLE_SUFFIX = '-variants';

/** The name of the execution that waits for a drop's variants: the drop's job name plus `-variants`. */
export function settleExecutionName(dropJobName: string): string {
  return `${dropJobName}${SETTLE_SUFFIX}`;
}

/** The suffix of a rejection execution's name: job names cannot end in it, continuations end in `-c<n>`. */
const REJECTED_SUFFIX = '-rejected';

/**
 * The name of the execution that announces a rejected drop: the drop's job name (a drop is
 * named even when it is not valid enough to become a job) plus `-rejected`, at most 72
 * characters; or, for a message that names no object, a hash of its body.
 */
export function rejectionExecutionName(
  drop: { modelId: string; identity: DropIdentity } | { body: string },
): string {
  if ('body' in drop) {
    return `message${REJECTED_SUFFIX}-${createHash('sha256').update(drop.body).digest('hex').slice(0, 20)}`;
  }
  return `${jobNameFor(drop.modelId, drop.identity)}${REJECTED_SUFFIX}`;
}
