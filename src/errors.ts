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

/** EventBridge accepted the call but reported failed entries (`FailedEntryCount > 0`). */
export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
  constructor(
    message: string,
    readonly failedEntries: { errorCode?: string; errorMessage?: string }[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** SageMaker refused a new job because the account's concurrent-job quota is full. */
export class QuotaFullError extends Error {
  override readonly name = 'QuotaFullError';
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
