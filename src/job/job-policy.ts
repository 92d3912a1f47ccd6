/**
 * The stage's policy for what a manifest may choose: the job's container images, its VPC and
 * its output key. A manifest can otherwise run any code as the SageMaker role, in a network of
 * its choosing, and encrypt outputs with a key the stage does not hold (docs/security.md). The
 * SageMaker role's grants enforce the same policy in IAM (resources/iam-roles.yml, from
 * config/job-policy.cjs); this check refuses such a drop before a job is created, with the path.
 */
import type { Manifest } from '../drop/manifest-schema';
import type { ValidationIssue } from '../errors';

export interface JobPolicy {
  region: string;
  /** The accounts whose ECR registries in `region` may serve images, or `*` for any image. */
  imageRegistryAccounts: string[] | '*';
  /** The subnets and security groups a manifest's vpcConfig may name: none, by default. */
  networks: { subnets: string[]; securityGroupIds: string[] };
  /** The values a manifest's kmsKeyId may take: the stage's own key, and the allowed ones. */
  outputKmsKeyIds: string[];
}

/** `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/…`: an ECR image and the registry it names. */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\//;

/** The techniques whose entry names a container image. */
const CONTAINER_TECHNIQUES = ['quantization', 'compilation', 'sharding'] as const;

const quoted = (values: string[]) => values.map((v) => `"${v}"`).join(', ');

function imageIssue(image: string, policy: JobPolicy): string | undefined {
  const { imageRegistryAccounts: accounts, region } = policy;
  if (accounts === '*') return undefined;
  const [, account, imageRegion] = ECR_IMAGE.exec(image) ?? [];
  if (account && imageRegion === region && accounts.includes(account)) return undefined;
  const allowed = `the stage allows the ECR registries of account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ')} in ${region} (stage parameter allowedImageRegistries)`;
  if (!account) return `is not an ECR image; ${allowed}`;
  return `comes from registry ${account} in ${imageRegion}; ${allowed}`;
}

function networkIssues(vpc: NonNullable<Manifest['vpcConfig']>, policy: JobPolicy): ValidationIssue[] {
  const { subnets, securityGroupIds } = policy.networks;
  if (subnets.length === 0) {
    return [
      {
        path: '$.vpcConfig',
        message:
          'this stage lets no manifest choose the job’s network (stage parameters allowedVpcSubnetIds and allowedVpcSecurityGroupIds are empty); leave vpcConfig out to use the stage’s',
      },
    ];
  }
  const outside = (field: 'subnets' | 'securityGroupIds', allowed: string[], param: string) =>
    vpc[field].flatMap((id, index) =>
      allowed.includes(id)
        ? []
        : [
            {
              path: `$.vpcConfig.${field}[${index}]`,
              message: `"${id}" is not one this stage lets a manifest choose: ${quoted(allowed)} (stage parameter ${param})`,
            },
          ],
    );
  return [
    ...outside('subnets', subnets, 'allowedVpcSubnetIds'),
    ...outside('securityGroupIds', securityGroupIds, 'allowedVpcSecurityGroupIds'),
  ];
}

/** Every way the manifest goes beyond the stage's policy, each with its path; [] when it keeps within it. */
export function jobPolicyIssues(manifest: Manifest, policy: JobPolicy): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [index, entry] of (manifest.techniques ?? []).entries()) {
    for (const technique of CONTAINER_TECHNIQUES) {
      const image = entry[technique]?.image;
      const message = image === undefined ? undefined : imageIssue(image, policy);
      if (message) issues.push({ path: `$.techniques[${index}].${technique}.image`, message });
    }
  }
  if (manifest.vpcConfig) issues.push(...networkIssues(manifest.vpcConfig, policy));
  if (manifest.kmsKeyId !== undefined && !policy.outputKmsKeyIds.includes(manifest.kmsKeyId)) {
    const allowed = policy.outputKmsKeyIds.length > 0 ? quoted(policy.outputKmsKeyIds) : 'none';
    issues.push({
      path: '$.kmsKeyId',
      message: `"${manifest.kmsKeyId}" is not a key this stage allows for outputs: ${allowed} (the stage’s key, and stage parameter allowedKmsKeyArns); leave kmsKeyId out to use the stage’s key`,
    });
  }
  return issues;
}
