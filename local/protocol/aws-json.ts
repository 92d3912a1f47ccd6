/**
 * The awsJson 1.0 / 1.1 protocol, shared by the JSON-protocol emulators (SageMaker, Step
 * Functions, EventBridge, SQS): parsing and checking requests, shaping responses. The two
 * versions differ only in the content type.
 */
import { randomUUID } from 'node:crypto';
import type * as z from 'zod';
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
 * the body, calls `handle` and shapes its result or error. An error that is not an
 * {@link AwsServiceError} is a bug: it is answered `InternalFailure` and handed to
 * `onInternalError`.
 */
export async function handleAwsJsonRequest(options: {
  contentType: AwsJsonContentType;
  targetPrefix: string;
  target: string | undefined;
  bodyText: string;
  handle: (operation: string, input: unknown) => Promise<unknown>;
  onInternalError?: (error: unknown) => void;
}): Promise<EmulatorHttpResponse> {
  try {
    const operation = operationFromTarget(options.target, options.targetPrefix);
    const output = await options.handle(operation, parseAwsJsonBody(options.bodyText));
    return awsJsonResponse(options.contentType, output);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) options.onInternalError?.(error);
    return awsJsonErrorResponse(options.contentType, error);
  }
}

/**
 * An optional member: absent or `null` (which awsJson treats as absent) both read as
 * `undefined`.
 */
export const optional = <Schema extends z.ZodType>(schema: Schema) =>
  schema.nullish().transform((value) => value ?? undefined);

/**
 * Checks an operation's input against its shape before any use, as AWS's front end does: a
 * member of the wrong JSON type (or a body that is not an object) is a
 * `SerializationException`; a missing required member or a value outside its constraints is a
 * `ValidationException` listing every violation. Both name the member by its path. Members the
 * shape does not name are ignored. Returns the parsed input.
 */
export function parseInput<Shape extends z.ZodType>(shape: Shape, input: unknown): z.output<Shape> {
  const result = shape.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const wrongType = issues.find(
    (issue) => issue.code === 'invalid_type' && valueAt(input, issue.path) != null,
  );
  if (wrongType) {
    const value = valueAt(input, wrongType.path);
    const where = wrongType.path.length > 0 ? `member ${memberPath(wrongType.path)}` : 'the request body';
    const expected = (wrongType as { expected?: string }).expected ?? 'another type';
    throw new AwsServiceError(
      'SerializationException',
      `Could not read ${where}: expected ${expected === 'int' ? 'an integer' : expected}, got ${jsonType(value)}`,
    );
  }
  const violations = issues.map(
    (issue) =>
      `Value ${shown(valueAt(input, issue.path))} at '${memberPath(issue.path)}' failed to satisfy constraint: ${constraintOf(issue)}`,
  );
  throw new AwsServiceError(
    'ValidationException',
    `${violations.length} validation error${violations.length === 1 ? '' : 's'} detected: ${violations.join('; ')}`,
  );
}

function memberPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'structure';
  return typeof value;
}

function shown(value: unknown): string {
  if (value == null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a structure';
  const text = String(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}…` : text}'`;
}

function constraintOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return 'Member must not be null';
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `Member must have value greater than or equal to ${issue.minimum}`
        : `Member must have length greater than or equal to ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `Member must have value less than or equal to ${issue.maximum}`
        : `Member must have length less than or equal to ${issue.maximum}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
    case 'invalid_format':
      return `Member must satisfy regular expression pattern: ${(issue as { pattern?: string }).pattern ?? issue.format}`;
    default:
      return issue.message;
  }
}

/**
 * Runs `operation` from a table of operation handlers, or throws `UnsupportedOperation` for an
 * operation the local stack does not serve. A missing body counts as `{}`.
 */
export function dispatchOperation<Input, Context>(
  operations: Record<string, (input: Input, context: Context) => unknown>,
  operation: string,
  input: unknown,
  context?: Context,
): unknown {
  // Own properties only: `constructor` or `__proto__` are no operations.
  const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
  if (typeof run !== 'function')
    throw new AwsServiceError('UnsupportedOperation', `${operation} is not supported by the local stack.`);
  return run((input ?? {}) as Input, context as Context);
}
