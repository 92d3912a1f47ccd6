import { SageMakerClient } from '@aws-sdk/client-sagemaker';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const sageMaker = new SageMakerClient({});
