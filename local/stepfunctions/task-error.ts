/**
 * Task failures as Step Functions names them, so a definition's Retry and Catch match locally
 * what they match on AWS. The runner throws these from Task handlers; `name` is the ASL error
 * name and `message` the Cause.
 */

export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface ServiceErrorLike {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function isServiceError(error: unknown): error is ServiceErrorLike {
  return error instanceof Error && typeof (error as ServiceErrorLike).$metadata?.httpStatusCode === 'number';
}

/**
 * An SDK error from a service integration: `<Service>.<Name>Exception` with Step Functions'
 * Cause text (e.g. `SageMaker.ResourceNotFoundException`). Errors without a service response
 * (network, serialization) are `States.TaskFailed`.
 */
export function serviceTaskFailure(servicePrefix: string, error: unknown): TaskFailure {
  if (!isServiceError(error)) {
    return new TaskFailure('States.TaskFailed', error instanceof Error ? error.message : String(error));
  }
  const name = error.name.endsWith('Exception') ? error.name : `${error.name}Exception`;
  const status = error.$metadata?.httpStatusCode;
  const requestId = error.$metadata?.requestId ?? 'unknown';
  return new TaskFailure(
    `${servicePrefix}.${name}`,
    `${error.message} (Service: ${servicePrefix}, Status Code: ${status}, Request ID: ${requestId})`,
  );
}

/**
 * An error thrown by a Lambda function: named by its errorType (the error's `name`), with the
 * Cause Lambda reports, a JSON text of errorMessage, errorType and trace.
 */
export function lambdaTaskFailure(error: unknown): TaskFailure {
  const err = error instanceof Error ? error : new Error(String(error));
  const cause = JSON.stringify({
    errorType: err.name,
    errorMessage: err.message,
    trace: (err.stack ?? '').split('\n'),
  });
  return new TaskFailure(err.name, cause);
}
