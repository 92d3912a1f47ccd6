/**
 * The client library's named errors. Each says what to do next; none knows about exit codes
 * (the CLI maps them, src/cli/errors.ts). A drop that cannot be made as asked is a `DropError`
 * (src/drop/drop-plan.ts).
 */

/** An error the library expects and explains in one line: not a bug, so no stack trace is needed. */
export class ClientError extends Error {
  override readonly name: string = 'ClientError';
}

/** Connection refused at AWS_ENDPOINT_URL: the local stack is not running. */
export class StackNotRunningError extends ClientError {
  override readonly name = 'StackNotRunningError';
  constructor(endpoint: string, options?: ErrorOptions) {
    super(
      `nothing answers at ${endpoint} (AWS_ENDPOINT_URL): is \`npm start\` running? Start the local stack with \`npm start\` (or \`npm start -- --no-examples\`), or unset AWS_ENDPOINT_URL to use AWS.`,
      options,
    );
  }
}

/** AWS (or a custom endpoint) could not be reached: DNS, timeouts, no network. */
export class EndpointUnreachableError extends ClientError {
  override readonly name = 'EndpointUnreachableError';
}

/** No credentials in the standard chain, or credentials AWS refuses. */
export class CredentialsError extends ClientError {
  override readonly name = 'CredentialsError';
}

/** No region in the options, the environment or the profile. */
export class MissingRegionError extends ClientError {
  override readonly name = 'MissingRegionError';
  constructor(options?: ErrorOptions) {
    super('no AWS region: pass --region, set AWS_REGION, or set a region in your profile', options);
  }
}

/** A pipeline resource (bucket, queue, state machine) of the stage was not found. */
export class ResourceNotFoundError extends ClientError {
  override readonly name = 'ResourceNotFoundError';
}

/** AWS refused a call for lack of permission. */
export class PermissionError extends ClientError {
  override readonly name = 'PermissionError';
}

/** No optimization job of that name. */
export class JobNotFoundError extends ClientError {
  override readonly name = 'JobNotFoundError';
  constructor(
    readonly jobName: string,
    options?: ErrorOptions,
  ) {
    super(`no job named ${jobName}; \`model-opt list\` shows the jobs`, options);
  }
}

/** Stopping a job that is no longer running. */
export class JobNotRunningError extends ClientError {
  override readonly name = 'JobNotRunningError';
  constructor(
    readonly jobName: string,
    readonly status: string,
    options?: ErrorOptions,
  ) {
    super(
      `job ${jobName} is ${status}: only a STARTING or INPROGRESS job can be stopped (\`model-opt status ${jobName}\`)`,
      options,
    );
  }
}

/*
 * How a drop fails once it is under way. Whatever the failure, nothing half-uploaded triggers a
 * job: the manifest (or the single `.tar.gz`) is sent only after everything else is in place.
 */

/** A file changed (size or modification time) while it was uploaded. */
export class FileChangedError extends ClientError {
  override readonly name = 'FileChangedError';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(
      `${path} changed while it was uploaded; nothing was triggered. Run the same command again once the file is complete: what is in place is not sent again.`,
      options,
    );
  }
}

/** A local file could not be read (a disk error, a file that vanished, no permission). */
export class FileReadError extends ClientError {
  override readonly name = 'FileReadError';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const reason = (cause as Error)?.message ?? String(cause);
    super(
      `could not read ${path}: ${reason}; nothing was triggered. Run the same command again once the file can be read: what is in place is not sent again.`,
      { cause },
    );
  }
}

/** The drop was interrupted (its signal aborted); what was complete stays in place for a re-run. */
export class DropInterruptedError extends ClientError {
  override readonly name = 'DropInterruptedError';
}
