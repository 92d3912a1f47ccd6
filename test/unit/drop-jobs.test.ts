import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/drop/manifest-schema';
import { InvalidDropError, type ValidationIssue } from '../../src/errors';
import { planJobs } from '../../src/job/drop-jobs';
import type { JobPolicy } from '../../src/job/job-policy';
import { type DefaultSettings, mergeVariant } from '../../src/job/settings';

const defaults: DefaultSettings = {
  deploymentInstanceType: 'ml.g5.2xlarge',
  techniques: [{ quantization: {} }],
  environment: { OPTION_DTYPE: 'fp16', STAGE_ONLY: '1' },
  maxRuntimeInSeconds: 3600,
};
const policy: JobPolicy = {
  region: 'us-east-1',
  imageRegistryAccounts: ['763104351884'],
  networks: { subnets: [], securityGroupIds: [] },
  outputKmsKeyIds: [],
};
const allowed = '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl:1';
const foreign = '111122223333.dkr.ecr.us-east-1.amazonaws.com/mine:1';

function issuesOf(manifest: Manifest): ValidationIssue[] {
  try {
    planJobs(manifest, defaults, policy);
  } catch (error) {
    if (error instanceof InvalidDropError) return error.issues;
    throw error;
  }
  throw new Error('the drop was accepted');
}

describe('mergeVariant', () => {
  const manifest: Manifest = {
    deploymentInstanceType: 'ml.g6.xlarge',
    techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }, { compilation: {} }],
    environment: { A: 'top', B: 'top' },
    stoppingCondition: { maxRuntimeInSeconds: 7200, maxPendingTimeInSeconds: 3600 },
    tags: { team: 'ml' },
    acceptEula: true,
    variants: [{ name: 'a' }],
  };

  it('merges environment and stoppingCondition key by key, the variant winning; techniques replace as a whole', () => {
    expect(
      mergeVariant(manifest, {
        name: 'fp8',
        deploymentInstanceType: 'ml.g6e.12xlarge',
        techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'fp8' } } }],
        environment: { B: 'variant', C: 'variant' },
        stoppingCondition: { maxRuntimeInSeconds: 36000 },
        maxInstanceCount: 2,
      }),
    ).toEqual({
      deploymentInstanceType: 'ml.g6e.12xlarge',
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'fp8' } } }],
      environment: { A: 'top', B: 'variant', C: 'variant' },
      stoppingCondition: { maxRuntimeInSeconds: 36000, maxPendingTimeInSeconds: 3600 },
      maxInstanceCount: 2,
      tags: { team: 'ml' },
      acceptEula: true,
    });
  });

  it('keeps the manifest’s fields where the variant sets none, and drops variants and the name', () => {
    const { variants: _variants, ...top } = manifest;
    expect(mergeVariant(manifest, { name: 'same' })).toEqual(top);
    expect(mergeVariant({ variants: [{ name: 'x' }] }, { name: 'x' })).toEqual({});
  });
});

describe('planJobs', () => {
  it('plans one job without a variant for a plain drop', () => {
    const [job, ...rest] = planJobs({ techniques: [{ compilation: {} }] }, defaults, policy);
    expect(rest).toEqual([]);
    expect(job?.variant).toBeUndefined();
    expect(job?.settings.techniques).toEqual([{ compilation: {} }]);
  });

  it('plans one job per variant in manifest order, each over the manifest, then over the stage defaults', () => {
    const jobs = planJobs(
      {
        environment: { OPTION_DTYPE: 'bf16' },
        variants: [
          { name: 'g5', deploymentInstanceType: 'ml.g5.12xlarge' },
          { name: 'g6e', deploymentInstanceType: 'ml.g6e.12xlarge', environment: { OPTION_DTYPE: 'fp8' } },
        ],
      },
      defaults,
      policy,
    );
    expect(
      jobs.map((j) => [j.variant?.name, j.settings.deploymentInstanceType, j.settings.environment]),
    ).toEqual([
      ['g5', 'ml.g5.12xlarge', { OPTION_DTYPE: 'bf16', STAGE_ONLY: '1' }],
      ['g6e', 'ml.g6e.12xlarge', { OPTION_DTYPE: 'fp8', STAGE_ONLY: '1' }],
    ]);
    expect(jobs.map((j) => j.settings.techniques)).toEqual([defaults.techniques, defaults.techniques]);
  });

  it('rejects the whole drop for one bad variant, with every issue under its own path', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`K${i}`, 'v']));
    expect(
      issuesOf({
        techniques: [{ quantization: { image: foreign } }],
        variants: [
          { name: 'ok', techniques: [{ quantization: { image: allowed } }] },
          { name: 'bad-image', techniques: [{ compilation: {} }, { quantization: { image: foreign } }] },
          { name: 'big-env', environment: tooMany },
        ],
      }).map((i) => i.path),
    ).toEqual([
      '$.techniques[0].quantization.image',
      '$.variants[1].techniques[1].quantization.image',
      '$.variants[2].environment',
    ]);
  });

  it('applies the compatibility rules to each variant on its merged settings, under the path where the techniques are written', () => {
    const issues = issuesOf({
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
      variants: [
        { name: 'g5' },
        { name: 'neuron', deploymentInstanceType: 'ml.inf2.xlarge' },
        { name: 'shard', techniques: [{ sharding: {} }, { quantization: {} }] },
      ],
    });
    expect(issues.map((i) => [i.path, i.message.match(/\[rule ([a-z-]+)\]/)?.[1]])).toEqual([
      // The neuron variant inherits the top-level techniques, so the path is theirs.
      ['$.techniques[0]', 'neuron-compilation-only'],
      ['$.variants[2].techniques[0]', 'sharding-alone'],
      ['$.variants[2].techniques[0]', 'sharding-tensor-parallel-degree'],
    ]);
  });

  it('reports an issue of the inherited techniques once, however many variants inherit them', () => {
    const issues = issuesOf({
      deploymentInstanceType: 'ml.inf2.xlarge',
      techniques: [{ quantization: {} }],
      variants: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
    });
    expect(issues.map((i) => i.path)).toEqual(['$.techniques[0]']);
  });

  it('refuses two variants that register their models under one chosen name', () => {
    expect(
      issuesOf({
        variants: [
          { name: 'a', registerModel: { name: 'llama-opt' } },
          { name: 'b', registerModel: true },
          { name: 'c', registerModel: { name: 'llama-opt' } },
        ],
      }),
    ).toEqual([
      {
        path: '$.variants[2].registerModel.name',
        message: expect.stringContaining('as another variant does ($.variants[0].registerModel.name)'),
      },
    ]);
    expect(issuesOf({ registerModel: { name: 'shared' }, variants: [{ name: 'a' }, { name: 'b' }] })).toEqual(
      [{ path: '$.registerModel.name', message: expect.stringContaining('registers model "shared"') }],
    );
  });
});
