/** A bucket and key (or key prefix). */
export interface S3Location {
  bucket: string;
  key: string;
}

const VIRTUAL_HOSTED = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

/**
 * Splits an S3 URI as SageMaker accepts them: `s3://bucket/key`, a virtual-hosted
 * `https://bucket.s3.region.amazonaws.com/key` or a path-style `https://host/bucket/key`.
 * Returns `undefined` when no bucket can be found.
 */
export function parseS3Uri(uri: string): S3Location | undefined {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (s3) return { bucket: s3[1] as string, key: s3[2] as string };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const path = decodeURIComponent(url.pathname.slice(1));
  const hosted = VIRTUAL_HOSTED.exec(url.hostname);
  if (hosted) return { bucket: hosted[1] as string, key: path };
  const slash = path.indexOf('/');
  const bucket = slash < 0 ? path : path.slice(0, slash);
  return bucket ? { bucket, key: slash < 0 ? '' : path.slice(slash + 1) } : undefined;
}

/** `s3://bucket/key`. */
export const formatS3Uri = ({ bucket, key }: S3Location): string => `s3://${bucket}/${key}`;

/** `key` as a folder prefix: empty, or ending in `/`. */
export const asFolderPrefix = (key: string): string => (key === '' || key.endsWith('/') ? key : `${key}/`);
