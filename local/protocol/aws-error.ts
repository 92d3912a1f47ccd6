/**
 * An error an emulated AWS service returns on the wire: `type` becomes the awsJson `__type`
 * (what the SDK turns into the exception's `name`), `statusCode` the HTTP status.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';

  constructor(
    /** The AWS error code, e.g. `ValidationException` or `ResourceNotFound`. */
    readonly type: string,
    message: string,
    /** HTTP status: 400 for client errors, 5xx for server errors. */
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/** `ValidationException` (400) with the given message. */
export const validationError = (message: string): AwsServiceError =>
  new AwsServiceError('ValidationException', message);
