/**
 * Task failures as Step Functions names them, so a definition's Retry and Catch match locally
 * what they match on AWS. The runner throws these from Task handlers; `name` is the ASL error
 * name and `message` the Cause.
 *
 * The names follow one rule, with its sources in docs/state-machine.md ("Error names"): Step
 * Functions names a service error after the exception class of the AWS SDK for Java it calls
 * the service with. An error the service's API models has a class of its own
 * (`SageMaker.ResourceNotFoundException`; `Exception` is appended when the model's name lacks
 * it); any other error, `ValidationException` and `ThrottlingException` included, is the
 * service's generic class (`SageMaker.SageMakerException`), with the code only in the Cause.
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

/** How one service integration names the errors of its service. */
export interface ServiceErrorNaming {
  /** The service's part of every error name, e.g. `SageMaker` (`SageMaker.…Exception`). */
  prefix: string;
  /** The generic class for errors the API does not model, e.g. `SageMakerException`. */
  generic: string;
  /**
   * The SDK v3 client module of the service (`@aws-sdk/client-sagemaker`): it exports a class
   * for every error the service's API models, and only for those.
   */
  sdkModule: Record<string, unknown>;
}

/** Whether the service's API models this error: the SDK threw its own class for it. */
function isModeled(error: ServiceErrorLike, sdkModule: Record<string, unknown>): boolean {
  const modeled = sdkModule[error.name];
  return typeof modeled === 'function' && error instanceof modeled;
}

/** The ASL error name of a service error, by the rule at the top of this file. */
export function serviceErrorName(naming: ServiceErrorNaming, error: ServiceErrorLike): string {
  if (!isModeled(error, naming.sdkModule)) return `${naming.prefix}.${naming.generic}`;
  const name = error.name.endsWith('Exception') ? error.name : `${error.name}Exception`;
  return `${naming.prefix}.${name}`;
}

/**
 * An SDK error from a service integration, named by {@link serviceErrorName}, with a Cause in
 * Step Functions' form plus the service's error code (the only place an unmodeled error's code
 * shows). Errors without a service response (network, serialization) are `States.TaskFailed`.
 */
export function serviceTaskFailure(naming: ServiceErrorNaming, error: unknown): TaskFailure {
  if (!isServiceError(error)) {
    return new TaskFailure('States.TaskFailed', error instanceof Error ? error.message : String(error));
  }
  const status = error.$metadata?.httpStatusCode;
  const requestId = error.$metadata?.requestId ?? 'unknown';
  return new TaskFailure(
    serviceErrorName(naming, error),
    `${error.message} (Service: ${naming.prefix}, Status Code: ${status}, Error Code: ${error.name}, Request ID: ${requestId})`,
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
