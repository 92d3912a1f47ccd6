/**
 * The stage's policy for what a manifest may choose: read from the stage parameters
 * (config/job-policy.cjs, as serverless.yml and loadConfig read them) and applied to manifests
 * (src/job/job-policy.ts). The catalogue (harness/bad-input-catalogue.ts) drops the default
 * stage's refusals through the handler; these cases cover the stages that allow more.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { ConfigError } from '../../src/errors';
import { type JobPolicy, jobPolicyIssues } from '../../src/job/job-policy';

const require = createRequire(import.meta.url);
const jobPolicyParams = require('../../config/job-policy.cjs');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const required = {
  STAGE: 'dev',
  EVENT_BUS_NAME: 'bus',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:track',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/sm',
  TRACKING_CHECK_FUNCTION_NAME: 'check',
  OUTPUT_KMS_KEY_ID: 'alias/model-optimization-pipeline-dev',
};
const TEAM_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-0b0a-0908-0706-050403020100';
const image = (account: string, region = 'eu-west-1') =>
  `${account}.dkr.ecr.${region}.amazonaws.com/quantizer:1`;
const quantizeWith = (uri: string) => ({ techniques: [{ quantization: { image: uri } }] });

describe('loadConfig: the job policy', () => {
  it('defaults to AWS’s own inference images of the region, no manifest VPC, and the stage’s key alone', () => {
    expect(loadConfig({ ...required, AWS_REGION: 'eu-west-1' }).jobPolicy).toEqual({
      region: 'eu-west-1',
      imageRegistryAccounts: ['763104351884'],
      networks: { subnets: [], securityGroupIds: [] },
      outputKmsKeyIds: ['alias/model-optimization-pipeline-dev'],
    });
    // An opt-in region publishes from its own account.
    expect(loadConfig({ ...required, AWS_REGION: 'me-south-1' }).jobPolicy.imageRegistryAccounts).toEqual([
      '217643126080',
    ]);
  });

  it('reads added registries, networks and keys', () => {
    const policy = loadConfig({
      ...required,
      AWS_REGION: 'eu-west-1',
      ALLOWED_IMAGE_REGISTRIES: 'aws, 123456789012',
      ALLOWED_VPC_SUBNET_IDS: 'subnet-0a1b2c3d4e5f60718',
      ALLOWED_VPC_SECURITY_GROUP_IDS: 'sg-0a1b2c3d4e5f60718',
      ALLOWED_KMS_KEY_ARNS: TEAM_KEY,
    }).jobPolicy;
    expect(policy).toEqual({
      region: 'eu-west-1',
      imageRegistryAccounts: ['763104351884', '123456789012'],
      networks: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
      outputKmsKeyIds: ['alias/model-optimization-pipeline-dev', TEAM_KEY],
    });
  });

  it.each([
    [{ ALLOWED_IMAGE_REGISTRIES: 'aws,*' }, '"*" allows every registry'],
    [
      { ALLOWED_IMAGE_REGISTRIES: 'public.ecr.aws' },
      '"public.ecr.aws" is not "aws", "*" or a 12-digit account id',
    ],
    [
      { ALLOWED_VPC_SUBNET_IDS: 'subnet-0a1b2c3d4e5f60718' },
      'set both allowedVpcSubnetIds and allowedVpcSecurityGroupIds',
    ],
    [{ ALLOWED_KMS_KEY_ARNS: 'alias/team' }, '"alias/team" is not a KMS key ARN'],
  ])('fails fast on a malformed parameter %j', (env, message) => {
    expect(() => loadConfig({ ...required, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...required, ...env })).toThrow(message);
  });
});

describe('jobPolicyIssues', () => {
  const policy: JobPolicy = {
    region: 'eu-west-1',
    imageRegistryAccounts: ['763104351884', '123456789012'],
    networks: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
    outputKmsKeyIds: ['alias/model-optimization-pipeline-dev', TEAM_KEY],
  };

  it('passes a manifest within the policy, and one that chooses none of it', () => {
    expect(
      jobPolicyIssues(
        {
          techniques: [
            { quantization: { image: image('763104351884') } },
            { compilation: { image: `${image('123456789012')}@sha256:${'a'.repeat(64)}` } },
          ],
          vpcConfig: { subnets: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
          kmsKeyId: TEAM_KEY,
        },
        policy,
      ),
    ).toEqual([]);
    expect(jobPolicyIssues({}, policy)).toEqual([]);
  });

  it('refuses an allowed account’s registry in another region, and any image of another account', () => {
    expect(jobPolicyIssues(quantizeWith(image('763104351884', 'us-east-1')), policy)).toEqual([
      {
        path: '$.techniques[0].quantization.image',
        message:
          'comes from registry 763104351884 in us-east-1; the stage allows the ECR registries of accounts 763104351884, 123456789012 in eu-west-1 (stage parameter allowedImageRegistries)',
      },
    ]);
    // A look-alike host is not ECR.
    expect(
      jobPolicyIssues(quantizeWith('763104351884.dkr.ecr.eu-west-1.amazonaws.com.evil.example/q:1'), policy),
    ).toEqual([expect.objectContaining({ message: expect.stringMatching(/^is not an ECR image/) })]);
  });

  it('lets any image through when the stage opts out with "*"', () => {
    expect(
      jobPolicyIssues(quantizeWith('docker.io/me/q:1'), { ...policy, imageRegistryAccounts: '*' }),
    ).toEqual([]);
  });

  it('names each subnet and security group outside the allowed lists by its index', () => {
    expect(
      jobPolicyIssues(
        {
          vpcConfig: {
            subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0fffffffffffffff0'],
            securityGroupIds: ['sg-0fffffffffffffff0'],
          },
        },
        policy,
      ).map((i) => i.path),
    ).toEqual(['$.vpcConfig.subnets[1]', '$.vpcConfig.securityGroupIds[0]']);
  });

  it('refuses a key that is not the stage’s or an allowed one, even the same key by another name', () => {
    const issues = jobPolicyIssues({ kmsKeyId: TEAM_KEY.split('/')[1] as string }, policy);
    expect(issues).toEqual([expect.objectContaining({ path: '$.kmsKeyId' })]);
  });
});

describe('config/job-policy.cjs, as serverless.yml resolves it', () => {
  const params =
    (values: Record<string, string>) =>
    async (variable: string): Promise<unknown> =>
      variable === 'self:provider.region' ? 'eu-west-1' : (values[variable.replace('param:', '')] ?? '');

  it('pulls images from the allowed registries only, or from every account with "*"', async () => {
    const arns = (allowedImageRegistries: string) =>
      jobPolicyParams.ecrRepositoryArns({ resolveVariable: params({ allowedImageRegistries }) });
    expect(await arns('aws,123456789012')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:763104351884:repository/*' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:123456789012:repository/*' },
    ]);
    expect(await arns('*')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
      { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:*:repository/*' },
    ]);
    await expect(arns('aws,ecr')).rejects.toThrow('"ecr" is not "aws", "*" or a 12-digit account id');
  });

  it('says loudly, once per process, that "*" lets a manifest run any image', () => {
    // A process of its own: the warning is once per process, as sls package and a cold start see it.
    const reads =
      "const p = require('./config/job-policy.cjs'); p.imageRegistryAccounts('aws', 'eu-west-1'); p.imageRegistryAccounts('*', 'eu-west-1'); p.imageRegistryAccounts('*', 'eu-west-1');";
    const run = spawnSync(process.execPath, ['-e', reads], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('MOP_ANY_IMAGE'));
    expect(warnings).toEqual([expect.stringContaining(jobPolicyParams.ANY_IMAGE_WARNING)]);
  });

  it('lets CreateNetworkInterface use the stage’s networks and the allowed ones, once each', async () => {
    const resources = await jobPolicyParams.networkInterfaceResources({
      resolveVariable: params({
        vpcSubnetIds: 'subnet-0a1b2c3d4e5f60718',
        vpcSecurityGroupIds: 'sg-0a1b2c3d4e5f60718',
        allowedVpcSubnetIds: 'subnet-0a1b2c3d4e5f60718,subnet-0fffffffffffffff0',
        allowedVpcSecurityGroupIds: 'sg-0a1b2c3d4e5f60718',
      }),
    });
    expect(resources.map((r: { 'Fn::Sub': string }) => r['Fn::Sub'].split(':').at(-1))).toEqual([
      'subnet/subnet-0a1b2c3d4e5f60718',
      'subnet/subnet-0fffffffffffffff0',
      'security-group/sg-0a1b2c3d4e5f60718',
      'network-interface/*',
    ]);
  });

  it('encrypts outputs with the stage’s key and the allowed keys', async () => {
    expect(
      await jobPolicyParams.outputKeyArns({ resolveVariable: params({ allowedKmsKeyArns: TEAM_KEY }) }),
    ).toEqual([{ 'Fn::GetAtt': ['PipelineKey', 'Arn'] }, TEAM_KEY]);
  });
});
