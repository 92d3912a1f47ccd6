/**
 * The process-level last line of defence of `npm start`: an error that escaped every handler is
 * a bug in the stack, logged and counted as one (`internalErrors` in `/_local/stats`). Whether
 * the stack keeps serving depends on what failed (docs/local.md, "Crashes and what survives"):
 *
 * - a rejected promise nobody awaited: the work it belonged to is abandoned, and every state
 *   file is replaced whole (never left half-written), so the stack keeps serving;
 * - an I/O error of one socket, stream or file (it carries a `syscall` or a stream error code):
 *   it concerns one request or one file, so the stack keeps serving;
 * - anything else thrown out of a callback (a TypeError in a timer, say) may have left the
 *   stack's memory half-updated: the stack exits with status 1, and `npm start -- --keep-state`
 *   resumes every queued message, execution and job from disk.
 */
import type { InternalErrors } from './internal-errors';

const STREAM_ERRORS = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** True for an error that concerns one socket, stream or file, not the stack's own state. */
export function isIsolatedIoError(error: unknown): boolean {
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  return typeof syscall === 'string' || (typeof code === 'string' && STREAM_ERRORS.has(code));
}

/** Installs the process's handlers; `exit` ends the stack after an error it cannot survive. */
export function installLastResort(errors: InternalErrors, exit: (code: number) => void): void {
  process.on('unhandledRejection', (reason) => {
    errors.record(reason, 'process (a rejected promise nobody awaited; the stack keeps serving)');
  });
  process.on('uncaughtException', (error) => {
    if (isIsolatedIoError(error)) {
      errors.record(error, 'process (an I/O error of one socket, stream or file; the stack keeps serving)');
      return;
    }
    errors.record(error, 'process (an uncaught exception; the stack exits, --keep-state resumes it)');
    exit(1);
  });
}
