/**
 * When the tracker gives up on a job and stops it: past the job's own StoppingCondition plus a
 * grace period (SageMaker should have stopped it by then), or past the pipeline's maximum.
 */
import type { TrackingState } from './tracking-state';

export interface TimeoutInput {
  state: TrackingState;
  /** When the job began running (OptimizationStartTime, else CreationTime), if known. */
  runningSince: Date | undefined;
  /** When tracking began (the first execution's start). */
  trackedSince: Date;
  now: Date;
}

/** The failureReason of the Stopped event when the job has run too long, else undefined. */
export function timeoutReason({ state, runningSince, trackedSince, now }: TimeoutInput): string | undefined {
  const { maxRuntimeInSeconds } = state;
  const { timeoutGraceSeconds, maxTrackingSeconds } = state.tracking;
  const ranSeconds = secondsBetween(runningSince ?? trackedSince, now);
  if (ranSeconds > maxRuntimeInSeconds + timeoutGraceSeconds) {
    return (
      `timed out after ${formatDuration(ranSeconds)} (${ranSeconds} s) of running: past its ` +
      `MaxRuntimeInSeconds of ${maxRuntimeInSeconds} s plus ${timeoutGraceSeconds} s grace; stopped by the pipeline`
    );
  }
  const trackedSeconds = secondsBetween(trackedSince, now);
  if (trackedSeconds > maxTrackingSeconds) {
    return (
      `timed out after ${formatDuration(trackedSeconds)} (${trackedSeconds} s) of tracking: past the ` +
      `pipeline maximum of ${maxTrackingSeconds} s; stopped by the pipeline`
    );
  }
  return undefined;
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / 1000));
}

/** `1 d 2 h 3 min 4 s`, leaving out zero units; `0 s` for zero. */
export function formatDuration(totalSeconds: number): string {
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  let rest = Math.floor(totalSeconds);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count} ${unit}`);
  }
  return parts.join(' ') || '0 s';
}
