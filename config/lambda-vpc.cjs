/**
 * `provider.vpc` for serverless.yml, resolved while the service is packaged so that the template
 * holds literal subnet and security group ids: Control Tower's CT.LAMBDA.PR.3 reads them there,
 * and a Fn::Split would not pass it. Both params empty: no VPC (the Framework omits VpcConfig).
 */
const ids = (value) =>
  String(value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);

module.exports = async ({ resolveVariable }) => {
  const subnetIds = ids(await resolveVariable('param:vpcSubnetIds'));
  const securityGroupIds = ids(await resolveVariable('param:vpcSecurityGroupIds'));
  if (subnetIds.length === 0 && securityGroupIds.length === 0) return null;
  if (subnetIds.length === 0 || securityGroupIds.length === 0) {
    throw new Error('set both vpcSubnetIds and vpcSecurityGroupIds, or neither');
  }
  return { subnetIds, securityGroupIds };
};
