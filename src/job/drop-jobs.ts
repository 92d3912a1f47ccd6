/**
 * The jobs a drop asks for, each with its resolved settings: one for a plain drop, one per
 * variant for a drop with `variants`. Every job is checked before any is created, so one bad
 * variant rejects the whole drop with every issue and its path (`$.variants[1].techniques[0]…`).
 */
import type { Manifest, Variant } from '../drop/manifest-schema';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { type JobPolicy, jobPolicyIssues } from './job-policy';
import { type DefaultSettings, mergeVariant, type OptimizationSettings, resolveSettings } from './settings';

export interface PlannedJob {
  /** The variant this job runs; absent for a plain drop. */
  variant?: Variant;
  settings: OptimizationSettings;
}

/** Re-roots an issue's `$…` path under `pathPrefix`. */
const under = (pathPrefix: string) => (issue: ValidationIssue) => ({
  ...issue,
  path: `${pathPrefix}${issue.path.slice(1)}`,
});

/**
 * Every issue of the fields a manifest or one variant sets itself, with paths under `pathPrefix`
 * (`$`, or `$.variants[<i>]`). The policy is checked on the fields as written, not on the merged
 * settings: the stage's own defaults (its VPC) are not the manifest's choice. The SageMaker
 * compatibility rules, which need the merged settings, join here.
 */
export function jobIssues(
  own: Manifest,
  _settings: OptimizationSettings | undefined,
  policy: JobPolicy,
  pathPrefix: string,
): ValidationIssue[] {
  return jobPolicyIssues(own, policy).map(under(pathPrefix));
}

/** The jobs of a drop, or InvalidDropError with the issues of every job. */
export function planJobs(manifest: Manifest, defaults: DefaultSettings, policy: JobPolicy): PlannedJob[] {
  const { variants, ...top } = manifest;
  if (!variants) {
    const beyondPolicy = jobIssues(top, undefined, policy, '$');
    if (beyondPolicy.length > 0) throw new InvalidDropError(beyondPolicy);
    const settings = resolveSettings(defaults, top);
    return [{ settings }];
  }
  const issues: ValidationIssue[] = jobIssues(top, undefined, policy, '$');
  const jobs: PlannedJob[] = [];
  for (const [index, variant] of variants.entries()) {
    const pathPrefix = `$.variants[${index}]`;
    const { name: _name, ...own } = variant;
    let settings: OptimizationSettings | undefined;
    try {
      settings = resolveSettings(defaults, mergeVariant(manifest, variant), pathPrefix);
    } catch (error) {
      if (!(error instanceof InvalidDropError)) throw error;
      issues.push(...error.issues);
    }
    issues.push(...jobIssues(own, settings, policy, pathPrefix));
    if (settings) jobs.push({ variant, settings });
  }
  if (issues.length > 0) throw new InvalidDropError(issues);
  return jobs;
}
