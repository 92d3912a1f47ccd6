import {
  ClientError,
  CredentialsError,
  EndpointUnreachableError,
  MissingRegionError,
  PermissionError,
  StackNotRunningError,
} from './errors';

const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError']);

/** The network error codes of an error, including those inside an AggregateError (IPv4 + IPv6 tries). */
function networkCodes(error: unknown): string[] {
  const e = error as { code?: unknown; errors?: unknown[]; cause?: unknown };
  const own = typeof e?.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e?.errors) ? e.errors.flatMap(networkCodes) : [];
  const cause = e?.cause && e.cause !== error ? networkCodes(e.cause) : [];
  return [...own, ...nested, ...cause];
}

/**
 * Turns an AWS SDK or network error into a {@link ClientError} that says what to do, or returns it
 * unchanged when there is nothing better to say. `endpoint` is AWS_ENDPOINT_URL when set.
 */
export function explainError(error: unknown, endpoint: string | undefined): unknown {
  if (error instanceof ClientError) return error;
  const e = error as { name?: string; message?: string };
  const codes = networkCodes(error);
  if (codes.includes('ECONNREFUSED')) {
    return endpoint
      ? new StackNotRunningError(endpoint, { cause: error })
      : new EndpointUnreachableError(`connection refused: ${e.message}`, { cause: error });
  }
  const unreachable = codes.find((code) => UNREACHABLE.has(code));
  if (unreachable) {
    return new EndpointUnreachableError(
      `cannot reach ${endpoint ?? 'AWS'} (${unreachable}): check the network, --region, or AWS_ENDPOINT_URL`,
      { cause: error },
    );
  }
  if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
    return new CredentialsError(
      `no AWS credentials (${e.message}): configure credentials (aws configure, AWS_PROFILE or --profile) or set AWS_ENDPOINT_URL for the local stack`,
      { cause: error },
    );
  }
  if (e?.name && BAD_CREDENTIALS.has(e.name)) {
    return new CredentialsError(
      `AWS refused the credentials (${e.name}: ${e.message}): refresh them (aws sso login, aws configure) or choose another --profile`,
      { cause: error },
    );
  }
  if (e?.message === 'Region is missing' || /region is missing/i.test(e?.message ?? '')) {
    return new MissingRegionError({ cause: error });
  }
  if (e?.name && DENIED.has(e.name)) {
    return new PermissionError(`${e.name}: ${e.message}`, { cause: error });
  }
  return error;
}
