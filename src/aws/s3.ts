import { S3Client } from '@aws-sdk/client-s3';

/**
 * Whether S3 requests name the bucket in the path: only when the SDK's configured endpoint
 * (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, which the SDK honours unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is set) points at a local stack or another emulator. The
 * SDK addresses an IP endpoint by path by itself, but `http://localhost:4566` would become
 * `<bucket>.localhost`. AWS itself gets the SDK's default, virtual-hosted style, which AWS
 * recommends.
 */
export function usesPathStyle(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return false;
  return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

/** Created once per cold start; the endpoint comes from AWS_ENDPOINT_URL(_<SERVICE>). */
export const s3 = new S3Client({ forcePathStyle: usesPathStyle() });
