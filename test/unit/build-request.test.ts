import type { CreateOptimizationJobCommandInput } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import type { TechniqueEntry } from '../../src/drop/manifest-schema';
import { InvalidDropError } from '../../src/errors';
import {
  buildCreateJobRequest,
  type JobTarget,
  outputS3UriFor,
  toTagValue,
} from '../../src/job/build-request';
import { type DefaultSettings, resolveSettings, techniqueNames } from '../../src/job/settings';

const defaults: DefaultSettings = {
  deploymentInstanceType: 'ml.g5.2xlarge',
  techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
  environment: { OPTION_DTYPE: 'fp16' },
  maxRuntimeInSeconds: 3600,
};
const target: JobTarget = {
  jobName: 'tiny-llm-0123456789',
  modelId: 'tiny-llm',
  stage: 'dev',
  roleArn: 'arn:aws:iam::123456789012:role/sm',
  sourceS3Uri: 's3://bkt/models/tiny-llm/',
  sourceKey: 'models/tiny-llm/',
  outputS3Uri: 's3://bkt/optimized/tiny-llm/tiny-llm-0123456789/',
};
const build = (techniques: TechniqueEntry[]) =>
  buildCreateJobRequest(target, resolveSettings(defaults, { techniques }));

describe('buildCreateJobRequest', () => {
  it('builds a quantization job', () => {
    const request = build([{ quantization: { image: 'img:1', environment: { OPTION_QUANTIZE: 'fp8' } } }]);
    expect(request.OptimizationConfigs).toEqual([
      { ModelQuantizationConfig: { Image: 'img:1', OverrideEnvironment: { OPTION_QUANTIZE: 'fp8' } } },
    ]);
  });

  it('builds a compilation job', () => {
    expect(build([{ compilation: {} }]).OptimizationConfigs).toEqual([
      { ModelCompilationConfig: { Image: undefined, OverrideEnvironment: undefined } },
    ]);
  });

  it('builds a sharding job', () => {
    expect(
      build([{ sharding: { environment: { OPTION_TENSOR_PARALLEL_DEGREE: '4' } } }]).OptimizationConfigs,
    ).toEqual([
      {
        ModelShardingConfig: {
          Image: undefined,
          OverrideEnvironment: { OPTION_TENSOR_PARALLEL_DEGREE: '4' },
        },
      },
    ]);
  });

  it('builds a speculative-decoding job', () => {
    const request = build([
      {
        speculativeDecoding: {
          technique: 'EAGLE',
          trainingData: { s3Uri: 's3://b/d/', s3DataType: 'S3Prefix' },
        },
      },
    ]);
    expect(request.OptimizationConfigs).toEqual([
      {
        ModelSpeculativeDecodingConfig: {
          Technique: 'EAGLE',
          TrainingDataSource: { S3Uri: 's3://b/d/', S3DataType: 'S3Prefix' },
        },
      },
    ]);
  });

  it('builds the whole request from the stage defaults', () => {
    const request = buildCreateJobRequest(target, resolveSettings(defaults, {}));
    expect(request).toEqual<CreateOptimizationJobCommandInput>({
      OptimizationJobName: 'tiny-llm-0123456789',
      RoleArn: 'arn:aws:iam::123456789012:role/sm',
      ModelSource: { S3: { S3Uri: 's3://bkt/models/tiny-llm/' } },
      DeploymentInstanceType: 'ml.g5.2xlarge',
      OptimizationEnvironment: { OPTION_DTYPE: 'fp16' },
      OptimizationConfigs: [
        { ModelQuantizationConfig: { Image: undefined, OverrideEnvironment: { OPTION_QUANTIZE: 'awq' } } },
      ],
      OutputConfig: { S3OutputLocation: 's3://bkt/optimized/tiny-llm/tiny-llm-0123456789/' },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      Tags: [
        { Key: 'model-id', Value: 'tiny-llm' },
        { Key: 'source-key', Value: 'models/tiny-llm/' },
        { Key: 'stage', Value: 'dev' },
      ],
    });
  });

  it('passes manifest settings through: EULA, instance count, runtime, KMS, VPC and user tags', () => {
    const settings = resolveSettings(defaults, {
      acceptEula: true,
      maxInstanceCount: 2,
      stoppingCondition: { maxRuntimeInSeconds: 600, maxPendingTimeInSeconds: 7200 },
      kmsKeyId: 'alias/models',
      tags: { team: 'nlp' },
      vpcConfig: { securityGroupIds: ['sg-1'], subnets: ['subnet-1'] },
    });
    const request = buildCreateJobRequest(target, settings);
    expect(request.ModelSource).toEqual({
      S3: { S3Uri: target.sourceS3Uri, ModelAccessConfig: { AcceptEula: true } },
    });
    expect(request.MaxInstanceCount).toBe(2);
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 600, MaxPendingTimeInSeconds: 7200 });
    expect(request.OutputConfig?.KmsKeyId).toBe('alias/models');
    expect(request.VpcConfig).toEqual({ SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] });
    expect(request.Tags).toEqual([
      { Key: 'model-id', Value: 'tiny-llm' },
      { Key: 'source-key', Value: 'models/tiny-llm/' },
      { Key: 'stage', Value: 'dev' },
      { Key: 'team', Value: 'nlp' },
    ]);
  });

  it('asks the job to register the model: under the job name for true, under the given name, or not at all', () => {
    const modelOf = (registerModel?: boolean | { name: string }) =>
      buildCreateJobRequest(
        target,
        resolveSettings(defaults, registerModel === undefined ? {} : { registerModel }),
      ).OutputConfig;
    expect(modelOf(true)).toEqual({
      S3OutputLocation: target.outputS3Uri,
      SageMakerModel: { ModelName: 'tiny-llm-0123456789' },
    });
    expect(modelOf({ name: 'tiny-llm-awq' })?.SageMakerModel).toEqual({ ModelName: 'tiny-llm-awq' });
    expect(modelOf(false)).toEqual({ S3OutputLocation: target.outputS3Uri });
    expect(modelOf()).toEqual({ S3OutputLocation: target.outputS3Uri });
  });

  it('sets the rest of the API: MaxWaitTimeInSeconds, a registered source instead of S3, a training plan', () => {
    const request = buildCreateJobRequest(
      target,
      resolveSettings(defaults, {
        stoppingCondition: { maxWaitTimeInSeconds: 900 },
        source: { sageMakerModel: { name: 'llama-base' } },
        trainingPlanArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-plan/capacity',
      }),
    );
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 900 });
    expect(request.ModelSource).toEqual({ SageMakerModel: { ModelName: 'llama-base' } });
    expect(request.TrainingPlanArns).toEqual([
      'arn:aws:sagemaker:us-east-1:123456789012:training-plan/capacity',
    ]);
  });

  it('applies the stage defaults for instance count, pending time and tags, under the manifest', () => {
    const stage: DefaultSettings = {
      ...defaults,
      maxInstanceCount: 2,
      maxPendingTimeInSeconds: 7200,
      tags: { team: 'ml', 'cost-center': '42' },
    };
    const fromStage = buildCreateJobRequest(target, resolveSettings(stage, {}));
    expect(fromStage.MaxInstanceCount).toBe(2);
    expect(fromStage.StoppingCondition?.MaxPendingTimeInSeconds).toBe(7200);
    expect(fromStage.Tags?.slice(3)).toEqual([
      { Key: 'team', Value: 'ml' },
      { Key: 'cost-center', Value: '42' },
    ]);
    const overridden = buildCreateJobRequest(
      target,
      resolveSettings(stage, {
        maxInstanceCount: 4,
        stoppingCondition: { maxPendingTimeInSeconds: 10_800 },
        tags: { team: 'nlp', project: 'x' },
      }),
    );
    expect(overridden.MaxInstanceCount).toBe(4);
    expect(overridden.StoppingCondition?.MaxPendingTimeInSeconds).toBe(10_800);
    expect(overridden.Tags?.slice(3)).toEqual([
      { Key: 'team', Value: 'nlp' },
      { Key: 'cost-center', Value: '42' },
      { Key: 'project', Value: 'x' },
    ]);
  });

  it('refuses more than 47 tags once the stage’s are merged in', () => {
    const many = (prefix: string, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));
    expect(() => resolveSettings({ ...defaults, tags: many('s', 30) }, { tags: many('m', 18) })).toThrow(
      expect.objectContaining({
        issues: [{ path: '$.tags', message: expect.stringContaining('has 48 tags') }],
      }),
    );
  });

  it('makes tag values from keys with characters tags do not allow', () => {
    expect(toTagValue('models/a#b(1)?.tar.gz')).toBe('models/a_b_1__.tar.gz');
    expect(toTagValue('x'.repeat(300))).toHaveLength(256);
  });
});

describe('resolveSettings', () => {
  it('merges environment entries key by key, the manifest winning', () => {
    const settings = resolveSettings(defaults, { environment: { OPTION_DTYPE: 'bf16', EXTRA: '1' } });
    expect(settings.environment).toEqual({ OPTION_DTYPE: 'bf16', EXTRA: '1' });
  });

  it('rejects a manifest whose environment exceeds 25 entries once the defaults are merged in', () => {
    const environment = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`K${i}`, 'v']));
    expect(() => resolveSettings(defaults, { environment })).toThrow(InvalidDropError);
  });

  it('replaces the default techniques as a whole', () => {
    expect(
      techniqueNames(resolveSettings(defaults, { techniques: [{ compilation: {} }] }).techniques),
    ).toEqual(['compilation']);
  });
});

describe('outputS3UriFor', () => {
  it('follows the contract: <prefix><model-id>/<job-name>/', () => {
    expect(outputS3UriFor('bkt', 'optimized/', 'tiny-llm', 'job-1')).toBe(
      's3://bkt/optimized/tiny-llm/job-1/',
    );
  });
});
