/**
 * The drop contract: which uploaded objects start a job. See docs/drop-contract in README.
 * - `<models>/<...>.tar.gz`          → one job on that artifact
 * - `<models>/<model-id>/<manifest>` → one job on the folder `<models>/<model-id>/`
 * - anything else                    → ignored
 */
import { InvalidDropError, type ValidationIssue } from '../errors';
import type { DropRules } from './drop-rules';
import type { S3ObjectRef } from './s3-notification';

export const MODEL_ID_MAX_LENGTH = 128;
const ARTIFACT_SUFFIX = '.tar.gz';
/** SageMaker's own convention: `<model-id>/model.tar.gz` names the model by its folder. */
const CONVENTIONAL_ARTIFACT_NAME = 'model.tar.gz';

export type Drop =
  | { kind: 'ignored'; reason: string; object: S3ObjectRef }
  | { kind: 'artifact'; modelId: string; object: S3ObjectRef; sourceKey: string }
  | { kind: 'manifest'; modelId: string; object: S3ObjectRef; sourceKey: string };

/** Decides what an uploaded object means. Pure: no I/O. */
export function classifyObject(object: S3ObjectRef, rules: DropRules): Drop {
  const { key } = object;
  if (!key.startsWith(rules.modelsPrefix)) {
    return { kind: 'ignored', reason: `outside ${rules.modelsPrefix || 'the bucket root'}`, object };
  }
  const relative = key.slice(rules.modelsPrefix.length);
  const manifestSuffix = `/${rules.manifestName}`;
  if (relative === rules.manifestName) {
    return { kind: 'ignored', reason: 'manifest not inside a model folder', object };
  }
  if (relative.endsWith(manifestSuffix)) {
    const modelId = relative.slice(0, -manifestSuffix.length);
    return { kind: 'manifest', modelId, object, sourceKey: `${rules.modelsPrefix}${modelId}/` };
  }
  if (relative.endsWith(ARTIFACT_SUFFIX)) {
    const withoutSuffix = relative.slice(0, -ARTIFACT_SUFFIX.length);
    const modelId = relative.endsWith(`/${CONVENTIONAL_ARTIFACT_NAME}`)
      ? relative.slice(0, -(CONVENTIONAL_ARTIFACT_NAME.length + 1))
      : withoutSuffix;
    if (modelId === '' || withoutSuffix.endsWith('/')) {
      return { kind: 'ignored', reason: 'artifact has no name', object };
    }
    return { kind: 'artifact', modelId, object, sourceKey: key };
  }
  return { kind: 'ignored', reason: 'not a .tar.gz artifact or a manifest', object };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Checks a triggering key and model id. Throws InvalidDropError listing every problem. */
export function assertValidDrop(drop: Exclude<Drop, { kind: 'ignored' }>): void {
  const issues: ValidationIssue[] = [];
  const { key, size } = drop.object;
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) {
    issues.push({
      path: '$.key',
      message: `must not contain '.' or '..' path segments: ${JSON.stringify(key)}`,
    });
  }
  if (CONTROL_CHARACTERS.test(key)) {
    issues.push({ path: '$.key', message: `must not contain control characters: ${JSON.stringify(key)}` });
  }
  if (drop.modelId.length > MODEL_ID_MAX_LENGTH) {
    issues.push({
      path: '$.modelId',
      message: `is ${drop.modelId.length} characters; at most ${MODEL_ID_MAX_LENGTH} can name a job`,
    });
  }
  if (!/[A-Za-z0-9]/.test(drop.modelId)) {
    issues.push({
      path: '$.modelId',
      message: `needs a letter or digit to name a job: ${JSON.stringify(drop.modelId)}`,
    });
  }
  if (drop.kind === 'artifact' && size === 0) {
    issues.push({ path: '$.size', message: 'the .tar.gz artifact is empty (0 bytes)' });
  }
  if (issues.length > 0) throw new InvalidDropError(issues);
}
