import { SNSClient } from '@aws-sdk/client-sns';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const sns = new SNSClient({});
