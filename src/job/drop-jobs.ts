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
 * Every issue of one job, with paths under `pathPrefix` (`$`, or `$.variants[<i>]`): the stage's
 * policy on the fields the manifest or the variant sets itself (`own`), not on the merged
 * settings, since the stage's own defaults (its VPC) are not the manifest's choice. The SageMaker
 * compatibility rules, which need the merged `settings` (undefined when the merge itself broke a
 * limit), join here.
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
  const wanted = variants
    ? variants.map((variant, index) => {
        const { name: _name, ...own } = variant;
        return { variant, own, merged: mergeVariant(manifest, variant), pathPrefix: `$.variants[${index}]` };
      })
    : [{ variant: undefined, own: top, merged: top, pathPrefix: '$' }];
  // With variants, the top-level fields are checked once, where they are written.
  const issues: ValidationIssue[] = variants ? jobIssues(top, undefined, policy, '$') : [];
  const jobs: PlannedJob[] = [];
  for (const { variant, own, merged, pathPrefix } of wanted) {
    let settings: OptimizationSettings | undefined;
    try {
      settings = resolveSettings(defaults, merged, pathPrefix);
    } catch (error) {
      if (!(error instanceof InvalidDropError)) throw error;
      issues.push(...error.issues);
    }
    issues.push(...jobIssues(own, settings, policy, pathPrefix));
    if (settings) jobs.push({ ...(variant && { variant }), settings });
  }
  if (issues.length > 0) throw new InvalidDropError(issues);
  return jobs;
}
