/**
 * The time the functions read. On Lambda it is the system clock. The local stack runs the
 * functions in its own process on a compressed clock, and sets that clock here before it loads
 * them (local/lambda/runtime.ts), so that a function comparing "now" with a job's timestamps
 * compares times of the same clock.
 */
let source: (() => number) | undefined;

/** The current time. */
export function now(): Date {
  // Date.now is looked up at each call, so that tests faking Date are followed.
  return new Date(source ? source() : Date.now());
}

/** Makes `now()` read `clock` (epoch ms) from here on; the local stack's hook. */
export function useClock(clock: () => number): void {
  source = clock;
}
