/**
 * How a drop fails once it is under way (a drop that cannot be made as asked is a `DropError`,
 * drop-plan.ts). Whatever the failure, nothing half-uploaded triggers a job: the manifest (or
 * the single `.tar.gz`) is sent only after everything else is in place.
 */
import { CliError, EXIT_CODES } from './errors';

/** A file changed (size or modification time) while it was uploaded. */
export class FileChangedError extends CliError {
  override readonly name = 'FileChangedError';
  override readonly exitCode = EXIT_CODES.incomplete;
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
export class FileReadError extends CliError {
  override readonly name = 'FileReadError';
  override readonly exitCode = EXIT_CODES.incomplete;
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

/** The drop was interrupted (Ctrl-C); what was complete stays in place for a re-run. */
export class DropInterruptedError extends CliError {
  override readonly name = 'DropInterruptedError';
  override readonly exitCode = EXIT_CODES.interrupted;
}
