/**
 * Named errors. The handler, the state machine's Retry/Catch and the tests match on `name`.
 */

/** One problem with a drop, located by a JSONPath-like `path` (`$` is the whole document). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A drop that can never succeed as sent: it is rejected (consumed) with every issue listed. */
export class InvalidDropError extends Error {
  override readonly name = 'InvalidDropError';
  constructor(
    readonly issues: ValidationIssue[],
    options?: ErrorOptions,
  ) {
    super(`invalid drop: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, options);
  }
}

/** A required environment variable is missing or malformed. Thrown at cold start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** SageMaker refused a new job because the account's concurrent-job quota is full. */
export class QuotaFullError extends Error {
  override readonly name = 'QuotaFullError';
}

/** A queue has no dead-letter queue (no `RedrivePolicy`) to send a message to. */
export class NoDeadLetterQueueError extends Error {
  override readonly name = 'NoDeadLetterQueueError';
}

/**
 * An event that does not match the contract (`src/events/contract.ts`): wrong source or
 * detail-type, a missing or malformed field, or an unsupported major schemaVersion.
 * Nothing was done with it.
 */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  constructor(
    readonly issues: ValidationIssue[],
    options?: ErrorOptions,
  ) {
    super(`malformed event: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, options);
  }
}

/**
 * The tracked job has not reached a terminal status yet. This is how the tracker polls: the
 * check function throws it and the `CheckJob` state's Retry (one billed transition per poll)
 * calls it again after the tier's interval. The name carries the tier, e.g.
 * `JobStillRunning.60s`, because a Retry interval is a literal in the ASL and each tier has its
 * own retrier; src/track/schedule.ts lists them and a test keeps the two in step.
 */
export class JobStillRunningError extends Error {
  override readonly name: `JobStillRunning.${number}s`;
  constructor(
    readonly status: string,
    readonly nextPollSeconds: number,
  ) {
    super(`job is ${status}; next poll in ${nextPollSeconds} s`);
    this.name = `JobStillRunning.${nextPollSeconds}s`;
  }
}

/**
 * SageMaker could not answer DescribeOptimizationJob for a transient reason (throttling, a 5xx,
 * a network error) after the SDK's own retries. The state machine retries it with backoff and
 * jitter.
 */
export class SageMakerUnavailableError extends Error {
  override readonly name = 'SageMakerUnavailable';
}

/**
 * Step Functions could not answer DescribeExecution for a transient reason, after the SDK's own
 * retries (the settle check of a drop with variants). Retried like SageMakerUnavailable.
 */
export class StepFunctionsUnavailableError extends Error {
  override readonly name = 'StepFunctionsUnavailable';
}

/** The tracker asked SageMaker to stop the job, and it is still not STOPPED long after. */
export class JobStopTimeoutError extends Error {
  override readonly name = 'JobStopTimeout';
}

/** The check function received a payload it cannot read: a bug in the ASL or in the caller. */
export class InvalidTrackingStateError extends Error {
  override readonly name = 'InvalidTrackingState';
}
