/**
 * Time for local executions. Waits and retry intervals go through a Clock, so the same
 * definition runs in real time, compressed (the local stack) or on a virtual clock that only
 * moves when the execution waits (the benchmark, the state-machine tests).
 */

export interface Clock {
  /** The current time on this clock. */
  now(): Date;
  /**
   * Lets `ms` of clock time pass and returns the real milliseconds the caller must still sleep
   * for it: `ms / speed` on a scaled clock, 0 on a virtual clock (which has already advanced).
   */
  elapse(ms: number): number;
}

/** Lets `ms` of clock time pass, sleeping whatever real time that takes. */
export async function sleepOn(clock: Clock, ms: number): Promise<void> {
  const real = clock.elapse(Math.max(0, ms));
  if (real > 0) await new Promise((resolve) => setTimeout(resolve, real));
}

/**
 * A clock running `speed` times faster than real time from `start` (default: now). Speed 1 is
 * the system clock.
 */
export function scaledClock(speed: number, start: Date = new Date()): Clock {
  if (!(speed > 0)) throw new RangeError(`speed must be positive, got ${speed}`);
  const realStart = Date.now();
  return {
    now: () => new Date(start.getTime() + (Date.now() - realStart) * speed),
    elapse: (ms) => ms / speed,
  };
}

/** The system clock. */
export const systemClock: Clock = scaledClock(1);

/** A clock that stands still until something elapses time on it; nothing ever sleeps. */
export interface VirtualClock extends Clock {
  /** Moves the clock forward, e.g. to let a simulated job finish. */
  advance(ms: number): void;
}

export function virtualClock(start: Date = new Date('2026-01-01T00:00:00.000Z')): VirtualClock {
  let now = start.getTime();
  const advance = (ms: number) => {
    now += Math.max(0, ms);
  };
  return {
    now: () => new Date(now),
    advance,
    elapse: (ms) => {
      advance(ms);
      return 0;
    },
  };
}
