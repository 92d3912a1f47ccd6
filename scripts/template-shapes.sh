# The two shapes of the packaged template that the checks package (sourced by scripts/cfn-lint.sh
# and scripts/compare-templates.sh): the `ci` stage in us-east-1, every optional parameter
# empty; and `prod` in eu-west-1 with every optional parameter set (existing bucket and role,
# alarm topic, VPC, subscriber accounts, notify email).
# shellcheck shell=bash
CI_REGION=us-east-1
CI_ARGS=(--stage ci)
PROD_REGION=eu-west-1
PROD_ARGS=(
  --stage prod
  --param "existingBucketName=acme-models-prod"
  --param "sageMakerRoleArn=arn:aws:iam::123456789012:role/acme-sagemaker-optimization"
  --param "alarmTopicArn=arn:aws:sns:${PROD_REGION}:123456789012:ops-alarms"
  --param "vpcSubnetIds=subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"
  --param "vpcSecurityGroupIds=sg-0a1b2c3d4e5f60718"
  --param "subscriberAccountIds=111111111111,222222222222"
  --param "notifyEmail=ml-platform@example.com"
)
