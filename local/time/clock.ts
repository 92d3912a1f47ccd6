/**
 * Time as the local stack sees it: one Clock for every emulator and the Step Functions runner.
 * A real clock may run faster than real time, so that jobs that take minutes on AWS take
 * seconds locally; a virtual clock stands still until something moves it, so that nothing
 * depends on the machine's speed.
 */

/** Cancels a pending {@link Clock.setTimeout}; calling it again, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** The current clock time, in epoch milliseconds. */
  now(): number;
  /** Runs `fn` once `ms` of clock time have passed. Never keeps the process alive on its own. */
  setTimeout(fn: () => void, ms: number): CancelTimer;
  /**
   * Resolves once `ms` of clock time have passed: what a waiting caller (the Step Functions
   * runner's Waits and retry delays) awaits. A virtual clock moves itself forward to get there.
   */
  sleep(ms: number): Promise<void>;
}

/** Node fires a timer longer than this at once, so longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Runs `fn` after `realMs` of real time, chaining timers past Node's limit. */
function realTimer(fn: () => void, realMs: number, unref: boolean): CancelTimer {
  let timer: NodeJS.Timeout | undefined;
  const arm = (remaining: number) => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    timer = setTimeout(() => (remaining > step ? arm(remaining - step) : fn()), step);
    if (unref) timer.unref();
  };
  arm(Math.max(0, realMs));
  return () => clearTimeout(timer);
}

/**
 * A clock that runs `speed` times faster than real time, measured from the real instant `start`
 * (epoch ms, default: now): at real time `t` it reads `start + (t - start) * speed`. Speed 1 is
 * real time. Two clocks given the same `speed` and `start` agree, which is how a restarted
 * process keeps the time line of the one before it.
 *
 * Timers are unref'd; a `sleep` keeps the process alive, as any awaited wait does.
 */
export function compressedClock(speed: number, start: number = Date.now()): Clock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
  const now = () => start + (Date.now() - start) * speed;
  // A real timer can fire before Date.now() has moved on by its whole delay (a millisecond's
  // rounding, which at ×600,000 is 10 minutes of clock time), so a timer whose clock time has
  // not come yet is armed again for the rest.
  const at = (fn: () => void, ms: number, unref: boolean): CancelTimer => {
    const due = now() + Math.max(0, ms);
    let cancel: CancelTimer;
    const arm = () => {
      cancel = realTimer(() => (now() >= due ? fn() : arm()), (due - now()) / speed, unref);
    };
    arm();
    return () => cancel();
  };
  return {
    now,
    setTimeout: (fn, ms) => at(fn, ms, true),
    sleep: (ms) => new Promise((resolve) => at(resolve, ms, false)),
  };
}

/** The system clock: real time. */
export const systemClock: Clock = compressedClock(1, 0);

/** A clock that stands still until it is advanced, by a test or by a caller that sleeps. */
export interface VirtualClock extends Clock {
  /** Moves the clock forward by `ms`, running the timers that fall due, in time order. */
  advance(ms: number): void;
}

/**
 * A {@link VirtualClock} reading `start` (epoch ms) until it is advanced. A test that must see a
 * state that lasts seconds (STARTING, STOPPING …) holds it as long as it likes and then moves
 * past it. `sleep` advances the clock at once: the one caller that waits (an execution of the
 * Step Functions runner) is what moves time, so a month of Waits runs in milliseconds, and the
 * emulators' timers on the same clock fire in order on the way.
 */
export function virtualClock(start: number = Date.parse('2026-01-01T00:00:00.000Z')): VirtualClock {
  let now = start;
  // Pending timers, in the order they fall due (ties: the order they were set).
  let timers: { at: number; fn: () => void }[] = [];
  const advance = (ms: number) => {
    const until = now + Math.max(0, ms);
    for (let due = timers[0]; due && due.at <= until; due = timers[0]) {
      timers.shift();
      now = Math.max(now, due.at);
      due.fn();
    }
    now = until;
  };
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer = { at: now + Math.max(0, ms), fn };
      const index = timers.findIndex((t) => t.at > timer.at);
      timers.splice(index === -1 ? timers.length : index, 0, timer);
      return () => {
        timers = timers.filter((t) => t !== timer);
      };
    },
    advance,
    sleep: async (ms) => advance(ms),
  };
}
