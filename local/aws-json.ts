/**
 * Shaping of awsJson 1.0 / 1.1 responses, shared by the JSON-protocol emulators (SageMaker,
 * Step Functions, EventBridge). The two versions differ only in the content type.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from './aws-error';

/** `application/x-amz-json-1.0` (e.g. Step Functions) or `-1.1` (e.g. SageMaker, EventBridge). */
export type AwsJsonContentType = 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';

/** What an emulator's HTTP handler hands back to the server that called it. */
export interface EmulatorHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** JSON text of `value` with every `Date` as epoch seconds, the awsJson timestamp format. */
export function toAwsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    // JSON.stringify calls Date#toJSON before the replacer sees the value, so read the original.
    const original = key === '' ? value : this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

/** Parses a request body; an empty body is `{}`, malformed JSON a `SerializationException`. */
export function parseAwsJsonBody(bodyText: string): unknown {
  if (bodyText.trim() === '') return {};
  try {
    return JSON.parse(bodyText);
  } catch {
    throw new AwsServiceError('SerializationException', 'Request body is not valid JSON');
  }
}

/** A successful awsJson response. */
export function awsJsonResponse(contentType: AwsJsonContentType, output: unknown): EmulatorHttpResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': contentType, 'x-amzn-requestid': randomUUID() },
    body: toAwsJson(output ?? {}),
  };
}

/**
 * An awsJson error response. An error that is not an {@link AwsServiceError} is a bug in the
 * emulator and is reported as `InternalFailure` (500), as AWS would.
 */
export function awsJsonErrorResponse(contentType: AwsJsonContentType, error: unknown): EmulatorHttpResponse {
  const aws =
    error instanceof AwsServiceError
      ? error
      : new AwsServiceError('InternalFailure', `Internal error: ${(error as Error)?.message ?? error}`, 500);
  return {
    statusCode: aws.statusCode,
    headers: {
      'content-type': contentType,
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': aws.type,
    },
    body: JSON.stringify({ __type: aws.type, message: aws.message }),
  };
}

/**
 * Splits an `x-amz-target` header (`<prefix>.<Operation>`) and returns the operation, or throws
 * `UnknownOperationException` when the header is missing or names another service.
 */
export function operationFromTarget(target: string | undefined, prefix: string): string {
  const operation = target?.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : '';
  if (!operation) {
    throw new AwsServiceError(
      'UnknownOperationException',
      `Unknown operation ${target ?? '(no x-amz-target)'}`,
    );
  }
  return operation;
}

/**
 * Handles one awsJson request end to end: resolves the operation from the target header, parses
 * the body, calls `handle` and shapes its result or error.
 */
export async function handleAwsJsonRequest(options: {
  contentType: AwsJsonContentType;
  targetPrefix: string;
  target: string | undefined;
  bodyText: string;
  handle: (operation: string, input: unknown) => Promise<unknown>;
}): Promise<EmulatorHttpResponse> {
  try {
    const operation = operationFromTarget(options.target, options.targetPrefix);
    const output = await options.handle(operation, parseAwsJsonBody(options.bodyText));
    return awsJsonResponse(options.contentType, output);
  } catch (error) {
    return awsJsonErrorResponse(options.contentType, error);
  }
}

/**
 * Runs `operation` from a table of operation handlers, or throws `UnsupportedOperation` for an
 * operation the local stack does not serve. A missing body counts as `{}`.
 */
export function dispatchOperation<Input>(
  operations: Record<string, (input: Input) => unknown>,
  operation: string,
  input: unknown,
): unknown {
  const run = operations[operation];
  if (!run)
    throw new AwsServiceError('UnsupportedOperation', `${operation} is not supported by the local stack.`);
  return run((input ?? {}) as Input);
}
