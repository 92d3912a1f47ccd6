/**
 * How a drop fails. Whatever the failure, nothing half-uploaded triggers a job: the manifest (or
 * the single `.tar.gz`) is sent only after everything else is in place.
 */
import { CliError, EXIT_CODES } from './errors';

/** A drop that cannot be made as asked: no such path, not a `.tar.gz`, an empty folder, no config.json. */
export class DropError extends CliError {
  override readonly name: string = 'DropError';
}

/** A file changed (size or modification time) while it was uploaded. */
export class FileChangedError extends DropError {
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
export class FileReadError extends DropError {
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
export class DropInterruptedError extends DropError {
  override readonly name = 'DropInterruptedError';
  override readonly exitCode = EXIT_CODES.interrupted;
}
