import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/drop/read-manifest';
import { InvalidDropError, type ValidationIssue } from '../../src/errors';

function issuesOf(text: string): ValidationIssue[] {
  try {
    parseManifest(text);
  } catch (error) {
    if (error instanceof InvalidDropError) return error.issues;
    throw error;
  }
  throw new Error('manifest was accepted');
}

const env = (n: number, valueLength = 1) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v'.repeat(valueLength)]));

describe('parseManifest accepts', () => {
  it('an empty object, meaning the defaults', () => {
    expect(parseManifest('{}')).toEqual({});
  });

  it('an empty file, meaning the defaults', () => {
    expect(parseManifest('')).toEqual({});
  });

  it('every field at once', () => {
    const manifest = {
      deploymentInstanceType: 'ml.inf2.xlarge',
      techniques: [
        {
          quantization: {
            image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl:1',
            environment: { A: '1' },
          },
        },
        { compilation: {} },
        { sharding: { environment: { OPTION_TENSOR_PARALLEL_DEGREE: '2' } } },
        {
          speculativeDecoding: {
            technique: 'EAGLE',
            trainingData: { s3Uri: 's3://bkt/data/', s3DataType: 'S3Prefix' },
          },
        },
      ],
      environment: env(25, 256),
      maxInstanceCount: 2,
      stoppingCondition: { maxRuntimeInSeconds: 7200, maxPendingTimeInSeconds: 7200 },
      acceptEula: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abcd',
      tags: { team: 'nlp' },
      vpcConfig: { securityGroupIds: ['sg-0123'], subnets: ['subnet-1', 'subnet-2'] },
      registerModel: { name: 'llama-3-8b-awq' },
    };
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('the rest of the API: maxWaitTimeInSeconds, a training plan, https:// training data', () => {
    const manifest = {
      stoppingCondition: { maxWaitTimeInSeconds: 1 },
      trainingPlanArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-plan/llama-capacity',
      techniques: [
        {
          speculativeDecoding: {
            technique: 'EAGLE',
            trainingData: {
              s3Uri: 'https://my-data.s3.us-east-1.amazonaws.com/eagle/train.jsonl',
              s3DataType: 'ManifestFile',
            },
          },
        },
      ],
    };
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('a registered model as the source', () => {
    const manifest = { source: { sageMakerModel: { name: 'llama-3-8b-base' } }, registerModel: true };
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it('registerModel as true (the job name) or a name of the API’s shape, up to 63 characters', () => {
    expect(parseManifest('{"registerModel":true}').registerModel).toBe(true);
    const name = `a${'-b'.repeat(31)}`;
    expect(parseManifest(JSON.stringify({ registerModel: { name } })).registerModel).toEqual({ name });
  });

  it('speculative decoding with EAGLE as the default technique', () => {
    expect(parseManifest('{"techniques":[{"speculativeDecoding":{}}]}').techniques).toEqual([
      { speculativeDecoding: { technique: 'EAGLE' } },
    ]);
  });
});

describe('parseManifest and variants', () => {
  const variant = (name: string, fields = {}) => ({ name, ...fields });

  it('accepts 1 to 10 variants, each with a name and any of the job-level fields', () => {
    const manifest = {
      techniques: [{ quantization: {} }],
      variants: [
        variant('awq-g5', {
          deploymentInstanceType: 'ml.g5.12xlarge',
          techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
          environment: { OPTION_DTYPE: 'fp16' },
          stoppingCondition: { maxRuntimeInSeconds: 36000 },
          maxInstanceCount: 2,
        }),
        ...Array.from({ length: 9 }, (_, i) => variant(`v${i}`)),
      ],
    };
    expect(parseManifest(JSON.stringify(manifest))).toEqual(manifest);
  });

  it.each([
    ['no variants', [], '$.variants'],
    ['11 variants', Array.from({ length: 11 }, (_, i) => variant(`v${i}`)), '$.variants'],
    ['a name with capitals', [variant('AWQ')], '$.variants[0].name'],
    ['a name of 21 characters', [variant('a'.repeat(21))], '$.variants[0].name'],
    ['two variants of one name', [variant('a'), variant('b'), variant('a')], '$.variants[2].name'],
    ['a field a variant cannot set', [variant('a', { tags: { team: 'x' } })], '$.variants[0]'],
    [
      'a bad technique in a variant',
      [variant('a'), variant('b', { techniques: [{ pruning: {} }] })],
      '$.variants[1].techniques[0]',
    ],
  ])('rejects %s', (_name, variants, path) => {
    expect(issuesOf(JSON.stringify({ variants })).map((i) => i.path)).toEqual([path]);
  });
});

describe('parseManifest rejects, with the JSON path of each problem', () => {
  it.each<[string, unknown, ValidationIssue[]]>([
    [
      'an unknown technique',
      { techniques: [{ pruning: {} }] },
      [
        {
          path: '$.techniques[0]',
          message:
            'unknown technique "pruning"; expected one of quantization, compilation, sharding, speculativeDecoding',
        },
      ],
    ],
    [
      'two union members in one config',
      { techniques: [{ quantization: {}, compilation: {} }] },
      [{ path: '$.techniques[0]', message: expect.stringContaining('exactly one technique') }],
    ],
    [
      'no union member in a config',
      { techniques: [{}] },
      [{ path: '$.techniques[0]', message: expect.stringContaining('found none') }],
    ],
    [
      '11 configs',
      { techniques: Array.from({ length: 11 }, () => ({ compilation: {} })) },
      [{ path: '$.techniques', message: 'at most 10 techniques' }],
    ],
    ['0 configs', { techniques: [] }, [{ path: '$.techniques', message: 'at least 1 technique' }]],
    [
      '26 environment entries',
      { environment: env(26) },
      [{ path: '$.environment', message: 'at most 25 entries' }],
    ],
    [
      'an environment value of 257 characters',
      { environment: { OPTION_X: 'v'.repeat(257) } },
      [{ path: '$.environment.OPTION_X', message: 'values are at most 256 characters' }],
    ],
    [
      'an override environment of 26 entries',
      { techniques: [{ quantization: { environment: env(26) } }] },
      [{ path: '$.techniques[0].quantization.environment', message: 'at most 25 entries' }],
    ],
    [
      'an instance type outside the enum',
      { deploymentInstanceType: 'ml.m5.large' },
      [
        {
          path: '$.deploymentInstanceType',
          message: expect.stringContaining('is not an instance type the optimization-job API accepts'),
        },
      ],
    ],
    [
      'wrong types',
      { maxInstanceCount: '2', acceptEula: 'yes' },
      [
        { path: '$.maxInstanceCount', message: 'Invalid input: expected number, received string' },
        { path: '$.acceptEula', message: 'Invalid input: expected boolean, received string' },
      ],
    ],
    [
      'a runtime over 28 days',
      { stoppingCondition: { maxRuntimeInSeconds: 2419201 } },
      [{ path: '$.stoppingCondition.maxRuntimeInSeconds', message: expect.stringContaining('<=2419200') }],
    ],
    [
      'an unknown top-level field',
      { instanceType: 'ml.g5.xlarge' },
      [{ path: '$', message: 'Unrecognized key: "instanceType"' }],
    ],
    [
      'an image with spaces',
      { techniques: [{ compilation: { image: 'my image' } }] },
      [{ path: '$.techniques[0].compilation.image', message: 'must be an image URI without spaces' }],
    ],
    [
      'a training data URI that is not s3://',
      {
        techniques: [
          { speculativeDecoding: { trainingData: { s3Uri: 'http://x/y', s3DataType: 'S3Prefix' } } },
        ],
      },
      [
        {
          path: '$.techniques[0].speculativeDecoding.trainingData.s3Uri',
          message: 'must be an s3://bucket/key URI or an https:// URL of S3 data',
        },
      ],
    ],
    [
      'tags the pipeline sets on every job itself',
      { tags: { team: 'nlp', stage: 'prod', 'model-id': 'mine' } },
      [
        {
          path: '$.tags.stage',
          message:
            'is a tag the pipeline sets on its jobs (model-id, source-key, stage, variant, drop-job); use another key',
        },
        {
          path: '$.tags.model-id',
          message:
            'is a tag the pipeline sets on its jobs (model-id, source-key, stage, variant, drop-job); use another key',
        },
      ],
    ],
    [
      'a maxWaitTimeInSeconds of 0',
      { stoppingCondition: { maxWaitTimeInSeconds: 0 } },
      [{ path: '$.stoppingCondition.maxWaitTimeInSeconds', message: expect.stringContaining('>=1') }],
    ],
    [
      'a training plan ARN of another resource type',
      { trainingPlanArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/llama-capacity' },
      [{ path: '$.trainingPlanArn', message: expect.stringContaining('training-plan ARN') }],
    ],
    [
      'https training data without a path',
      {
        techniques: [
          { speculativeDecoding: { trainingData: { s3Uri: 'https://host', s3DataType: 'S3Prefix' } } },
        ],
      },
      [
        {
          path: '$.techniques[0].speculativeDecoding.trainingData.s3Uri',
          message: 'must be an s3://bucket/key URI or an https:// URL of S3 data',
        },
      ],
    ],
    [
      'a registered source with acceptEula, which only an S3 source has',
      { source: { sageMakerModel: { name: 'base' } }, acceptEula: true },
      [{ path: '$.acceptEula', message: expect.stringContaining('applies to a model read from S3') }],
    ],
    [
      'a registered source whose name SageMaker would refuse',
      { source: { sageMakerModel: { name: 'base_model' } } },
      [
        {
          path: '$.source.sageMakerModel.name',
          message: expect.stringContaining('letters, digits and hyphens'),
        },
      ],
    ],
    [
      'a source of another kind',
      { source: { s3: { uri: 's3://b/k' } } },
      [
        { path: '$.source.sageMakerModel', message: 'Invalid input: expected object, received undefined' },
        { path: '$.source', message: 'Unrecognized key: "s3"' },
      ],
    ],
    [
      'a model name SageMaker would refuse',
      { registerModel: { name: 'llama_3.8b' } },
      [
        {
          path: '$.registerModel.name',
          message: 'must be letters, digits and hyphens, starting and ending with a letter or digit',
        },
      ],
    ],
    [
      'a model name longer than 63 characters',
      { registerModel: { name: 'a'.repeat(64) } },
      [{ path: '$.registerModel.name', message: expect.stringContaining('<=63') }],
    ],
    [
      'registerModel as a bare string',
      { registerModel: 'llama' },
      [{ path: '$.registerModel', message: expect.any(String) }],
    ],
    [
      'a VPC config without subnets',
      { vpcConfig: { securityGroupIds: ['sg-1'], subnets: [] } },
      [{ path: '$.vpcConfig.subnets', message: expect.stringContaining('>=1') }],
    ],
  ])('%s', (_name, manifest, expected) => {
    expect(issuesOf(JSON.stringify(manifest))).toEqual(expected);
  });

  it('invalid JSON, naming the parse error', () => {
    expect(issuesOf('{"techniques": [')).toEqual([
      { path: '$', message: expect.stringMatching(/^manifest is not valid JSON: /) },
    ]);
  });

  it('a JSON value that is not an object', () => {
    expect(issuesOf('[1,2]')).toEqual([
      { path: '$', message: 'Invalid input: expected object, received array' },
    ]);
  });

  it('every problem at once, not just the first', () => {
    const issues = issuesOf(
      JSON.stringify({ deploymentInstanceType: 'x', environment: env(26), techniques: [{}] }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      '$.deploymentInstanceType',
      '$.environment',
      '$.techniques[0]',
    ]);
  });
});
