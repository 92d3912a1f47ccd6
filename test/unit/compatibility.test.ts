/**
 * The pre-flight compatibility rules (src/sagemaker-api/compatibility.ts) against the emulator's
 * own (local/sagemaker/optimization-rules.ts): generated manifests over generated stage
 * defaults, through the real settings merge and request builder. What the emulator would fail,
 * the drop-time check refuses, and nothing else; what `model-opt drop` refuses from the manifest
 * alone, the emulator fails whatever the stage defaults.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { unsupportedOptimization } from '../../local/sagemaker/optimization-rules';
import { EXIT_CODES, exitCodeOfError } from '../../src/cli/errors';
import { planLocalDrop } from '../../src/client/local-drop';
import { IncompatibleManifestError, manifestCompatibilityIssues } from '../../src/client/manifest-check';
import { type Manifest, manifestSchema, type TechniqueEntry } from '../../src/drop/manifest-schema';
import { buildCreateJobRequest } from '../../src/job/build-request';
import { type DefaultSettings, resolveSettings } from '../../src/job/settings';
import {
  COMPATIBILITY_RULES,
  type CompatibilitySettings,
  compatibilityIssues,
} from '../../src/sagemaker-api/compatibility';
import { DEPLOYMENT_INSTANCE_TYPES } from '../../src/sagemaker-api/limits';

const ROOT = new URL('../../', import.meta.url).pathname;
const DEGREE = 'OPTION_TENSOR_PARALLEL_DEGREE';

const target = {
  jobName: 'job',
  modelId: 'm',
  stage: 'test',
  roleArn: 'arn:aws:iam::123456789012:role/SageMakerOptimization',
  sourceS3Uri: 's3://models/models/m/',
  sourceKey: 'models/m/',
  outputS3Uri: 's3://models/optimized/m/job/',
};

const environment = fc.dictionary(
  fc.constantFrom(DEGREE, 'OPTION_QUANTIZE', 'HF_TASK'),
  fc.constantFrom('2', 'awq'),
  {
    maxKeys: 3,
  },
);
const technique: fc.Arbitrary<TechniqueEntry> = fc.oneof(
  fc
    .record(
      {
        environment: fc.record({
          OPTION_QUANTIZE: fc.constantFrom('awq', 'fp8', 'smoothquant', 'SmoothQuant'),
        }),
      },
      { requiredKeys: [] },
    )
    .map((quantization) => ({ quantization })),
  fc.record({ environment }, { requiredKeys: [] }).map((compilation) => ({ compilation })),
  fc.record({ environment }, { requiredKeys: [] }).map((sharding) => ({ sharding })),
  fc.constant({ speculativeDecoding: { technique: 'EAGLE' as const } }),
);
const techniques = fc.array(technique, { minLength: 1, maxLength: 4 });
// Neuron families are 3 of the enum's ~40 types: weigh them up so both sides of that rule are met.
const instanceType = fc.oneof(
  fc.constantFrom(...DEPLOYMENT_INSTANCE_TYPES),
  fc.constantFrom(...DEPLOYMENT_INSTANCE_TYPES.filter((t) => /^ml\.(inf2|trn1n?)\./.test(t))),
);
const defaults: fc.Arbitrary<DefaultSettings> = fc.record({
  deploymentInstanceType: instanceType,
  techniques,
  environment,
  maxRuntimeInSeconds: fc.constant(3600),
});
const manifest: fc.Arbitrary<Manifest> = fc
  .record({ deploymentInstanceType: instanceType, techniques, environment }, { requiredKeys: [] })
  .map((m) => manifestSchema.parse(m));

/** What the emulator says of the job the pipeline would create for this manifest and stage. */
function emulatorFailure(stage: DefaultSettings, m: Manifest): string | undefined {
  return unsupportedOptimization(buildCreateJobRequest(target, resolveSettings(stage, m)));
}

function preflightIssues(stage: DefaultSettings, m: Manifest) {
  return compatibilityIssues(resolveSettings(stage, m), {
    techniquesFrom: m.techniques ? 'manifest' : 'stage',
  });
}

describe('pre-flight rules and the emulator agree', () => {
  it('the drop-time check refuses exactly the jobs the emulator would fail', () => {
    let failing = 0;
    fc.assert(
      fc.property(defaults, manifest, (stage, m) => {
        const fails = emulatorFailure(stage, m) !== undefined;
        if (fails) failing++;
        expect(preflightIssues(stage, m).length > 0).toBe(fails);
      }),
      { numRuns: 2000 },
    );
    // Both outcomes are exercised, not one.
    expect(failing).toBeGreaterThan(200);
    expect(failing).toBeLessThan(1800);
  });

  it('what model-opt drop refuses from the manifest alone, the emulator fails whatever the stage defaults', () => {
    fc.assert(
      fc.property(defaults, manifest, (stage, m) => {
        fc.pre(manifestCompatibilityIssues(JSON.stringify(m)).length > 0);
        expect(emulatorFailure(stage, m)).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('compatibilityIssues', () => {
  const g5 = 'ml.g5.2xlarge';
  const check = (settings: CompatibilitySettings, prefix?: string) =>
    compatibilityIssues(settings, prefix ? { prefix } : {});

  it('points at the offending entry under the given prefix, so variants can be checked one by one', () => {
    const settings = {
      deploymentInstanceType: g5,
      environment: {},
      techniques: [{ compilation: {} }, { speculativeDecoding: { technique: 'EAGLE' as const } }],
    };
    expect(check(settings, '$.variants[1]').map((i) => i.path)).toEqual(['$.variants[1].techniques[1]']);
    expect(check(settings).map((i) => i.path)).toEqual(['$.techniques[1]']);
  });

  it('reports every rule broken, each message ending with its rule id', () => {
    const issues = check({
      deploymentInstanceType: 'ml.inf2.xlarge',
      environment: {},
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'smoothquant' } } }, { sharding: {} }],
    });
    expect(issues.map((i) => [i.path, i.message.match(/\[rule ([a-z-]+)\]$/)?.[1]])).toEqual([
      ['$.techniques[0]', 'neuron-compilation-only'],
      ['$.techniques[0]', 'smoothquant-needs-compilation'],
      ['$.techniques[1]', 'sharding-alone'],
      ['$.techniques[1]', 'sharding-tensor-parallel-degree'],
      ['$.techniques[1]', 'neuron-compilation-only'],
    ]);
  });

  it('refuses nothing a rule cannot judge: an unknown instance type or environment (the CLI without stage defaults)', () => {
    const sharding = [{ sharding: {} }];
    expect(check({ techniques: sharding })).toEqual([]);
    expect(check({ techniques: sharding, environment: {} })).toHaveLength(1);
    expect(check({ techniques: [{ quantization: {} }] })).toEqual([]);
    expect(
      check({ techniques: [{ quantization: {} }], deploymentInstanceType: 'ml.trn1.2xlarge' }),
    ).toHaveLength(1);
  });

  it('accepts the mixes that run', () => {
    for (const techniques of [
      [{ quantization: { environment: { OPTION_QUANTIZE: 'smoothquant' } } }, { compilation: {} }],
      [
        { quantization: { environment: { OPTION_QUANTIZE: 'awq' } } },
        { speculativeDecoding: { technique: 'EAGLE' as const } },
      ],
      [{ sharding: { environment: { [DEGREE]: '4' } } }],
    ])
      expect(check({ techniques, deploymentInstanceType: g5, environment: {} })).toEqual([]);
    expect(
      check({
        techniques: [{ compilation: {} }],
        deploymentInstanceType: 'ml.trn1n.32xlarge',
        environment: {},
      }),
    ).toEqual([]);
  });

  it('every rule is in the docs/manifest.md table, with its source', () => {
    const doc = readFileSync(join(ROOT, 'docs/manifest.md'), 'utf8');
    for (const rule of Object.values(COMPATIBILITY_RULES)) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${rule.id}\` |`));
      expect(row, rule.id).toBeDefined();
      const file = rule.source.match(/serve\/([\w/]+\.py)/)?.[1] ?? '';
      expect(file).not.toBe('');
      expect(doc).toContain(file);
    }
  });

  it('the emulator does not import the pipeline’s rules: it stands in for AWS', () => {
    const folder = join(ROOT, 'local/sagemaker');
    const imports = readdirSync(folder)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => ts.preProcessFile(readFileSync(join(folder, f), 'utf8'), true, true).importedFiles)
      .map((imported) => imported.fileName);
    expect(imports).toContain('./optimization-rules');
    expect(imports.filter((name) => name.includes('compatibility'))).toEqual([]);
  });
});

describe('model-opt drop refuses an incompatible manifest before planning any upload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mop-compat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const folder = (name: string, manifestText?: string) => {
    const path = join(dir, name);
    mkdirSync(path);
    writeFileSync(join(path, 'config.json'), '{}');
    if (manifestText !== undefined) writeFileSync(join(path, 'optimization.json'), manifestText);
    return path;
  };
  const shardAndQuantize = JSON.stringify({ techniques: [{ sharding: {} }, { quantization: {} }] });

  it('from the folder’s own manifest, or one given with --manifest; exit code 4, each issue with its path', () => {
    const own = folder('own', shardAndQuantize);
    const error = (() => {
      try {
        planLocalDrop({ path: own });
      } catch (e) {
        return e;
      }
    })() as IncompatibleManifestError;
    expect(error).toBeInstanceOf(IncompatibleManifestError);
    expect(exitCodeOfError(error)).toBe(EXIT_CODES.usage);
    expect(error.issues.map((i) => i.path)).toEqual(['$.techniques[0]']);
    expect(error.message).toContain('$.techniques[0]: sharding cannot be combined with another technique');

    const given = join(dir, 'given.json');
    writeFileSync(given, shardAndQuantize);
    expect(() => planLocalDrop({ path: folder('given'), manifestPath: given })).toThrow(
      IncompatibleManifestError,
    );
  });

  it('checks each variant as the pipeline runs it, merged over the manifest, with the path where its techniques are written', () => {
    const manifest = {
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
      variants: [
        { name: 'g5', deploymentInstanceType: 'ml.g5.2xlarge' },
        { name: 'inf2', deploymentInstanceType: 'ml.inf2.xlarge' },
        { name: 'trn1', deploymentInstanceType: 'ml.trn1.2xlarge' },
        { name: 'spec', techniques: [{ compilation: {} }, { speculativeDecoding: {} }] },
      ],
    };
    expect(
      manifestCompatibilityIssues(JSON.stringify(manifest)).map((i) => [
        i.path,
        i.message.match(/\[rule ([a-z-]+)\]/)?.[1],
      ]),
    ).toEqual([
      ['$.techniques[0]', 'neuron-compilation-only'],
      ['$.techniques[0]', 'neuron-compilation-only'],
      ['$.variants[3].techniques[1]', 'compilation-speculative-decoding'],
    ]);
  });

  it('leaves an invalid manifest to the pipeline, and --tar (no manifest) to the stage defaults', () => {
    expect(planLocalDrop({ path: folder('invalid', '{"techniques": [') }).kind).toBe('objects');
    expect(planLocalDrop({ path: folder('tar', shardAndQuantize), tar: true }).kind).toBe('packed');
    expect(planLocalDrop({ path: folder('none') }).kind).toBe('objects');
  });
});
