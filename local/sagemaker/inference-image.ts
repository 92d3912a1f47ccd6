/**
 * The LMI (Large Model Inference) deep learning container a completed job recommends for
 * hosting. AWS publishes these from one ECR account in most regions and from regional accounts
 * in the opt-in ones; Inferentia and Trainium instances need the Neuron (neuronx) build.
 */
import { awsInferenceImageAccount, ecrDomain } from '../../config/aws-inference-image-accounts.cjs';

/** Tags of the images recommended (djl-inference releases listed by the SageMaker Python SDK). */
export const LMI_GPU_TAG = '0.30.0-lmi12.0.0-cu124';
export const LMI_NEURONX_TAG = '0.29.0-neuronx-sdk2.19.1';

/** Whether the instance type runs on AWS Inferentia or Trainium (Neuron SDK). */
export const isNeuronInstanceType = (instanceType: string): boolean =>
  /^ml\.(inf2|trn1n?)\./.test(instanceType);

/** The ECR URI of the LMI container to host a model optimized for `instanceType` in `region`. */
export function recommendedInferenceImage(region: string, instanceType: string): string {
  const account = awsInferenceImageAccount(region);
  const domain = ecrDomain(region);
  const tag = isNeuronInstanceType(instanceType) ? LMI_NEURONX_TAG : LMI_GPU_TAG;
  return `${account}.dkr.ecr.${region}.${domain}/djl-inference:${tag}`;
}
