/**
 * The Retry decision of one state entry, as the Amazon States Language specifies it: the first
 * retrier whose ErrorEquals matches decides; it retries while its own attempts are below
 * MaxAttempts, after IntervalSeconds × BackoffRate^attempts, capped by MaxDelaySeconds, with
 * FULL jitter drawing uniformly below that.
 *
 * aws-local-stepfunctions makes the same decision but keeps the delay to itself and sleeps it
 * in real time. The runner needs the delay to scale or virtualize it, and to count the retry
 * in `$$.State.RetryCount`, so it decides here too and hands the library the delay to sleep
 * through its `retryIntervalOverrides`, which the library reads at each retry.
 */

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'NONE' | 'FULL';
}

export interface RetryDecision {
  retrierIndex: number;
  /** The delay before the retry, jitter applied. */
  delayMs: number;
}

function matches(errorEquals: string[], errorName: string, isTask: boolean): boolean {
  return errorEquals.some(
    (e) =>
      e === errorName ||
      e === 'States.ALL' ||
      (e === 'States.TaskFailed' && isTask && errorName !== 'States.Timeout'),
  );
}

/** The retry state of one entry into a state: fresh for every entry, as on AWS. */
export class RetryState {
  private readonly attempts: number[];
  /** Retries so far in this entry: `$$.State.RetryCount`. */
  retryCount = 0;

  constructor(
    private readonly retriers: Retrier[],
    private readonly isTask: boolean,
    private readonly random: () => number,
  ) {
    this.attempts = retriers.map(() => 0);
  }

  /** Whether an error of this name is retried, and after how long; counts the attempt. */
  decide(errorName: string): RetryDecision | undefined {
    for (const [index, retrier] of this.retriers.entries()) {
      if (!matches(retrier.ErrorEquals, errorName, this.isTask)) continue;
      const done = this.attempts[index] ?? 0;
      if (done >= (retrier.MaxAttempts ?? 3)) return undefined;
      let seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
      if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
      if (retrier.JitterStrategy === 'FULL') seconds *= this.random();
      this.attempts[index] = done + 1;
      this.retryCount += 1;
      return { retrierIndex: index, delayMs: seconds * 1000 };
    }
    return undefined;
  }
}
