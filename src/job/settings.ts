/**
 * Optimization settings: the stage defaults with a manifest merged over them.
 * Techniques replace the defaults as a whole; environment entries merge key by key, the
 * manifest winning. Tags are the manifest's alone: the stage has none, and the job gets them
 * after the pipeline's own (build-request.ts), whose keys the manifest schema rejects. A variant is
 * merged over the manifest first (mergeVariant), then the result over the defaults.
 */
import type { Manifest, TechniqueEntry, Variant } from '../drop/manifest-schema';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { ENVIRONMENT_MAX_ENTRIES, type Technique } from '../sagemaker-api/limits';

export interface DefaultSettings {
  deploymentInstanceType: NonNullable<Manifest['deploymentInstanceType']>;
  techniques: TechniqueEntry[];
  environment: Record<string, string>;
  maxRuntimeInSeconds: number;
  vpcConfig?: { subnets: string[]; securityGroupIds: string[] };
}

export interface OptimizationSettings {
  deploymentInstanceType: DefaultSettings['deploymentInstanceType'];
  techniques: TechniqueEntry[];
  environment: Record<string, string>;
  maxRuntimeInSeconds: number;
  maxPendingTimeInSeconds?: number;
  maxInstanceCount?: number;
  acceptEula?: boolean;
  kmsKeyId?: string;
  tags: Record<string, string>;
  vpcConfig?: { subnets: string[]; securityGroupIds: string[] };
}

/**
 * Merges a manifest (possibly `{}`) over the defaults; throws if the merge breaks a limit, with
 * paths under `pathPrefix` (a variant's, `$.variants[1]`, when the manifest is one variant merged).
 */
export function resolveSettings(
  defaults: DefaultSettings,
  manifest: Manifest = {},
  pathPrefix = '$',
): OptimizationSettings {
  const environment = { ...defaults.environment, ...manifest.environment };
  const issues: ValidationIssue[] = [];
  if (Object.keys(environment).length > ENVIRONMENT_MAX_ENTRIES) {
    issues.push({
      path: `${pathPrefix}.environment`,
      message: `has ${Object.keys(environment).length} entries with the stage defaults merged in; at most ${ENVIRONMENT_MAX_ENTRIES}`,
    });
  }
  if (issues.length > 0) throw new InvalidDropError(issues);
  return {
    deploymentInstanceType: manifest.deploymentInstanceType ?? defaults.deploymentInstanceType,
    techniques: manifest.techniques ?? defaults.techniques,
    environment,
    maxRuntimeInSeconds: manifest.stoppingCondition?.maxRuntimeInSeconds ?? defaults.maxRuntimeInSeconds,
    maxPendingTimeInSeconds: manifest.stoppingCondition?.maxPendingTimeInSeconds,
    maxInstanceCount: manifest.maxInstanceCount,
    acceptEula: manifest.acceptEula,
    kmsKeyId: manifest.kmsKeyId,
    tags: manifest.tags ?? {},
    vpcConfig: manifest.vpcConfig ?? defaults.vpcConfig,
  };
}

/**
 * One variant merged over the manifest's top-level fields: environment and stoppingCondition key
 * by key, the variant winning; techniques and the other fields replace as a whole. The result
 * is a manifest without variants, for resolveSettings.
 */
export function mergeVariant(manifest: Manifest, variant: Variant): Manifest {
  const { variants: _variants, ...top } = manifest;
  const { name: _name, ...own } = variant;
  const environment = (top.environment ?? own.environment) && { ...top.environment, ...own.environment };
  const stoppingCondition = (top.stoppingCondition ?? own.stoppingCondition) && {
    ...top.stoppingCondition,
    ...own.stoppingCondition,
  };
  return {
    ...top,
    ...own,
    ...(environment && { environment }),
    ...(stoppingCondition && { stoppingCondition }),
  };
}

/** The technique names of a settings object, in order: `["quantization", "compilation"]`. */
export function techniqueNames(techniques: TechniqueEntry[]): Technique[] {
  return techniques.flatMap((entry) =>
    (Object.keys(entry) as Technique[]).filter((k) => entry[k] !== undefined),
  );
}
