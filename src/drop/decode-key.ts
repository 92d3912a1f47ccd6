import { InvalidDropError } from '../errors';

/**
 * Decodes an object key as S3 notifications carry it: URL-encoded, with `+` for a space
 * (so a literal `+` arrives as `%2B`).
 */
export function decodeS3Key(rawKey: string): string {
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch (cause) {
    throw new InvalidDropError(
      [{ path: '$.s3.object.key', message: `is not valid URL encoding: ${rawKey}` }],
      {
        cause,
      },
    );
  }
}

/** Percent-encodes a key the way S3 notifications do (the inverse of decodeS3Key). */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
