/**
 * Start-up errors of `npm start`: what went wrong and what to do, printed as one message with
 * no stack trace, and a distinct exit code (2), as a usage error gets.
 */

/** A reason the local stack cannot start that the user can fix; its message says how. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  readonly exitCode = 2;
}

/** Runs `start`; a {@link StartupError} ends the process with its message and exit code. */
export async function exitOnStartupError<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
}
