/**
 * The ECR accounts from which AWS publishes its deep learning containers (the LMI/djl-inference
 * images that optimization jobs and their hosting use): one account in most regions, a regional
 * one in the opt-in regions (AWS Deep Learning Containers, "available images"). AWS's data, not
 * the pipeline's: the stage's image policy (config/job-policy.cjs) and the local SageMaker
 * emulator both read it.
 */
const DEFAULT_ACCOUNT = '763104351884';
const REGIONAL_ACCOUNTS = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-3': '364406365360',
  'ap-southeast-3': '907027046896',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-south-1': '692866216735',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
};

/** The account of AWS's inference images in `region`. */
function awsInferenceImageAccount(region) {
  return REGIONAL_ACCOUNTS[region] ?? DEFAULT_ACCOUNT;
}

/** The domain of ECR registries in `region`: China's partition has its own. */
function ecrDomain(region) {
  return String(region).startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

module.exports = { awsInferenceImageAccount, ecrDomain };
