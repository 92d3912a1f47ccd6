/**
 * The CLI's own errors and its exit codes (docs/cli.md, "Exit codes"): the exit code of a job's
 * outcome, and of every error the CLI expects, its own and the client library's.
 */
import {
  ClientError,
  DropInterruptedError,
  FileChangedError,
  FileReadError,
  JobNotFoundError,
} from '../client/errors';
import type { Outcome } from '../client/tracking';
import { DropError } from '../drop/drop-plan';

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

/** An error of the CLI itself, reported as one line (plus a hint) and an exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number = EXIT_CODES.usage;
}

/** Bad arguments or options. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
}

/** The exit code for an outcome: 0 Completed, 1 Failed, 2 Stopped, 3 Rejected or unknown. */
export function exitCodeOf(outcome: Outcome): number {
  switch (outcome) {
    case 'Completed':
      return EXIT_CODES.completed;
    case 'Failed':
      return EXIT_CODES.failed;
    case 'Stopped':
      return EXIT_CODES.stopped;
    default:
      return EXIT_CODES.unknown;
  }
}

/**
 * The exit code of an error the CLI expects, reported as one line: its own, the client
 * library's, a drop that cannot be made. Undefined for anything else (a bug, an SDK error
 * nothing explained), which exits as a usage error and shows its stack with MODEL_OPT_DEBUG.
 */
export function exitCodeOfError(error: unknown): number | undefined {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof JobNotFoundError) return EXIT_CODES.unknown;
  if (error instanceof FileChangedError || error instanceof FileReadError) return EXIT_CODES.incomplete;
  if (error instanceof DropInterruptedError) return EXIT_CODES.interrupted;
  if (error instanceof ClientError || error instanceof DropError) return EXIT_CODES.usage;
  return undefined;
}
