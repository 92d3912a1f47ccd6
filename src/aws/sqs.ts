import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). The queue
 * URL only names the queue: by default the SDK would send to the URL's host instead, which
 * start-optimization builds from the queue ARN (`sqs.<region>.amazonaws.com`), bypassing a
 * configured endpoint such as the local stack's.
 */
export const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
