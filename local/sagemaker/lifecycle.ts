/**
 * When a job moves on. A job's next transition follows from its timestamps alone, so its status
 * can be brought up to date whenever it is read, also after a restart.
 */
import { MAX_RUNTIME_DEFAULT_SECONDS } from '../../src/sagemaker-api/limits';
import type { JobRecord } from './job-record';

/** How long each phase takes, in simulated seconds. */
export interface JobDurations {
  /** STARTING → INPROGRESS. */
  startingSeconds: number;
  /** INPROGRESS → COMPLETED (or FAILED, for an injected failure). */
  inProgressSeconds: number;
  /** STOPPING → STOPPED. */
  stoppingSeconds: number;
}

/** Defaults in simulated seconds; a compressed clock shortens them in real time. */
export const DEFAULT_DURATIONS: JobDurations = {
  startingSeconds: 60,
  inProgressSeconds: 600,
  stoppingSeconds: 30,
};

/** The next thing that happens to a job, at simulated time `at`. */
export type Transition =
  | { kind: 'start'; at: number }
  | { kind: 'complete'; at: number }
  | { kind: 'fail'; at: number; reason: string }
  | { kind: 'timeout'; at: number; maxRuntimeSeconds: number }
  | { kind: 'stopped'; at: number };

/** The job's next transition, or `undefined` if none is due (terminal, or hanging). */
export function nextTransition(job: JobRecord, defaults: JobDurations): Transition | undefined {
  // An outcome override may give the job its own phase lengths.
  const durations = { ...defaults, ...job.outcome?.durations };
  switch (job.status) {
    case 'STARTING':
      return { kind: 'start', at: job.creationTime + durations.startingSeconds * 1000 };
    case 'INPROGRESS': {
      if (job.outcome?.outcome === 'hang') return undefined;
      const started = job.startTime ?? job.creationTime;
      const done = started + durations.inProgressSeconds * 1000;
      const maxRuntimeSeconds =
        job.request.StoppingCondition?.MaxRuntimeInSeconds ?? MAX_RUNTIME_DEFAULT_SECONDS;
      const deadline = started + maxRuntimeSeconds * 1000;
      if (deadline < done) return { kind: 'timeout', at: deadline, maxRuntimeSeconds };
      if (job.outcome?.outcome === 'fail') return { kind: 'fail', at: done, reason: job.outcome.reason };
      if (job.outcome?.outcome === 'stop') return { kind: 'stopped', at: done };
      return { kind: 'complete', at: done };
    }
    case 'STOPPING':
      return {
        kind: 'stopped',
        at: (job.stopRequestedTime ?? job.lastModifiedTime) + durations.stoppingSeconds * 1000,
      };
    default:
      return undefined;
  }
}
