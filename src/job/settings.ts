/**
 * Optimization settings: the stage defaults with a manifest merged over them.
 * Techniques replace the defaults as a whole; environment entries and tags merge key by key,
 * the manifest winning. The job gets the tags after the pipeline's own (build-request.ts),
 * whose keys the manifest schema (and the stage's, config.ts) reject. A variant is merged over
 * the manifest first (mergeVariant), then the result over the defaults.
 */
import type { Manifest, TechniqueEntry, Variant } from '../drop/manifest-schema';
import { InvalidDropError, type ValidationIssue } from '../errors';
import { ENVIRONMENT_MAX_ENTRIES, TAGS_MAX, type Technique } from '../sagemaker-api/limits';
import { PIPELINE_TAG_KEYS } from './pipeline-tags';

export interface DefaultSettings {
  deploymentInstanceType: NonNullable<Manifest['deploymentInstanceType']>;
  techniques: TechniqueEntry[];
  environment: Record<string, string>;
  maxRuntimeInSeconds: number;
  maxInstanceCount?: number;
  maxPendingTimeInSeconds?: number;
  /** Tags for every job of the stage, under the manifest's. */
  tags?: Record<string, string>;
  vpcConfig?: { subnets: string[]; securityGroupIds: string[] };
}

export interface OptimizationSettings {
  deploymentInstanceType: DefaultSettings['deploymentInstanceType'];
  techniques: TechniqueEntry[];
  environment: Record<string, string>;
  maxRuntimeInSeconds: number;
  maxPendingTimeInSeconds?: number;
  maxWaitTimeInSeconds?: number;
  maxInstanceCount?: number;
  acceptEula?: boolean;
  kmsKeyId?: string;
  tags: Record<string, string>;
  vpcConfig?: { subnets: string[]; securityGroupIds: string[] };
  /** The manifest's `registerModel`; {@link registeredModelName} resolves it for a job. */
  registerModel?: Manifest['registerModel'];
  /** `source.sageMakerModel.name`: optimize this registered model instead of the drop's files. */
  sourceModelName?: string;
  trainingPlanArn?: string;
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
  const tags = { ...defaults.tags, ...manifest.tags };
  const issues: ValidationIssue[] = [];
  if (Object.keys(environment).length > ENVIRONMENT_MAX_ENTRIES) {
    issues.push({
      path: `${pathPrefix}.environment`,
      message: `has ${Object.keys(environment).length} entries with the stage defaults merged in; at most ${ENVIRONMENT_MAX_ENTRIES}`,
    });
  }
  const tagsMax = TAGS_MAX - PIPELINE_TAG_KEYS.length;
  if (Object.keys(tags).length > tagsMax) {
    issues.push({
      path: '$.tags',
      message: `has ${Object.keys(tags).length} tags with the stage's merged in; at most ${tagsMax} (the pipeline adds ${PIPELINE_TAG_KEYS.length} of its own)`,
    });
  }
  if (issues.length > 0) throw new InvalidDropError(issues);
  return {
    deploymentInstanceType: manifest.deploymentInstanceType ?? defaults.deploymentInstanceType,
    techniques: manifest.techniques ?? defaults.techniques,
    environment,
    maxRuntimeInSeconds: manifest.stoppingCondition?.maxRuntimeInSeconds ?? defaults.maxRuntimeInSeconds,
    maxPendingTimeInSeconds:
      manifest.stoppingCondition?.maxPendingTimeInSeconds ?? defaults.maxPendingTimeInSeconds,
    maxWaitTimeInSeconds: manifest.stoppingCondition?.maxWaitTimeInSeconds,
    maxInstanceCount: manifest.maxInstanceCount ?? defaults.maxInstanceCount,
    acceptEula: manifest.acceptEula,
    kmsKeyId: manifest.kmsKeyId,
    tags,
    vpcConfig: manifest.vpcConfig ?? defaults.vpcConfig,
    ...(manifest.registerModel !== undefined && { registerModel: manifest.registerModel }),
    ...(manifest.source?.sageMakerModel && { sourceModelName: manifest.source.sageMakerModel.name }),
    ...(manifest.trainingPlanArn && { trainingPlanArn: manifest.trainingPlanArn }),
  };
}

/** The name the job registers its model under (`registerModel`), or undefined when it registers none. */
export function registeredModelName(settings: OptimizationSettings, jobName: string): string | undefined {
  const { registerModel } = settings;
  if (registerModel === true) return jobName;
  if (typeof registerModel === 'object') return registerModel.name;
  return undefined;
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
