/**
 * The stack's last line of defence, made loud: an error no handler expected is a bug in the
 * stack. It is logged with its stack trace and where it happened (a request's method, path and
 * target, or "process"), counted (`internalErrors` in `/_local/stats`), and the stack keeps
 * serving. Tests fail on any count above 0, so surviving a bug never hides it.
 */

/** Where an internal error happened: the request it broke, or a part of the stack. */
export type ErrorSite = string | { method?: string; path?: string; target?: string };

export class InternalErrors {
  /** Internal errors so far. */
  count = 0;

  constructor(private readonly write: (text: string) => void = (text) => process.stderr.write(text)) {}

  /** Logs and counts one internal error. Never throws. */
  record(error: unknown, site: ErrorSite): void {
    this.count += 1;
    try {
      const where =
        typeof site === 'string'
          ? site
          : `${site.method ?? '?'} ${site.path ?? '?'}${site.target ? ` (${site.target})` : ''}`;
      const trace =
        error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
      this.write(`\n[local stack bug #${this.count}] internal error in ${where}:\n${trace}\n\n`);
    } catch {
      // Logging must not be what fails next.
    }
  }
}
