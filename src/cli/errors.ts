/**
 * The CLI's named errors. Each says what to do next and carries the process exit code
 * (docs/cli.md, "Exit codes").
 */

/** Exit codes of `model-opt`: the job outcome for `watch`, else 0 or an error class. */
export const EXIT_CODES = {
  ok: 0,
  completed: 0,
  failed: 1,
  stopped: 2,
  /** Rejected drop, a job that never appeared, an unknown job. */
  unknown: 3,
  /** Bad arguments, nothing to talk to (no stack, no credentials, no network), missing resources. */
  usage: 4,
  /** A drop that could not finish: a file changed or could not be read. Nothing was triggered. */
  incomplete: 5,
  /** Ctrl-C (128 + SIGINT). For a drop: nothing was triggered, and a re-run resumes it. */
  interrupted: 130,
} as const;

/** An error the CLI reports as one line (plus a hint) and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number = EXIT_CODES.usage;
}

/** Bad arguments or options. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** Connection refused at AWS_ENDPOINT_URL: the local stack is not running. */
export class StackNotRunningError extends CliError {
  override readonly name = 'StackNotRunningError';
  constructor(endpoint: string, options?: ErrorOptions) {
    super(
      `nothing answers at ${endpoint} (AWS_ENDPOINT_URL): is \`npm start\` running? Start the local stack with \`npm start\` (or \`npm start -- --no-examples\`), or unset AWS_ENDPOINT_URL to use AWS.`,
      options,
    );
  }
}

/** AWS (or a custom endpoint) could not be reached: DNS, timeouts, no network. */
export class EndpointUnreachableError extends CliError {
  override readonly name = 'EndpointUnreachableError';
}

/** No credentials in the standard chain, or credentials AWS refuses. */
export class CredentialsError extends CliError {
  override readonly name = 'CredentialsError';
}

/** No region in the options, the environment or the profile. */
export class MissingRegionError extends CliError {
  override readonly name = 'MissingRegionError';
  constructor(options?: ErrorOptions) {
    super('no AWS region: pass --region, set AWS_REGION, or set a region in your profile', options);
  }
}

/** A pipeline resource (bucket, queue, state machine) of the stage was not found. */
export class ResourceNotFoundError extends CliError {
  override readonly name = 'ResourceNotFoundError';
}

/** AWS refused a call for lack of permission. */
export class PermissionError extends CliError {
  override readonly name = 'PermissionError';
}

/** No optimization job of that name. */
export class JobNotFoundError extends CliError {
  override readonly name = 'JobNotFoundError';
  override readonly exitCode = EXIT_CODES.unknown;
  constructor(
    readonly jobName: string,
    options?: ErrorOptions,
  ) {
    super(`no job named ${jobName}; \`model-opt list\` shows the jobs`, options);
  }
}

/** `stop` on a job that is no longer running. */
export class JobNotRunningError extends CliError {
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
