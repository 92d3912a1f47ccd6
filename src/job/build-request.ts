/**
 * Builds the CreateOptimizationJob request for a drop. Typed against the SDK's own input type,
 * so a field the API renames or removes fails the type-check.
 */
import type { CreateOptimizationJobCommandInput, OptimizationConfig, Tag } from '@aws-sdk/client-sagemaker';
import type { TechniqueEntry } from '../drop/manifest-schema';
import { TAG_VALUE_MAX_LENGTH } from '../sagemaker-api/limits';
import type { PIPELINE_TAG_KEYS } from './pipeline-tags';
import { type OptimizationSettings, registeredModelName } from './settings';

export interface JobTarget {
  jobName: string;
  modelId: string;
  stage: string;
  roleArn: string;
  /** `s3://bucket/key.tar.gz` or `s3://bucket/models/<id>/`. */
  sourceS3Uri: string;
  sourceKey: string;
  /** `s3://bucket/optimized/<model-id>/<job-name>/`. */
  outputS3Uri: string;
  outputKmsKeyId?: string;
  /** Set on the jobs of a drop with variants: the variant's name and the drop's job name. */
  variant?: { name: string; dropJobName: string };
}

/** The output location of a job, per the contract: `<prefix><model-id>/<job-name>/`. */
export function outputS3UriFor(
  bucket: string,
  outputPrefix: string,
  modelId: string,
  jobName: string,
): string {
  return `s3://${bucket}/${outputPrefix}${modelId}/${jobName}/`;
}

function toOptimizationConfig(entry: TechniqueEntry): OptimizationConfig {
  const container = (c: { image?: string; environment?: Record<string, string> }) => ({
    Image: c.image,
    OverrideEnvironment: c.environment,
  });
  if (entry.quantization) return { ModelQuantizationConfig: container(entry.quantization) };
  if (entry.compilation) return { ModelCompilationConfig: container(entry.compilation) };
  if (entry.sharding) return { ModelShardingConfig: container(entry.sharding) };
  if (entry.speculativeDecoding) {
    const { technique, trainingData } = entry.speculativeDecoding;
    return {
      ModelSpeculativeDecodingConfig: {
        Technique: technique,
        TrainingDataSource: trainingData && {
          S3Uri: trainingData.s3Uri,
          S3DataType: trainingData.s3DataType,
        },
      },
    };
  }
  // The manifest schema admits exactly one member per entry, so this cannot happen.
  throw new TypeError(`technique entry has no member: ${JSON.stringify(entry)}`);
}

/** Tag values allow letters, digits, spaces and `_.:/=+-@`; anything else becomes `_`. */
export function toTagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, TAG_VALUE_MAX_LENGTH);
}

/** The CreateOptimizationJob request for a drop with resolved settings. */
export function buildCreateJobRequest(
  target: JobTarget,
  settings: OptimizationSettings,
): CreateOptimizationJobCommandInput {
  const pipelineTags: Partial<Record<(typeof PIPELINE_TAG_KEYS)[number], string>> = {
    'model-id': target.modelId,
    'source-key': target.sourceKey,
    stage: target.stage,
    ...(target.variant && { variant: target.variant.name, 'drop-job': target.variant.dropJobName }),
  };
  const tags: Tag[] = [
    ...Object.entries(pipelineTags).map(([Key, value]) => ({ Key, Value: toTagValue(value ?? '') })),
    ...Object.entries(settings.tags).map(([Key, Value]) => ({ Key, Value })),
  ];
  const kmsKeyId = settings.kmsKeyId ?? target.outputKmsKeyId;
  const modelName = registeredModelName(settings, target.jobName);

  return {
    OptimizationJobName: target.jobName,
    RoleArn: target.roleArn,
    ModelSource: settings.sourceModelName
      ? { SageMakerModel: { ModelName: settings.sourceModelName } }
      : {
          S3: {
            S3Uri: target.sourceS3Uri,
            ...(settings.acceptEula !== undefined && {
              ModelAccessConfig: { AcceptEula: settings.acceptEula },
            }),
          },
        },
    DeploymentInstanceType: settings.deploymentInstanceType,
    ...(settings.maxInstanceCount !== undefined && { MaxInstanceCount: settings.maxInstanceCount }),
    ...(Object.keys(settings.environment).length > 0 && { OptimizationEnvironment: settings.environment }),
    OptimizationConfigs: settings.techniques.map(toOptimizationConfig),
    OutputConfig: {
      S3OutputLocation: target.outputS3Uri,
      ...(kmsKeyId && { KmsKeyId: kmsKeyId }),
      ...(modelName && { SageMakerModel: { ModelName: modelName } }),
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: settings.maxRuntimeInSeconds,
      ...(settings.maxPendingTimeInSeconds !== undefined && {
        MaxPendingTimeInSeconds: settings.maxPendingTimeInSeconds,
      }),
      ...(settings.maxWaitTimeInSeconds !== undefined && {
        MaxWaitTimeInSeconds: settings.maxWaitTimeInSeconds,
      }),
    },
    Tags: tags,
    ...(settings.vpcConfig && {
      VpcConfig: {
        SecurityGroupIds: settings.vpcConfig.securityGroupIds,
        Subnets: settings.vpcConfig.subnets,
      },
    }),
    ...(settings.trainingPlanArn && { TrainingPlanArns: [settings.trainingPlanArn] }),
  };
}
