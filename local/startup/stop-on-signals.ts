/**
 * How `npm start` stops on Ctrl-C or SIGTERM. One Ctrl-C in a terminal reaches the stack twice:
 * from the terminal and relayed by npm, which forwards every SIGINT to its script. So a signal
 * that arrives while the stack stops is a repeat, never a second Ctrl-C meaning "hurry": it is
 * ignored. The stop is bounded instead (`timeoutMs`), and Ctrl-\ (SIGQUIT) quits at once.
 *
 * `npm start` runs `node --import tsx/esm`, not the tsx command: that one runs the script in a child
 * and, when the child does not acknowledge a signal within 30 ms (a busy machine), sends it
 * again and then SIGKILL, which cut the stop short (CI: "Stopping…" without "Stopped.").
 */
import type { EventEmitter } from 'node:events';

export interface StopOnSignalsOptions {
  /** Stops the stack; called once, whatever the number of signals (none for `--once`). */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
  /** Ends the process (`process.exit`). */
  exit: (code: number) => void;
  /** How long the stop may take; then the process says so and exits 1. */
  timeoutMs: number;
  /** Where a stop that stalled or failed is said (stderr). */
  report: (message: string) => void;
  /** Where the signals come from (the process). */
  signals?: Pick<EventEmitter, 'on'>;
}

/**
 * Stops once, on the first SIGINT or SIGTERM, then exits 0. Returns that same stop, for a caller
 * that ends the process itself (`--once`) with its own code.
 */
export function stopOnSignals(
  options: StopOnSignalsOptions,
): (code: number, signal?: NodeJS.Signals) => Promise<void> {
  const { stop, exit, timeoutMs, report, signals = process } = options;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number, signal?: NodeJS.Signals) => {
    stopping ??= (async () => {
      const stalled = setTimeout(() => {
        report(`The stack did not stop within ${timeoutMs / 1000} s; quitting without it.`);
        exit(1);
      }, timeoutMs);
      try {
        await stop(signal);
      } catch (error) {
        report(`The stack did not stop cleanly: ${(error as Error).message}`);
        code = 1;
      } finally {
        clearTimeout(stalled);
      }
      exit(code);
    })();
    return stopping;
  };
  signals.on('SIGINT', () => void shutdown(0, 'SIGINT'));
  signals.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  return shutdown;
}
