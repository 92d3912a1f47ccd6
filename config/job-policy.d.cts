/** Types of job-policy.cjs, for src/config.ts. */
export function imageRegistryAccounts(param: string | undefined, region: string): string[] | '*';
export function manifestNetworks(
  subnetParam: string | undefined,
  securityGroupParam: string | undefined,
): { subnets: string[]; securityGroupIds: string[] };
export function kmsKeyArns(param: string | undefined): string[];
