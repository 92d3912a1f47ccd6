import { S3Client } from '@aws-sdk/client-s3';

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const s3 = new S3Client({ forcePathStyle: true });
