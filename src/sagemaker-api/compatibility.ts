/**
 * Which mixes of techniques and instance types an optimization job can run. The API accepts any
 * mix; the job then fails inside SageMaker, after the model was uploaded and the job billed. The
 * SageMaker Python SDK refuses these mixes before it calls CreateOptimizationJob, and so does
 * the pipeline, with the same rules: at drop time (start-optimization) and in `model-opt drop`,
 * before a byte is sent. docs/manifest.md tables them. The local SageMaker emulator fails such
 * jobs with rules of its own (local/sagemaker/optimization-rules.ts), written from the same
 * sources and held to these by a test.
 */
import type { TechniqueEntry } from '../drop/manifest-schema';
import type { ValidationIssue } from '../errors';
import type { Technique } from './limits';

const SDK = 'https://github.com/aws/sagemaker-python-sdk/blob/master/sagemaker-serve/src/sagemaker/serve';

/** One rule: its id (quoted in every message), what it refuses, the fix, and where it comes from. */
export interface CompatibilityRule {
  id: string;
  what: string;
  fix: string;
  source: string;
}

export const COMPATIBILITY_RULES = {
  shardingAlone: {
    id: 'sharding-alone',
    what: 'sharding cannot be combined with another technique',
    fix: 'shard in a drop of its own, with sharding as its only technique',
    source: `${SDK}/model_builder.py (ModelBuilder._model_builder_optimize_wrapper: "Sharding config is mutually exclusive")`,
  },
  shardingTensorParallelDegree: {
    id: 'sharding-tensor-parallel-degree',
    what: 'sharding needs OPTION_TENSOR_PARALLEL_DEGREE',
    fix: 'set OPTION_TENSOR_PARALLEL_DEGREE in the sharding entry’s environment or in the top-level environment',
    source: `${SDK}/model_builder.py (ModelBuilder._model_builder_optimize_wrapper: "OPTION_TENSOR_PARALLEL_DEGREE is a required environment variable with sharding config")`,
  },
  compilationSpeculativeDecoding: {
    id: 'compilation-speculative-decoding',
    what: 'compilation and speculative decoding cannot run in one job',
    fix: 'keep one of them, or drop the model twice, once for each',
    source: `${SDK}/validations/optimization.py (_OptimizationCombination.validate_against: "Compilation and Speculative Decoding together")`,
  },
  neuronCompilationOnly: {
    id: 'neuron-compilation-only',
    what: 'on Neuron instances (ml.inf2, ml.trn1, ml.trn1n) compilation is the only technique',
    fix: 'keep compilation alone, or choose a GPU deploymentInstanceType (ml.g5, ml.g6, ml.p4d, ml.p5, …)',
    source: `${SDK}/validations/optimization.py (NEURON_CONFIGURATION: instance families inf2, trn1, trn1n; compilation only)`,
  },
  smoothQuantNeedsCompilation: {
    id: 'smoothquant-needs-compilation',
    what: 'SmoothQuant quantization (OPTION_QUANTIZE "smoothquant") runs only with compilation (TensorRT-LLM)',
    fix: 'add a compilation technique, or quantize with "awq" or "fp8"',
    source: `${SDK}/validations/optimization.py (TRT_CONFIGURATION and VLLM_CONFIGURATION: "Quantization:smoothquant must be provided with Compilation")`,
  },
} as const satisfies Record<string, CompatibilityRule>;

/** The instance families the SDK runs on its Neuron container (the middle part of `ml.inf2.xlarge`). */
export const NEURON_INSTANCE_FAMILIES: readonly string[] = ['inf2', 'trn1', 'trn1n'];

export const TENSOR_PARALLEL_DEGREE = 'OPTION_TENSOR_PARALLEL_DEGREE';
/** The SDK compares this value exactly, and reads it from the quantization entry only. */
export const SMOOTHQUANT = 'smoothquant';

/**
 * The job-level settings the rules read. `deploymentInstanceType` or `environment` left out
 * means "not known" (the CLI, which cannot see the stage defaults): a rule that needs it then
 * refuses nothing.
 */
export interface CompatibilitySettings {
  deploymentInstanceType?: string;
  techniques: TechniqueEntry[];
  environment?: Record<string, string>;
}

export interface CompatibilityOptions {
  /** The JSON path of the settings in the manifest: `$`, or `$.variants[1]`. */
  prefix?: string;
  /**
   * `stage` when the manifest names no techniques and the stage's defaults apply: the issues
   * then point at `<prefix>.techniques`, which the manifest can set, rather than at entries it
   * does not have.
   */
  techniquesFrom?: 'manifest' | 'stage';
}

/** `<what> (<detail>); <fix>[; <note>] [rule <id>]`: the id last, where a reader looks it up. */
const message = (rule: CompatibilityRule, detail?: string, note?: string) =>
  `${rule.what}${detail ? ` (${detail})` : ''}; ${rule.fix}${note ? `; ${note}` : ''} [rule ${rule.id}]`;

const nameOf = (entry: TechniqueEntry): Technique | undefined =>
  (Object.keys(entry) as Technique[]).find((key) => entry[key] !== undefined);

/** `ml.inf2.xlarge` → `inf2`, as the SDK splits it; undefined for anything else. */
export function instanceFamily(instanceType: string): string | undefined {
  const parts = instanceType.split('.');
  return parts.length === 3 ? parts[1] : undefined;
}

/** Every rule the settings break, each with the manifest path to fix; [] when they run. */
export function compatibilityIssues(
  settings: CompatibilitySettings,
  options: CompatibilityOptions = {},
): ValidationIssue[] {
  const prefix = options.prefix ?? '$';
  const fromStage = options.techniquesFrom === 'stage';
  const entries = settings.techniques.map((entry, index) => ({ entry, index, name: nameOf(entry) }));
  const names = new Set(entries.map((e) => e.name));
  const issues: ValidationIssue[] = [];
  const add = (index: number, rule: CompatibilityRule, detail?: string) =>
    issues.push(
      fromStage
        ? {
            path: `${prefix}.techniques`,
            message: message(
              rule,
              detail,
              'these are the stage’s default techniques, as the manifest names none: name them in the manifest',
            ),
          }
        : { path: `${prefix}.techniques[${index}]`, message: message(rule, detail) },
    );

  const others = [...names].filter((name) => name !== 'sharding');
  const family = settings.deploymentInstanceType && instanceFamily(settings.deploymentInstanceType);
  for (const { entry, index, name } of entries) {
    if (name === 'sharding') {
      if (others.length > 0)
        add(index, COMPATIBILITY_RULES.shardingAlone, `also asked for: ${others.join(', ')}`);
      const own = entry.sharding?.environment ?? {};
      const known = settings.environment;
      if (
        !Object.hasOwn(own, TENSOR_PARALLEL_DEGREE) &&
        known &&
        !Object.hasOwn(known, TENSOR_PARALLEL_DEGREE)
      )
        add(index, COMPATIBILITY_RULES.shardingTensorParallelDegree);
    }
    if (name === 'speculativeDecoding' && names.has('compilation'))
      add(index, COMPATIBILITY_RULES.compilationSpeculativeDecoding);
    if (family && NEURON_INSTANCE_FAMILIES.includes(family) && name !== 'compilation')
      add(index, COMPATIBILITY_RULES.neuronCompilationOnly, `${name} on ${settings.deploymentInstanceType}`);
    if (
      name === 'quantization' &&
      entry.quantization?.environment?.OPTION_QUANTIZE === SMOOTHQUANT &&
      !names.has('compilation')
    )
      add(index, COMPATIBILITY_RULES.smoothQuantNeedsCompilation);
  }
  // The stage's techniques all point at one path: say each thing once.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
