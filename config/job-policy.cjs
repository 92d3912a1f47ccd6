/**
 * What a manifest may choose for its job, per stage: the registries its images come from, the
 * subnets and security groups of its VPC, and the KMS key of its outputs. One reading of the
 * stage parameters, used twice: by serverless.yml while the service is packaged (the SageMaker
 * role's ECR, EC2 and KMS grants, and start-optimization's environment), and by loadConfig at
 * cold start (src/config.ts), whose policy start-optimization checks each manifest against
 * (src/job/job-policy.ts). A bad parameter fails the package, naming it.
 */
const { awsInferenceImageAccount } = require('./aws-inference-image-accounts.cjs');

const list = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const ACCOUNT_ID = /^\d{12}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The warning for a stage that opted out of the image check; emitted once per process. */
const ANY_IMAGE_WARNING =
  'allowedImageRegistries is "*": a manifest may run any image as the SageMaker role, with its read access to every model and write access to every output (docs/security.md, "What a manifest may choose")';
let warnedAnyImage = false;

/**
 * The accounts whose ECR registries, in the stage's region, may serve a manifest's images:
 * `aws` stands for AWS's own inference images in `region`; `*` lets a manifest name any image,
 * and says so as a process warning (in `sls package`'s output, and in the function's log at
 * cold start).
 */
function imageRegistryAccounts(param, region) {
  const entries = list(param);
  if (entries.includes('*')) {
    if (entries.length > 1)
      throw new Error('allowedImageRegistries: "*" allows every registry; list nothing beside it');
    if (!warnedAnyImage) {
      warnedAnyImage = true;
      process.emitWarning(ANY_IMAGE_WARNING, { code: 'MOP_ANY_IMAGE' });
    }
    return '*';
  }
  const bad = entries.filter((entry) => entry !== 'aws' && !ACCOUNT_ID.test(entry));
  if (bad.length > 0) {
    throw new Error(
      `allowedImageRegistries: ${bad.map((b) => `"${b}"`).join(', ')} is not "aws", "*" or a 12-digit account id`,
    );
  }
  return [...new Set(entries.map((entry) => (entry === 'aws' ? awsInferenceImageAccount(region) : entry)))];
}

const ids = (name, pattern, what) => (param) => {
  const values = list(param);
  const bad = values.filter((value) => !pattern.test(value));
  if (bad.length > 0) throw new Error(`${name}: ${bad.map((b) => `"${b}"`).join(', ')} is not ${what}`);
  return [...new Set(values)];
};
const subnetIds = ids('allowedVpcSubnetIds', SUBNET_ID, 'a subnet id (subnet-…)');
const securityGroupIds = ids('allowedVpcSecurityGroupIds', SECURITY_GROUP_ID, 'a security group id (sg-…)');
const kmsKeyArns = ids(
  'allowedKmsKeyArns',
  KMS_KEY_ARN,
  'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
);

/** The manifest-choosable VPC: both lists or neither. */
function manifestNetworks(subnetParam, securityGroupParam) {
  const subnets = subnetIds(subnetParam);
  const groups = securityGroupIds(securityGroupParam);
  if ((subnets.length === 0) !== (groups.length === 0)) {
    throw new Error('set both allowedVpcSubnetIds and allowedVpcSecurityGroupIds, or neither');
  }
  return { subnets, securityGroupIds: groups };
}

const sub = (text) => ({ 'Fn::Sub': text });
const param = (resolveVariable, name) => resolveVariable(`param:${name}`);

module.exports = {
  ANY_IMAGE_WARNING,
  imageRegistryAccounts,
  manifestNetworks,
  kmsKeyArns,

  /** start-optimization's ALLOWED_IMAGE_REGISTRIES: the parameter, once it is known to be sound. */
  allowedImageRegistries: async ({ resolveVariable }) => {
    const value = await param(resolveVariable, 'allowedImageRegistries');
    imageRegistryAccounts(value, await resolveVariable('self:provider.region'));
    return list(value).join(',');
  },
  allowedVpcSubnetIds: async ({ resolveVariable }) =>
    manifestNetworks(
      await param(resolveVariable, 'allowedVpcSubnetIds'),
      await param(resolveVariable, 'allowedVpcSecurityGroupIds'),
    ).subnets.join(','),
  allowedVpcSecurityGroupIds: async ({ resolveVariable }) =>
    manifestNetworks(
      await param(resolveVariable, 'allowedVpcSubnetIds'),
      await param(resolveVariable, 'allowedVpcSecurityGroupIds'),
    ).securityGroupIds.join(','),
  allowedKmsKeyArns: async ({ resolveVariable }) =>
    kmsKeyArns(await param(resolveVariable, 'allowedKmsKeyArns')).join(','),

  /** The SageMaker role's image pulls: the allowed registries' repositories in the stage's region. */
  ecrRepositoryArns: async ({ resolveVariable }) => {
    const accounts = imageRegistryAccounts(
      await param(resolveVariable, 'allowedImageRegistries'),
      await resolveVariable('self:provider.region'),
    );
    return (accounts === '*' ? ['*'] : accounts).map((account) =>
      sub(`arn:\${AWS::Partition}:ecr:\${AWS::Region}:${account}:repository/*`),
    );
  },

  /**
   * What the SageMaker role's CreateNetworkInterface may use: the stage's subnets and security
   * groups and those a manifest may choose (IAM checks each one the request names), and the new
   * interfaces themselves.
   */
  networkInterfaceResources: async ({ resolveVariable }) => {
    const stage = {
      subnets: list(await param(resolveVariable, 'vpcSubnetIds')),
      securityGroupIds: list(await param(resolveVariable, 'vpcSecurityGroupIds')),
    };
    const chosen = manifestNetworks(
      await param(resolveVariable, 'allowedVpcSubnetIds'),
      await param(resolveVariable, 'allowedVpcSecurityGroupIds'),
    );
    const arn = (type, id) =>
      sub(`arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${type}/${id}`);
    return [
      ...[...new Set([...stage.subnets, ...chosen.subnets])].map((id) => arn('subnet', id)),
      ...[...new Set([...stage.securityGroupIds, ...chosen.securityGroupIds])].map((id) =>
        arn('security-group', id),
      ),
      arn('network-interface', '*'),
    ];
  },

  /** The keys the SageMaker role may encrypt outputs with: the stage's key and the allowed ones. */
  outputKeyArns: async ({ resolveVariable }) => [
    { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
    ...kmsKeyArns(await param(resolveVariable, 'allowedKmsKeyArns')),
  ],
};
