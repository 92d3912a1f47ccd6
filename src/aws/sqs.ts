import { SQSClient } from '@aws-sdk/client-sqs';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const sqs = new SQSClient({});
