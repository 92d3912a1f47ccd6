/**
 * Request validation for the optimization-job operations, against the limits in
 * `src/sagemaker-api/limits.ts` (the service model's constraints).
 *
 * As on AWS, validation has two phases: first every member constraint of the request is checked
 * and all violations are reported in one `ValidationException`; only a request that passes
 * that is checked against the cross-field rules, which fail one at a time with a plain message.
 * A member of the wrong JSON type fails earlier still, with `SerializationException`.
 */
import type {
  CreateOptimizationJobRequest,
  ModelSpeculativeDecodingConfig,
  OptimizationConfig,
  OptimizationJobModelSource,
  OptimizationJobOutputConfig,
  OptimizationSageMakerModel,
  OptimizationVpcConfig,
  StoppingCondition,
  Tag,
} from '@aws-sdk/client-sagemaker';
import {
  DEPLOYMENT_INSTANCE_TYPES,
  ENVIRONMENT_KEY_MAX_LENGTH,
  ENVIRONMENT_KEY_PATTERN,
  ENVIRONMENT_MAX_ENTRIES,
  ENVIRONMENT_VALUE_MAX_LENGTH,
  IMAGE_MAX_LENGTH,
  IMAGE_PATTERN,
  JOB_NAME_MAX_LENGTH,
  JOB_NAME_PATTERN,
  KMS_KEY_ID_MAX_LENGTH,
  KMS_KEY_ID_PATTERN,
  LIST_MAX_RESULTS_DEFAULT,
  LIST_MAX_RESULTS_MAX,
  LIST_MAX_RESULTS_MIN,
  LIST_SORT_BY,
  MAX_INSTANCE_COUNT_MIN,
  MAX_PENDING_TIME_MAX_SECONDS,
  MAX_PENDING_TIME_MIN_SECONDS,
  MAX_RUNTIME_MAX_SECONDS,
  MAX_RUNTIME_MIN_SECONDS,
  MAX_WAIT_TIME_MIN_SECONDS,
  MODEL_NAME_MAX_LENGTH,
  MODEL_NAME_PATTERN,
  NAME_CONTAINS_MAX_LENGTH,
  NAME_CONTAINS_PATTERN,
  NEXT_TOKEN_MAX_LENGTH,
  NEXT_TOKEN_PATTERN,
  OPTIMIZATION_CONFIGS_MAX,
  OPTIMIZATION_CONFIGS_MIN,
  OPTIMIZATION_JOB_STATUSES,
  type OptimizationJobStatusName,
  ROLE_ARN_MAX_LENGTH,
  ROLE_ARN_MIN_LENGTH,
  ROLE_ARN_PATTERN,
  S3_URI_MAX_LENGTH,
  S3_URI_PATTERN,
  SECURITY_GROUP_ID_PATTERN,
  SECURITY_GROUPS_MAX,
  SECURITY_GROUPS_MIN,
  SORT_ORDERS,
  SPECULATIVE_DECODING_S3_DATA_TYPES,
  SPECULATIVE_DECODING_TECHNIQUES,
  SUBNET_ID_PATTERN,
  SUBNETS_MAX,
  SUBNETS_MIN,
  TAG_KEY_MAX_LENGTH,
  TAG_KEY_MIN_LENGTH,
  TAG_PATTERN,
  TAG_VALUE_MAX_LENGTH,
  TAGS_MAX,
  TECHNIQUE_MEMBER_NAMES,
  TRAINING_PLAN_ARN_MAX_LENGTH,
  TRAINING_PLAN_ARN_MIN_LENGTH,
  TRAINING_PLAN_ARN_PATTERN,
  TRAINING_PLANS_MAX,
  VPC_ID_MAX_LENGTH,
} from '../../src/sagemaker-api/limits';
import { validationError } from '../aws-error';
import {
  asObject,
  asString,
  elementPath,
  type JsonObject,
  memberPath,
  read,
  Violations,
} from './constraints';

/** The validated form of a ListOptimizationJobs request (times in epoch ms). */
export interface ListQuery {
  nextToken?: string;
  maxResults: number;
  creationTimeAfter?: number;
  creationTimeBefore?: number;
  lastModifiedTimeAfter?: number;
  lastModifiedTimeBefore?: number;
  optimizationContains?: string;
  nameContains?: string;
  statusEquals?: OptimizationJobStatusName;
  sortBy: (typeof LIST_SORT_BY)[number];
  sortOrder: (typeof SORT_ORDERS)[number];
}

/** Drops the `undefined` members, so that stored and echoed requests hold only what was sent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function checkString(
  v: Violations,
  path: string,
  value: string,
  limits: { min?: number; max?: number; pattern?: RegExp },
): void {
  v.length(path, value, value.length, limits.min, limits.max);
  if (limits.pattern) v.pattern(path, value, limits.pattern);
}

/** A required job name (`EntityName`). */
function jobName(v: Violations, input: JsonObject): string | undefined {
  const path = 'optimizationJobName';
  const name = read.string(input, 'OptimizationJobName', path);
  if (!v.required(path, name) || name === undefined) return undefined;
  checkString(v, path, name, { min: 1, max: JOB_NAME_MAX_LENGTH, pattern: JOB_NAME_PATTERN });
  return name;
}

function s3Uri(v: Violations, parent: JsonObject, member: string, path: string, required: boolean) {
  const uri = read.string(parent, member, path);
  if (uri === undefined) {
    if (required) v.required(path, uri);
    return undefined;
  }
  checkString(v, path, uri, { max: S3_URI_MAX_LENGTH, pattern: S3_URI_PATTERN });
  return uri;
}

function sageMakerModel(
  v: Violations,
  parent: JsonObject,
  path: string,
): OptimizationSageMakerModel | undefined {
  const model = read.object(parent, 'SageMakerModel', path);
  if (!model) return undefined;
  const namePath = memberPath(path, 'ModelName');
  const name = read.string(model, 'ModelName', namePath);
  if (name !== undefined)
    checkString(v, namePath, name, { max: MODEL_NAME_MAX_LENGTH, pattern: MODEL_NAME_PATTERN });
  return compact({ ModelName: name });
}

function modelSource(v: Violations, input: JsonObject): OptimizationJobModelSource | undefined {
  const path = 'modelSource';
  const source = read.object(input, 'ModelSource', path);
  if (!v.required(path, source) || !source) return undefined;
  const s3Path = memberPath(path, 'S3');
  const s3 = read.object(source, 'S3', s3Path);
  let s3Out: OptimizationJobModelSource['S3'];
  if (s3) {
    const accessPath = memberPath(s3Path, 'ModelAccessConfig');
    const access = read.object(s3, 'ModelAccessConfig', accessPath);
    let acceptEula: boolean | undefined;
    if (access) {
      const eulaPath = memberPath(accessPath, 'AcceptEula');
      acceptEula = read.boolean(access, 'AcceptEula', eulaPath);
      v.required(eulaPath, acceptEula);
    }
    s3Out = compact({
      S3Uri: s3Uri(v, s3, 'S3Uri', memberPath(s3Path, 'S3Uri'), false),
      ModelAccessConfig: access ? { AcceptEula: acceptEula } : undefined,
    });
  }
  return compact({
    S3: s3Out,
    SageMakerModel: sageMakerModel(v, source, memberPath(path, 'SageMakerModel')),
  });
}

/** An environment map: at most 25 entries, keys and values at most 256 characters. */
function environment(v: Violations, parent: JsonObject, member: string, path: string) {
  const env = read.object(parent, member, path);
  if (!env) return undefined;
  const entries = Object.entries(env);
  v.length(path, env, entries.length, undefined, ENVIRONMENT_MAX_ENTRIES);
  const keyProblems = new Set<string>();
  const valueProblems = new Set<string>();
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length > ENVIRONMENT_KEY_MAX_LENGTH) {
      keyProblems.add(`Member must have length less than or equal to ${ENVIRONMENT_KEY_MAX_LENGTH}`);
    }
    if (!ENVIRONMENT_KEY_PATTERN.test(key)) {
      keyProblems.add(`Member must satisfy regular expression pattern: ${ENVIRONMENT_KEY_PATTERN.source}`);
    }
    if (value === null || value === undefined) {
      valueProblems.add('Member must not be null');
      continue;
    }
    const text = asString(value, `${path}.${key}`);
    if (text.length > ENVIRONMENT_VALUE_MAX_LENGTH) {
      valueProblems.add(`Member must have length less than or equal to ${ENVIRONMENT_VALUE_MAX_LENGTH}`);
    }
    out[key] = text;
  }
  if (keyProblems.size)
    v.add(path, env, `Map keys must satisfy constraint: [${[...keyProblems].join(', ')}]`);
  if (valueProblems.size)
    v.add(path, env, `Map value must satisfy constraint: [${[...valueProblems].join(', ')}]`);
  return out;
}

/** Image and OverrideEnvironment, shared by quantization, compilation and sharding. */
function containerConfig(v: Violations, config: JsonObject, path: string) {
  const imagePath = memberPath(path, 'Image');
  const image = read.string(config, 'Image', imagePath);
  if (image !== undefined)
    checkString(v, imagePath, image, { max: IMAGE_MAX_LENGTH, pattern: IMAGE_PATTERN });
  return compact({
    Image: image,
    OverrideEnvironment: environment(
      v,
      config,
      'OverrideEnvironment',
      memberPath(path, 'OverrideEnvironment'),
    ),
  });
}

function speculativeDecoding(
  v: Violations,
  config: JsonObject,
  path: string,
): ModelSpeculativeDecodingConfig {
  const techniquePath = memberPath(path, 'Technique');
  const technique = read.string(config, 'Technique', techniquePath);
  if (v.required(techniquePath, technique) && technique !== undefined) {
    v.oneOf(techniquePath, technique, SPECULATIVE_DECODING_TECHNIQUES);
  }
  const sourcePath = memberPath(path, 'TrainingDataSource');
  const source = read.object(config, 'TrainingDataSource', sourcePath);
  let sourceOut: ModelSpeculativeDecodingConfig['TrainingDataSource'];
  if (source) {
    const typePath = memberPath(sourcePath, 'S3DataType');
    const dataType = read.string(source, 'S3DataType', typePath);
    if (v.required(typePath, dataType) && dataType !== undefined) {
      v.oneOf(typePath, dataType, SPECULATIVE_DECODING_S3_DATA_TYPES);
    }
    sourceOut = {
      S3Uri: s3Uri(v, source, 'S3Uri', memberPath(sourcePath, 'S3Uri'), true),
      S3DataType: dataType as (typeof SPECULATIVE_DECODING_S3_DATA_TYPES)[number] | undefined,
    };
  }
  return compact({
    Technique: technique as (typeof SPECULATIVE_DECODING_TECHNIQUES)[number] | undefined,
    TrainingDataSource: sourceOut,
  });
}

/** One OptimizationConfig: a union, so exactly one member may be set. */
function optimizationConfig(v: Violations, value: unknown, path: string): OptimizationConfig | undefined {
  const config = asObject(value, path);
  const present = Object.keys(config).filter((key) => config[key] !== undefined && config[key] !== null);
  const known = present.filter((key) => (TECHNIQUE_MEMBER_NAMES as string[]).includes(key));
  if (present.length !== 1 || known.length !== 1) {
    v.add(
      path,
      present,
      `Member must have exactly one of [${TECHNIQUE_MEMBER_NAMES.join(', ')}] set, but has ${present.length}`,
    );
    return undefined;
  }
  const member = known[0] as (typeof TECHNIQUE_MEMBER_NAMES)[number];
  const memberValue = read.object(config, member, memberPath(path, member)) ?? {};
  if (member === 'ModelSpeculativeDecodingConfig') {
    return { ModelSpeculativeDecodingConfig: speculativeDecoding(v, memberValue, memberPath(path, member)) };
  }
  return {
    [member]: containerConfig(v, memberValue, memberPath(path, member)),
  } as unknown as OptimizationConfig;
}

function optimizationConfigs(v: Violations, input: JsonObject): OptimizationConfig[] | undefined {
  const path = 'optimizationConfigs';
  const configs = read.list(input, 'OptimizationConfigs', path);
  if (!v.required(path, configs) || !configs) return undefined;
  v.length(path, configs, configs.length, OPTIMIZATION_CONFIGS_MIN, OPTIMIZATION_CONFIGS_MAX);
  return configs.flatMap((config, i) => optimizationConfig(v, config, elementPath(path, i)) ?? []);
}

function outputConfig(v: Violations, input: JsonObject): OptimizationJobOutputConfig | undefined {
  const path = 'outputConfig';
  const config = read.object(input, 'OutputConfig', path);
  if (!v.required(path, config) || !config) return undefined;
  const kmsPath = memberPath(path, 'KmsKeyId');
  const kmsKeyId = read.string(config, 'KmsKeyId', kmsPath);
  if (kmsKeyId !== undefined) {
    checkString(v, kmsPath, kmsKeyId, { max: KMS_KEY_ID_MAX_LENGTH, pattern: KMS_KEY_ID_PATTERN });
  }
  return compact({
    KmsKeyId: kmsKeyId,
    S3OutputLocation: s3Uri(v, config, 'S3OutputLocation', memberPath(path, 'S3OutputLocation'), true),
    SageMakerModel: sageMakerModel(v, config, memberPath(path, 'SageMakerModel')),
  });
}

function stoppingCondition(v: Violations, input: JsonObject): StoppingCondition | undefined {
  const path = 'stoppingCondition';
  const condition = read.object(input, 'StoppingCondition', path);
  if (!v.required(path, condition) || !condition) return undefined;
  const seconds = (member: string, min: number, max?: number) => {
    const memberP = memberPath(path, member);
    const value = read.integer(condition, member, memberP);
    if (value !== undefined) v.range(memberP, value, min, max);
    return value;
  };
  return compact({
    MaxRuntimeInSeconds: seconds('MaxRuntimeInSeconds', MAX_RUNTIME_MIN_SECONDS, MAX_RUNTIME_MAX_SECONDS),
    MaxWaitTimeInSeconds: seconds('MaxWaitTimeInSeconds', MAX_WAIT_TIME_MIN_SECONDS),
    MaxPendingTimeInSeconds: seconds(
      'MaxPendingTimeInSeconds',
      MAX_PENDING_TIME_MIN_SECONDS,
      MAX_PENDING_TIME_MAX_SECONDS,
    ),
  });
}

function tags(v: Violations, input: JsonObject): Tag[] | undefined {
  const path = 'tags';
  const list = read.list(input, 'Tags', path);
  if (!list) return undefined;
  v.length(path, list, list.length, undefined, TAGS_MAX);
  return list.map((item, i) => {
    const tagPath = elementPath(path, i);
    const tag = asObject(item, tagPath);
    const keyPath = memberPath(tagPath, 'Key');
    const key = read.string(tag, 'Key', keyPath);
    if (v.required(keyPath, key) && key !== undefined) {
      checkString(v, keyPath, key, {
        min: TAG_KEY_MIN_LENGTH,
        max: TAG_KEY_MAX_LENGTH,
        pattern: TAG_PATTERN,
      });
    }
    const valuePath = memberPath(tagPath, 'Value');
    const value = read.string(tag, 'Value', valuePath);
    if (v.required(valuePath, value) && value !== undefined) {
      checkString(v, valuePath, value, { max: TAG_VALUE_MAX_LENGTH, pattern: TAG_PATTERN });
    }
    return { Key: key, Value: value };
  });
}

function idList(
  v: Violations,
  parent: JsonObject,
  member: string,
  path: string,
  limits: { min: number; max: number; pattern: RegExp },
): string[] | undefined {
  const list = read.list(parent, member, path);
  if (!v.required(path, list) || !list) return undefined;
  v.length(path, list, list.length, limits.min, limits.max);
  return list.map((item, i) => {
    const itemPath = elementPath(path, i);
    const id = asString(item, itemPath);
    checkString(v, itemPath, id, { max: VPC_ID_MAX_LENGTH, pattern: limits.pattern });
    return id;
  });
}

function vpcConfig(v: Violations, input: JsonObject): OptimizationVpcConfig | undefined {
  const path = 'vpcConfig';
  const config = read.object(input, 'VpcConfig', path);
  if (!config) return undefined;
  return {
    SecurityGroupIds: idList(v, config, 'SecurityGroupIds', memberPath(path, 'SecurityGroupIds'), {
      min: SECURITY_GROUPS_MIN,
      max: SECURITY_GROUPS_MAX,
      pattern: SECURITY_GROUP_ID_PATTERN,
    }),
    Subnets: idList(v, config, 'Subnets', memberPath(path, 'Subnets'), {
      min: SUBNETS_MIN,
      max: SUBNETS_MAX,
      pattern: SUBNET_ID_PATTERN,
    }),
  };
}

function trainingPlanArns(v: Violations, input: JsonObject): string[] | undefined {
  const path = 'trainingPlanArns';
  const list = read.list(input, 'TrainingPlanArns', path);
  if (!list) return undefined;
  v.length(path, list, list.length, undefined, TRAINING_PLANS_MAX);
  return list.map((item, i) => {
    const itemPath = elementPath(path, i);
    const arn = asString(item, itemPath);
    checkString(v, itemPath, arn, {
      min: TRAINING_PLAN_ARN_MIN_LENGTH,
      max: TRAINING_PLAN_ARN_MAX_LENGTH,
      pattern: TRAINING_PLAN_ARN_PATTERN,
    });
    return arn;
  });
}

/** The cross-field rules, checked once every member constraint holds. */
function checkRules(request: CreateOptimizationJobRequest): void {
  const source = request.ModelSource ?? {};
  if ((source.S3 === undefined) === (source.SageMakerModel === undefined)) {
    throw validationError('ModelSource must specify exactly one of S3 or SageMakerModel.');
  }
  if (source.S3 && source.S3.S3Uri === undefined) {
    throw validationError('ModelSource.S3.S3Uri must be specified when ModelSource.S3 is used.');
  }
  if (source.SageMakerModel && source.SageMakerModel.ModelName === undefined) {
    throw validationError(
      'ModelSource.SageMakerModel.ModelName must be specified when ModelSource.SageMakerModel is used.',
    );
  }
}

/**
 * Validates a CreateOptimizationJob request and returns it with only the members the API
 * defines. Throws `ValidationException` / `SerializationException` as AWS would.
 */
export function validateCreateRequest(body: unknown): CreateOptimizationJobRequest {
  const input = asObject(body, '');
  const v = new Violations();
  const name = jobName(v, input);

  const rolePath = 'roleArn';
  const roleArn = read.string(input, 'RoleArn', rolePath);
  if (v.required(rolePath, roleArn) && roleArn !== undefined) {
    checkString(v, rolePath, roleArn, {
      min: ROLE_ARN_MIN_LENGTH,
      max: ROLE_ARN_MAX_LENGTH,
      pattern: ROLE_ARN_PATTERN,
    });
  }

  const source = modelSource(v, input);

  const typePath = 'deploymentInstanceType';
  const instanceType = read.string(input, 'DeploymentInstanceType', typePath);
  if (v.required(typePath, instanceType) && instanceType !== undefined) {
    v.oneOf(typePath, instanceType, DEPLOYMENT_INSTANCE_TYPES);
  }

  const countPath = 'maxInstanceCount';
  const maxInstanceCount = read.integer(input, 'MaxInstanceCount', countPath);
  if (maxInstanceCount !== undefined) v.range(countPath, maxInstanceCount, MAX_INSTANCE_COUNT_MIN);

  const request = compact<CreateOptimizationJobRequest>({
    OptimizationJobName: name,
    RoleArn: roleArn,
    ModelSource: source,
    DeploymentInstanceType: instanceType as CreateOptimizationJobRequest['DeploymentInstanceType'],
    MaxInstanceCount: maxInstanceCount,
    OptimizationEnvironment: environment(v, input, 'OptimizationEnvironment', 'optimizationEnvironment'),
    OptimizationConfigs: optimizationConfigs(v, input),
    OutputConfig: outputConfig(v, input),
    StoppingCondition: stoppingCondition(v, input),
    Tags: tags(v, input),
    VpcConfig: vpcConfig(v, input),
    TrainingPlanArns: trainingPlanArns(v, input),
  });
  v.throwIfAny();
  checkRules(request);
  return request;
}

/** Validates the request of Describe/Stop/DeleteOptimizationJob and returns the job name. */
export function validateJobNameRequest(body: unknown): string {
  const v = new Violations();
  const name = jobName(v, asObject(body, ''));
  v.throwIfAny();
  return name as string;
}

/** Validates a ListOptimizationJobs request and fills in its defaults. */
export function validateListRequest(body: unknown): ListQuery {
  const input = asObject(body, '');
  const v = new Violations();
  const contains = (member: string) => {
    const path = memberPath('', member);
    const value = read.string(input, member, path);
    if (value !== undefined) {
      checkString(v, path, value, { max: NAME_CONTAINS_MAX_LENGTH, pattern: NAME_CONTAINS_PATTERN });
    }
    return value;
  };
  const enumMember = <T extends string>(member: string, values: readonly T[]): T | undefined => {
    const path = memberPath('', member);
    const value = read.string(input, member, path);
    return value !== undefined && v.oneOf(path, value, values) ? value : undefined;
  };

  const nextToken = read.string(input, 'NextToken', 'nextToken');
  if (nextToken !== undefined) {
    checkString(v, 'nextToken', nextToken, { max: NEXT_TOKEN_MAX_LENGTH, pattern: NEXT_TOKEN_PATTERN });
  }
  const maxResults = read.integer(input, 'MaxResults', 'maxResults');
  if (maxResults !== undefined) v.range('maxResults', maxResults, LIST_MAX_RESULTS_MIN, LIST_MAX_RESULTS_MAX);

  const query: ListQuery = compact({
    nextToken,
    maxResults: maxResults ?? LIST_MAX_RESULTS_DEFAULT,
    creationTimeAfter: read.timestamp(input, 'CreationTimeAfter', 'creationTimeAfter'),
    creationTimeBefore: read.timestamp(input, 'CreationTimeBefore', 'creationTimeBefore'),
    lastModifiedTimeAfter: read.timestamp(input, 'LastModifiedTimeAfter', 'lastModifiedTimeAfter'),
    lastModifiedTimeBefore: read.timestamp(input, 'LastModifiedTimeBefore', 'lastModifiedTimeBefore'),
    optimizationContains: contains('OptimizationContains'),
    nameContains: contains('NameContains'),
    statusEquals: enumMember('StatusEquals', OPTIMIZATION_JOB_STATUSES),
    sortBy: enumMember('SortBy', LIST_SORT_BY) ?? 'CreationTime',
    sortOrder: enumMember('SortOrder', SORT_ORDERS) ?? 'Ascending',
  });
  v.throwIfAny();
  return query;
}
