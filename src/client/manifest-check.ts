/**
 * The pre-flight check of `model-opt drop`: a manifest asking for a job SageMaker would fail
 * (src/sagemaker-api/compatibility.ts) is refused before a byte is sent. The client cannot see the
 * stage's defaults, so it judges what the manifest itself states: with no techniques in it, the
 * stage's apply and the pipeline checks them; with no instance type or environment, the rules
 * that need them refuse nothing here. A manifest that is not valid is left to the pipeline,
 * which rejects it with every error and its path, as before.
 */
import { readFileSync } from 'node:fs';
import { DropError } from '../drop/drop-plan';
import type { Manifest } from '../drop/manifest-schema';
import { parseManifest } from '../drop/read-manifest';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { mergeVariant } from '../job/settings';
import { compatibilityIssues } from '../sagemaker-api/compatibility';
import { ClientError } from './errors';

/** The manifest asks for a job SageMaker would fail; nothing was sent. */
export class IncompatibleManifestError extends ClientError {
  override readonly name = 'IncompatibleManifestError';
  constructor(
    readonly manifestPath: string,
    readonly issues: ValidationIssue[],
  ) {
    super(
      `manifest ${manifestPath} asks for an optimization job SageMaker would fail, so nothing was sent: ${issues
        .map((issue) => `${issue.path}: ${issue.message}`)
        .join('; ')}`,
    );
  }
}

/** What the compatibility rules find in the manifest text, judged on what it states; [] if nothing. */
export function manifestCompatibilityIssues(text: string): ValidationIssue[] {
  let manifest: ReturnType<typeof parseManifest>;
  try {
    manifest = parseManifest(text);
  } catch (error) {
    if (error instanceof InvalidDropError) return [];
    throw error;
  }
  if (!manifest.variants) return statedIssues(manifest, '$');
  // Each variant as the pipeline runs it: merged over the manifest, with the issue where its
  // techniques are written (an inherited one once, however many variants inherit it).
  const seen = new Set<string>();
  return manifest.variants
    .flatMap((variant, index) =>
      statedIssues(mergeVariant(manifest, variant), variant.techniques ? `$.variants[${index}]` : '$'),
    )
    .filter(({ path, message }) => !seen.has(`${path} ${message}`) && seen.add(`${path} ${message}`));
}

/** The rules' issues of one job's settings, as far as the manifest states them. */
function statedIssues(manifest: Manifest, prefix: string): ValidationIssue[] {
  if (!manifest.techniques) return [];
  return compatibilityIssues(
    {
      techniques: manifest.techniques,
      ...(manifest.deploymentInstanceType && { deploymentInstanceType: manifest.deploymentInstanceType }),
    },
    { prefix },
  );
}

/** Throws {@link IncompatibleManifestError} when the manifest file breaks a compatibility rule. */
export function assertManifestCompatible(manifestPath: string): void {
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (error) {
    throw new DropError(`could not read ${manifestPath}: ${(error as Error).message}`, { cause: error });
  }
  const issues = manifestCompatibilityIssues(text);
  if (issues.length > 0) throw new IncompatibleManifestError(manifestPath, issues);
}
