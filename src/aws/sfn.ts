import { SFNClient } from '@aws-sdk/client-sfn';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const sfn = new SFNClient({});
