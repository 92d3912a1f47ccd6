/**
 * The jobs a drop asks for, each with its resolved settings: one for a plain drop, one per
 * variant for a drop with `variants`. Every job is checked before any is created, so one bad
 * variant rejects the whole drop with every issue and its path (`$.variants[1].techniques[0]…`).
 */
import type { Manifest, Variant } from '../drop/manifest-schema';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { type CompatibilityOptions, compatibilityIssues } from '../sagemaker-api/compatibility';
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
  settings: OptimizationSettings | undefined,
  policy: JobPolicy,
  pathPrefix: string,
  techniquesAt: CompatibilityOptions = {
    prefix: pathPrefix,
    techniquesFrom: own.techniques ? 'manifest' : 'stage',
  },
): ValidationIssue[] {
  return [
    ...jobPolicyIssues(own, policy).map(under(pathPrefix)),
    ...(settings ? compatibilityIssues(settings, techniquesAt) : []),
  ];
}

/**
 * Where a job's techniques are written, for the compatibility rules' paths: in the variant, else
 * at the top of the manifest, else nowhere (the stage's defaults apply).
 */
function techniquesAt(own: Manifest, top: Manifest, pathPrefix: string): CompatibilityOptions {
  if (own.techniques) return { prefix: pathPrefix, techniquesFrom: 'manifest' };
  if (top.techniques) return { prefix: '$', techniquesFrom: 'manifest' };
  return { prefix: pathPrefix, techniquesFrom: 'stage' };
}

/** Issues once each: variants that inherit the top-level techniques report the same ones. */
function distinct(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter(({ path, message }) => {
    const key = `${path}\n${message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
    issues.push(...jobIssues(own, settings, policy, pathPrefix, techniquesAt(own, top, pathPrefix)));
    if (settings) jobs.push({ ...(variant && { variant }), settings });
  }
  issues.push(...sharedModelNames(wanted));
  if (issues.length > 0) throw new InvalidDropError(distinct(issues));
  return jobs;
}

/**
 * A model name is unique in the account: two variants that register under one chosen name
 * would fail the second job when it completes, after its hours were billed.
 */
function sharedModelNames(
  wanted: { own: Manifest; merged: Manifest; pathPrefix: string }[],
): ValidationIssue[] {
  if (wanted.length < 2) return [];
  const byName = new Map<string, string[]>();
  for (const { own, merged, pathPrefix } of wanted) {
    const chosen = merged.registerModel;
    if (typeof chosen !== 'object') continue;
    const path = own.registerModel ? `${pathPrefix}.registerModel.name` : '$.registerModel.name';
    byName.set(chosen.name, [...(byName.get(chosen.name) ?? []), path]);
  }
  return [...byName].flatMap(([name, paths]) =>
    paths.length < 2
      ? []
      : [
          {
            path: paths[1] ?? paths[0] ?? '$',
            message: `registers model "${name}", as another variant does (${paths[0]}); a model name is unique, so the second job would fail as it completes: give each variant its own name, or use "registerModel": true`,
          },
        ],
  );
}
