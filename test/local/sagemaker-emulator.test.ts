/**
 * Conformance of the SageMaker optimization-job emulator, driven only through the real
 * SageMakerClient over HTTP: one test per validation rule and per error type.
 */
import {
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DeleteOptimizationJobCommand,
  DescribeOptimizationJobCommand,
  ListOptimizationJobsCommand,
  ResourceInUse,
  ResourceLimitExceeded,
  ResourceNotFound,
  SageMakerServiceException,
  StopOptimizationJobCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { virtualClock } from '../../local/time/clock';
import {
  advance,
  createRequest,
  errorOf,
  type Harness,
  MODEL_FILES,
  putFolder,
  startHarness,
  waitForStatus,
} from './sagemaker-helpers';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
});
afterEach(() => h.close());

const create = (input: CreateOptimizationJobCommandInput) =>
  h.client.send(new CreateOptimizationJobCommand(input));

/** Creates a job from `input` (cast: the tests send what the types forbid) and returns the ValidationException. */
async function validationErrorOf(input: unknown) {
  const error = await errorOf(() => create(input as CreateOptimizationJobCommandInput));
  expect(error).toBeInstanceOf(SageMakerServiceException);
  expect(error.name).toBe('ValidationException');
  expect(error.$metadata?.httpStatusCode).toBe(400);
  return error.message;
}

const env = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`KEY_${i}`, 'v']));

describe('CreateOptimizationJob validation', () => {
  it('names every missing required member in one message', async () => {
    const message = await validationErrorOf({});
    expect(message).toMatch(/^7 validation errors detected: /);
    for (const path of [
      'optimizationJobName',
      'roleArn',
      'modelSource',
      'deploymentInstanceType',
      'optimizationConfigs',
      'outputConfig',
      'stoppingCondition',
    ]) {
      expect(message).toContain(
        `Value null at '${path}' failed to satisfy constraint: Member must not be null`,
      );
    }
  });

  it('rejects a job name that breaks the name pattern', async () => {
    const message = await validationErrorOf(createRequest('bad_name'));
    expect(message).toBe(
      "1 validation error detected: Value 'bad_name' at 'optimizationJobName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$',
    );
  });

  it('rejects a job name longer than 63 characters', async () => {
    const message = await validationErrorOf(createRequest('a'.repeat(64)));
    expect(message).toContain(
      "at 'optimizationJobName' failed to satisfy constraint: Member must have length less than or equal to 63",
    );
  });

  it('rejects a RoleArn that is not an IAM role ARN', async () => {
    const message = await validationErrorOf(
      createRequest('role-pattern', { RoleArn: 'arn:aws:iam::123456789012:user/someone' }),
    );
    expect(message).toMatch(
      /^1 validation error detected: Value 'arn:aws:iam::123456789012:user\/someone' at 'roleArn'/,
    );
    expect(message).toContain('Member must satisfy regular expression pattern');
  });

  it('rejects a RoleArn shorter than 20 or longer than 2048 characters', async () => {
    const short = await validationErrorOf(createRequest('role-short', { RoleArn: 'arn:aws:iam::1:role' }));
    expect(short).toContain(
      "at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    );
    const long = await validationErrorOf(
      createRequest('role-long', { RoleArn: `arn:aws:iam::123456789012:role/${'r'.repeat(2048)}` }),
    );
    expect(long).toContain(
      "at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
  });

  it('rejects a ModelSource.S3.S3Uri that is not an S3 URI', async () => {
    const message = await validationErrorOf(
      createRequest('source-uri', { ModelSource: { S3: { S3Uri: 'ftp://models/llama/' } } }),
    );
    expect(message).toContain(
      "Value 'ftp://models/llama/' at 'modelSource.s3.s3Uri' failed to satisfy constraint",
    );
  });

  it('rejects an S3 URI longer than 1024 characters', async () => {
    const message = await validationErrorOf(
      createRequest('source-uri-long', { ModelSource: { S3: { S3Uri: `s3://models/${'k'.repeat(1020)}` } } }),
    );
    expect(message).toContain(
      "at 'modelSource.s3.s3Uri' failed to satisfy constraint: Member must have length less than or equal to 1024",
    );
  });

  it('rejects an OutputConfig.S3OutputLocation that is not an S3 URI, or is missing', async () => {
    const bad = await validationErrorOf(
      createRequest('output-uri', { OutputConfig: { S3OutputLocation: '/tmp/out' } }),
    );
    expect(bad).toContain("Value '/tmp/out' at 'outputConfig.s3OutputLocation' failed to satisfy constraint");
    const missing = await validationErrorOf(createRequest('output-missing', { OutputConfig: {} as never }));
    expect(missing).toContain(
      "Value null at 'outputConfig.s3OutputLocation' failed to satisfy constraint: Member must not be null",
    );
  });

  it('rejects a speculative-decoding TrainingDataSource.S3Uri that is not an S3 URI', async () => {
    const message = await validationErrorOf(
      createRequest('spec-uri', {
        OptimizationConfigs: [
          {
            ModelSpeculativeDecodingConfig: {
              Technique: 'EAGLE',
              TrainingDataSource: { S3Uri: 'http://data/sharegpt/', S3DataType: 'S3Prefix' },
            },
          },
        ],
      }),
    );
    expect(message).toContain(
      "at 'optimizationConfigs.1.member.modelSpeculativeDecodingConfig.trainingDataSource.s3Uri' failed to satisfy constraint",
    );
  });

  it('rejects a speculative-decoding technique or data type outside their enums', async () => {
    const message = await validationErrorOf(
      createRequest('spec-enum', {
        OptimizationConfigs: [
          {
            ModelSpeculativeDecodingConfig: {
              Technique: 'MEDUSA' as never,
              TrainingDataSource: { S3Uri: 's3://data/sharegpt/', S3DataType: 'Folder' as never },
            },
          },
        ],
      }),
    );
    expect(message).toMatch(/^2 validation errors detected/);
    expect(message).toContain(
      "Value 'MEDUSA' at 'optimizationConfigs.1.member.modelSpeculativeDecodingConfig.technique' failed to satisfy constraint: Member must satisfy enum value set: [EAGLE]",
    );
    expect(message).toContain('Member must satisfy enum value set: [S3Prefix, ManifestFile]');
  });

  it('rejects a DeploymentInstanceType outside the enum', async () => {
    const message = await validationErrorOf(
      createRequest('instance-type', { DeploymentInstanceType: 'ml.m5.large' as never }),
    );
    expect(message).toMatch(
      /^1 validation error detected: Value 'ml\.m5\.large' at 'deploymentInstanceType' failed to satisfy constraint: Member must satisfy enum value set: \[ml\./,
    );
    expect(message).toContain('ml.g5.2xlarge');
  });

  it('rejects a MaxInstanceCount below 1', async () => {
    const message = await validationErrorOf(createRequest('instances', { MaxInstanceCount: 0 }));
    expect(message).toContain(
      "Value '0' at 'maxInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('accepts an empty OptimizationConfigs list, as the service model does (min 0, issue 12)', async () => {
    const created = await h.client.send(
      new CreateOptimizationJobCommand(createRequest('no-configs', { OptimizationConfigs: [] })),
    );
    expect(created.OptimizationJobArn).toMatch(/:optimization-job\/no-configs$/);
  });

  it('rejects more than 10 OptimizationConfigs', async () => {
    const configs = Array.from({ length: 11 }, () => ({ ModelCompilationConfig: {} }));
    const message = await validationErrorOf(createRequest('many-configs', { OptimizationConfigs: configs }));
    expect(message).toContain(
      "at 'optimizationConfigs' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
  });

  it('rejects an OptimizationConfig with no member set', async () => {
    const message = await validationErrorOf(
      createRequest('union-empty', { OptimizationConfigs: [{} as never] }),
    );
    expect(message).toContain(
      "at 'optimizationConfigs.1.member' failed to satisfy constraint: Member must have exactly one of",
    );
    expect(message).toContain('but has 0');
  });

  it('rejects an OptimizationConfig with two members set', async () => {
    const message = await validationErrorOf(
      createRequest('union-two', {
        OptimizationConfigs: [
          { ModelCompilationConfig: {} },
          { ModelQuantizationConfig: {}, ModelShardingConfig: {} } as never,
        ],
      }),
    );
    expect(message).toContain(
      "Value '[ModelQuantizationConfig, ModelShardingConfig]' at 'optimizationConfigs.2.member' failed to satisfy constraint",
    );
    expect(message).toContain('but has 2');
  });

  it('rejects an OptimizationEnvironment with more than 25 entries', async () => {
    const message = await validationErrorOf(createRequest('env-count', { OptimizationEnvironment: env(26) }));
    expect(message).toContain(
      "at 'optimizationEnvironment' failed to satisfy constraint: Member must have length less than or equal to 25",
    );
  });

  it('rejects environment keys longer than 256 characters or blank', async () => {
    const message = await validationErrorOf(
      createRequest('env-key', { OptimizationEnvironment: { ['K'.repeat(257)]: 'v', '  ': 'blank' } }),
    );
    expect(message).toContain(
      "at 'optimizationEnvironment' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 256, Member must satisfy regular expression pattern",
    );
  });

  it('rejects environment values longer than 256 characters', async () => {
    const message = await validationErrorOf(
      createRequest('env-value', { OptimizationEnvironment: { K: 'v'.repeat(257) } }),
    );
    expect(message).toContain(
      "at 'optimizationEnvironment' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256]",
    );
  });

  it('applies the environment limits to each OverrideEnvironment', async () => {
    const message = await validationErrorOf(
      createRequest('override-env', {
        OptimizationConfigs: [
          { ModelQuantizationConfig: {} },
          { ModelShardingConfig: { OverrideEnvironment: env(26) } },
        ],
      }),
    );
    expect(message).toContain(
      "at 'optimizationConfigs.2.member.modelShardingConfig.overrideEnvironment' failed to satisfy constraint: Member must have length less than or equal to 25",
    );
  });

  it('rejects a container Image with whitespace', async () => {
    const message = await validationErrorOf(
      createRequest('image', { OptimizationConfigs: [{ ModelCompilationConfig: { Image: 'my image' } }] }),
    );
    expect(message).toContain(
      "Value 'my image' at 'optimizationConfigs.1.member.modelCompilationConfig.image'",
    );
  });

  it('rejects more than 50 tags and tags that break the key/value rules', async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await validationErrorOf(createRequest('tags-many', { Tags: tooMany }))).toContain(
      "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    const message = await validationErrorOf(
      createRequest('tags-bad', {
        Tags: [
          { Key: '', Value: 'ok' },
          { Key: 'team', Value: 'a|b' },
          { Key: 'k'.repeat(129), Value: 'ok' },
        ],
      }),
    );
    expect(message).toMatch(/^3 validation errors detected/);
    expect(message).toContain(
      "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(message).toContain(
      "Value 'a|b' at 'tags.2.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    expect(message).toContain(
      "at 'tags.3.member.key' failed to satisfy constraint: Member must have length less than or equal to 128",
    );
  });

  it('rejects a VpcConfig without security groups, with a bad subnet id or too many subnets', async () => {
    const message = await validationErrorOf(
      createRequest('vpc', {
        VpcConfig: {
          SecurityGroupIds: [],
          Subnets: ['subnet_1', ...Array.from({ length: 16 }, (_, i) => `subnet-${i}`)],
        },
      }),
    );
    expect(message).toMatch(/^3 validation errors detected/);
    expect(message).toContain(
      "Value '[]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    expect(message).toContain(
      "at 'vpcConfig.subnets' failed to satisfy constraint: Member must have length less than or equal to 16",
    );
    expect(message).toContain(
      "Value 'subnet_1' at 'vpcConfig.subnets.1.member' failed to satisfy constraint",
    );
  });

  it('rejects a VpcConfig missing Subnets', async () => {
    const message = await validationErrorOf(
      createRequest('vpc-missing', { VpcConfig: { SecurityGroupIds: ['sg-1'] } as never }),
    );
    expect(message).toContain(
      "Value null at 'vpcConfig.subnets' failed to satisfy constraint: Member must not be null",
    );
  });

  it('rejects MaxRuntimeInSeconds below 1 second or above 28 days', async () => {
    const low = await validationErrorOf(
      createRequest('runtime-low', { StoppingCondition: { MaxRuntimeInSeconds: 0 } }),
    );
    expect(low).toContain(
      "Value '0' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const high = await validationErrorOf(
      createRequest('runtime-high', { StoppingCondition: { MaxRuntimeInSeconds: 28 * 86_400 + 1 } }),
    );
    expect(high).toContain(
      "at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 2419200",
    );
  });

  it('rejects MaxPendingTimeInSeconds outside 2 hours..28 days', async () => {
    const message = await validationErrorOf(
      createRequest('pending', {
        StoppingCondition: { MaxRuntimeInSeconds: 60, MaxPendingTimeInSeconds: 60 },
      }),
    );
    expect(message).toContain(
      "at 'stoppingCondition.maxPendingTimeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 7200",
    );
  });

  it('rejects more than one training plan, and a malformed training plan ARN', async () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:training-plan/my-plan';
    expect(await validationErrorOf(createRequest('plans', { TrainingPlanArns: [arn, arn] }))).toContain(
      "at 'trainingPlanArns' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
    expect(
      await validationErrorOf(
        createRequest('plan-arn', { TrainingPlanArns: ['arn:aws:sagemaker:training-plan'] }),
      ),
    ).toContain(
      "at 'trainingPlanArns.1.member' failed to satisfy constraint: Member must have length greater than or equal to 50",
    );
  });

  it('rejects a KmsKeyId or output model name that breaks its pattern', async () => {
    const message = await validationErrorOf(
      createRequest('kms', {
        OutputConfig: {
          S3OutputLocation: 's3://out/x/',
          KmsKeyId: 'key id',
          SageMakerModel: { ModelName: 'bad_model' },
        },
      }),
    );
    expect(message).toMatch(/^2 validation errors detected/);
    expect(message).toContain("at 'outputConfig.kmsKeyId'");
    expect(message).toContain("at 'outputConfig.sageMakerModel.modelName'");
  });

  it('requires AcceptEula when ModelAccessConfig is given', async () => {
    const message = await validationErrorOf(
      createRequest('eula', {
        ModelSource: { S3: { S3Uri: 's3://models/llama/', ModelAccessConfig: {} as never } },
      }),
    );
    expect(message).toContain(
      "Value null at 'modelSource.s3.modelAccessConfig.acceptEula' failed to satisfy constraint: Member must not be null",
    );
  });

  it('requires exactly one of ModelSource.S3 and ModelSource.SageMakerModel', async () => {
    const both = await validationErrorOf(
      createRequest('both-sources', {
        ModelSource: { S3: { S3Uri: 's3://models/llama/' }, SageMakerModel: { ModelName: 'llama' } },
      }),
    );
    expect(both).toBe('ModelSource must specify exactly one of S3 or SageMakerModel.');
    const neither = await validationErrorOf(createRequest('no-source', { ModelSource: {} }));
    expect(neither).toBe('ModelSource must specify exactly one of S3 or SageMakerModel.');
  });

  it('reports every constraint violation of a request in one message', async () => {
    const message = await validationErrorOf(
      createRequest('bad_name', {
        RoleArn: 'arn:aws:iam::123456789012:user/x',
        DeploymentInstanceType: 'ml.t2.micro' as never,
        OptimizationEnvironment: env(30),
      }),
    );
    expect(message).toMatch(
      /^4 validation errors detected: Value 'bad_name' at 'optimizationJobName'.*; Value .* at 'roleArn'.*; Value 'ml\.t2\.micro' at 'deploymentInstanceType'.*; Value .* at 'optimizationEnvironment'/,
    );
  });

  it('validates the job name of Describe, Stop and Delete', async () => {
    for (const command of [
      new DescribeOptimizationJobCommand({ OptimizationJobName: 'no_such' }),
      new StopOptimizationJobCommand({ OptimizationJobName: 'no_such' }),
      new DeleteOptimizationJobCommand({ OptimizationJobName: 'no_such' }),
    ]) {
      const error = await errorOf(() => h.client.send(command as DescribeOptimizationJobCommand));
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("Value 'no_such' at 'optimizationJobName'");
    }
  });

  it('validates ListOptimizationJobs parameters', async () => {
    const error = await errorOf(() =>
      h.client.send(
        new ListOptimizationJobsCommand({
          MaxResults: 101,
          SortBy: 'Size' as never,
          SortOrder: 'Up' as never,
          StatusEquals: 'DONE' as never,
          NameContains: 'a_b',
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/^5 validation errors detected/);
    expect(error.message).toContain(
      "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    expect(error.message).toContain(
      "Value 'Size' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Name, CreationTime, Status]",
    );
    expect(error.message).toContain("Value 'Up' at 'sortOrder'");
    expect(error.message).toContain("Value 'DONE' at 'statusEquals'");
    expect(error.message).toContain("Value 'a_b' at 'nameContains'");
  });
});

describe('errors', () => {
  it('ResourceInUse for a name already taken, whatever its status or case, until the job is deleted', async () => {
    await create(createRequest('dup'));
    const running = await errorOf(() => create(createRequest('dup')));
    expect(running).toBeInstanceOf(ResourceInUse);
    expect(running.name).toBe('ResourceInUse');
    expect(running.$metadata?.httpStatusCode).toBe(400);

    await waitForStatus(h.client, 'dup', ['COMPLETED']);
    expect(await errorOf(() => create(createRequest('DUP')))).toBeInstanceOf(ResourceInUse);

    await h.client.send(new DeleteOptimizationJobCommand({ OptimizationJobName: 'dup' }));
    await expect(create(createRequest('dup'))).resolves.toMatchObject({
      OptimizationJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:optimization-job/dup',
    });
  });

  it('ResourceNotFound for Describe, Stop and Delete of an unknown job', async () => {
    for (const command of [
      new DescribeOptimizationJobCommand({ OptimizationJobName: 'missing' }),
      new StopOptimizationJobCommand({ OptimizationJobName: 'missing' }),
      new DeleteOptimizationJobCommand({ OptimizationJobName: 'missing' }),
    ]) {
      const error = await errorOf(() => h.client.send(command as DescribeOptimizationJobCommand));
      expect(error).toBeInstanceOf(ResourceNotFound);
      expect(error.message).toContain('missing');
    }
  });

  it('ResourceNotFound once a job is deleted', async () => {
    await create(createRequest('gone'));
    await waitForStatus(h.client, 'gone');
    await h.client.send(new DeleteOptimizationJobCommand({ OptimizationJobName: 'gone' }));
    const error = await errorOf(() =>
      h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'gone' })),
    );
    expect(error).toBeInstanceOf(ResourceNotFound);
  });

  it('ResourceLimitExceeded when the concurrent-job quota is reached; allowed again once a job ends', async () => {
    await h.close();
    // A manual clock holds the STOPPING phase, so that the quota can be seen to still count a
    // stopping job.
    const clock = virtualClock();
    h = await startHarness({
      maxConcurrentJobs: 2,
      clock,
      durations: { startingSeconds: 5, inProgressSeconds: 30, stoppingSeconds: 300 },
    });
    h.emulator.faults.overrideOutcome({ match: { nameContains: 'busy' }, outcome: 'hang' });
    await create(createRequest('busy-1'));
    await create(createRequest('busy-2'));
    const error = await errorOf(() => create(createRequest('third')));
    expect(error).toBeInstanceOf(ResourceLimitExceeded);
    expect(error.message).toContain("'Maximum number of concurrent optimization jobs' is 2 Jobs");

    await h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'busy-1' }));
    // STOPPING still counts against the quota.
    expect(await errorOf(() => create(createRequest('third')))).toBeInstanceOf(ResourceLimitExceeded);
    await advance(h, clock, 300);
    expect(
      (await h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'busy-1' })))
        .OptimizationJobStatus,
    ).toBe('STOPPED');
    await expect(create(createRequest('third'))).resolves.toHaveProperty('OptimizationJobArn');
  });

  it('ValidationException when stopping a job that has already ended', async () => {
    await create(createRequest('ended'));
    await waitForStatus(h.client, 'ended', ['COMPLETED']);
    const error = await errorOf(() =>
      h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'ended' })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('COMPLETED');
  });

  it('ValidationException when deleting a job that is still running', async () => {
    h.emulator.faults.overrideOutcome({ match: { name: 'running' }, outcome: 'hang' });
    await create(createRequest('running'));
    const error = await errorOf(() =>
      h.client.send(new DeleteOptimizationJobCommand({ OptimizationJobName: 'running' })),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/cannot be deleted because its status is (STARTING|INPROGRESS)/);
  });

  it('UnknownOperationException for a target the emulator does not implement', async () => {
    for (const target of ['SageMaker.CreateTrainingJob', 'Kinesis_20131202.ListStreams', undefined]) {
      const response = await fetch(h.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          ...(target ? { 'x-amz-target': target } : {}),
        },
        body: '{}',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
    }
  });

  it('SerializationException for a body that is not JSON', async () => {
    const response = await fetch(h.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SageMaker.ListOptimizationJobs',
      },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('accepts any credentials, and unsigned requests', async () => {
    const other = h.clientWith({
      credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'else', sessionToken: 't' },
    });
    await expect(other.send(new ListOptimizationJobsCommand({}))).resolves.toHaveProperty(
      'OptimizationJobSummaries',
    );
    const response = await fetch(h.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'SageMaker.ListOptimizationJobs',
      },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({ OptimizationJobSummaries: [] });
  });
});
