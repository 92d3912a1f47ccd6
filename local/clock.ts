/** Cancels a pending {@link Clock.setTimeout}; calling it again, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

/**
 * Time as the emulators see it. Simulated time may run faster than real time, so that jobs
 * that take minutes on AWS take milliseconds in tests.
 */
export interface Clock {
  /** The current simulated time, in epoch milliseconds. */
  now(): number;
  /** Runs `fn` once `simulatedMs` of simulated time have passed. */
  setTimeout(fn: () => void, simulatedMs: number): CancelTimer;
}

/** Node fires a timer longer than this at once, so longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A clock whose simulated time runs `speed` times faster than real time, measured from the real
 * instant `start` (epoch ms, default: now): at real time `t` it reads `start + (t - start) * speed`.
 * Speed 1 is real time. Two clocks given the same `speed` and `start` agree, which is how a
 * restarted process keeps the time line of the one before it.
 *
 * Timers are unref'd: a pending simulated timer never keeps the process alive on its own.
 */
export function compressedClock(speed: number, start: number = Date.now()): Clock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
  return {
    now: () => start + (Date.now() - start) * speed,
    setTimeout(fn, simulatedMs) {
      let timer: NodeJS.Timeout | undefined;
      const arm = (realMs: number) => {
        const step = Math.min(realMs, MAX_TIMER_MS);
        timer = setTimeout(() => (realMs > step ? arm(realMs - step) : fn()), step);
        timer.unref();
      };
      arm(Math.max(0, simulatedMs) / speed);
      return () => clearTimeout(timer);
    },
  };
}

/** A clock that stands still until a test moves it: nothing depends on the machine's speed. */
export interface ManualClock extends Clock {
  /** Moves simulated time forward by `ms`, running the timers that fall due, in time order. */
  advance(ms: number): void;
}

/**
 * A {@link ManualClock} reading `start` (epoch ms) until it is advanced. A test that must see a
 * state that lasts simulated seconds (STARTING, STOPPING …) holds the state as long as it likes
 * and then moves past it, instead of racing a compressed clock on a busy machine.
 */
export function manualClock(start: number = Date.parse('2026-01-01T00:00:00.000Z')): ManualClock {
  let now = start;
  // Pending timers, in the order they fall due (ties: the order they were set).
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout(fn, simulatedMs) {
      const timer = { at: now + Math.max(0, simulatedMs), fn };
      const index = timers.findIndex((t) => t.at > timer.at);
      timers.splice(index === -1 ? timers.length : index, 0, timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    advance(ms) {
      const until = now + Math.max(0, ms);
      for (let due = timers[0]; due && due.at <= until; due = timers[0]) {
        timers.shift();
        now = Math.max(now, due.at);
        due.fn();
      }
      now = until;
    },
  };
}
