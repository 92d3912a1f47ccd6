/**
 * Optimization settings: the stage defaults with a manifest merged over them.
 * Techniques replace the defaults as a whole; environment entries merge key by key, the
 * manifest winning. Tags are the manifest's alone: the stage has none, and the job gets them
 * after the pipeline's own (build-request.ts), whose keys the manifest schema rejects.
 */
import type { Manifest, TechniqueEntry } from '../drop/manifest-schema';
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
  /** The manifest's `registerModel`; {@link registeredModelName} resolves it for a job. */
  registerModel?: Manifest['registerModel'];
}

/** Merges a manifest (possibly `{}`) over the defaults; throws if the merge breaks a limit. */
export function resolveSettings(defaults: DefaultSettings, manifest: Manifest = {}): OptimizationSettings {
  const environment = { ...defaults.environment, ...manifest.environment };
  const issues: ValidationIssue[] = [];
  if (Object.keys(environment).length > ENVIRONMENT_MAX_ENTRIES) {
    issues.push({
      path: '$.environment',
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
    ...(manifest.registerModel !== undefined && { registerModel: manifest.registerModel }),
  };
}

/** The name the job registers its model under (`registerModel`), or undefined when it registers none. */
export function registeredModelName(settings: OptimizationSettings, jobName: string): string | undefined {
  const { registerModel } = settings;
  if (registerModel === true) return jobName;
  if (typeof registerModel === 'object') return registerModel.name;
  return undefined;
}

/** The technique names of a settings object, in order: `["quantization", "compilation"]`. */
export function techniqueNames(techniques: TechniqueEntry[]): Technique[] {
  return techniques.flatMap((entry) =>
    (Object.keys(entry) as Technique[]).filter((k) => entry[k] !== undefined),
  );
}
