/**
 * The LMI (Large Model Inference) deep learning container a completed job recommends for
 * hosting. AWS publishes these from one ECR account in most regions and from regional accounts
 * in the opt-in ones; Inferentia and Trainium instances need the Neuron (neuronx) build.
 */

/** Tags of the images recommended (djl-inference releases listed by the SageMaker Python SDK). */
export const LMI_GPU_TAG = '0.30.0-lmi12.0.0-cu124';
export const LMI_NEURONX_TAG = '0.29.0-neuronx-sdk2.19.1';

const DEFAULT_DLC_ACCOUNT = '763104351884';
const REGIONAL_DLC_ACCOUNTS: Record<string, string> = {
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

/** Whether the instance type runs on AWS Inferentia or Trainium (Neuron SDK). */
export const isNeuronInstanceType = (instanceType: string): boolean =>
  /^ml\.(inf2|trn1n?)\./.test(instanceType);

/** The ECR URI of the LMI container to host a model optimized for `instanceType` in `region`. */
export function recommendedInferenceImage(region: string, instanceType: string): string {
  const account = REGIONAL_DLC_ACCOUNTS[region] ?? DEFAULT_DLC_ACCOUNT;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const tag = isNeuronInstanceType(instanceType) ? LMI_NEURONX_TAG : LMI_GPU_TAG;
  return `${account}.dkr.ecr.${region}.${domain}/djl-inference:${tag}`;
}
