/**
 * SageMaker fault injection: the shared request faults, plus jobs whose outcome a test decides
 * (complete, fail with a reason, end STOPPED, or run until stopped), with their own phase
 * lengths.
 */
import type { CreateOptimizationJobRequest } from '@aws-sdk/client-sagemaker';
import { RequestFaults } from '../protocol/request-faults';
import type { JobDurations } from './lifecycle';

export { type ActiveFault, FAULT_ERRORS, type FaultError, type FaultSpec } from '../protocol/request-faults';

/**
 * Which jobs an outcome override applies to: a predicate on the CreateOptimizationJob request,
 * or (JSON-friendly, for an admin endpoint) a job name or part of one.
 */
export type OutcomeMatch =
  | ((request: CreateOptimizationJobRequest) => boolean)
  | { name?: string; nameContains?: string };

/**
 * Decides the outcome of matching jobs created from now on: `complete` ends the job COMPLETED
 * (writing no output); `fail` ends it FAILED with `reason` when it would have completed; `stop`
 * ends it STOPPED then, as if stopped outside the pipeline; `hang` keeps it INPROGRESS until it
 * is stopped (it ignores MaxRuntimeInSeconds, so that callers' own timeouts can be tested). In
 * every case the job does not read its model. `times` limits how many jobs it applies to
 * (default: all).
 */
export interface OutcomeOverride {
  match: OutcomeMatch;
  outcome: 'complete' | 'fail' | 'stop' | 'hang';
  reason?: string;
  times?: number;
  /** The job's phase lengths in simulated seconds, over the emulator's. */
  durations?: Partial<JobDurations>;
  /**
   * The race at the end of a job: it completes just as StopOptimizationJob arrives, so the stop
   * is refused (ValidationException) and the job is COMPLETED.
   */
  completesOnStop?: boolean;
}

/** An outcome override as {@link FaultController.listOutcomes} reports it. */
export interface ActiveOutcomeOverride extends OutcomeOverride {
  id: string;
}

/** The outcome a job was given at creation; stored with the job, so it survives a restart. */
export type ResolvedOutcome = (
  | { outcome: 'fail'; reason: string }
  | { outcome: 'complete' | 'stop' | 'hang' }
) & { durations?: Partial<JobDurations>; completesOnStop?: boolean };

/** The FailureReason of an injected failure that names none. */
export const DEFAULT_INJECTED_FAILURE_REASON =
  'ClientError: Injected failure (local emulator fault injection)';

const matches = (match: OutcomeMatch, request: CreateOptimizationJobRequest): boolean => {
  if (typeof match === 'function') return match(request);
  const name = request.OptimizationJobName ?? '';
  return (
    (match.name === undefined || match.name === name) &&
    (match.nameContains === undefined || name.includes(match.nameContains))
  );
};

/** The fault-injection API of the SageMaker emulator. */
export class FaultController extends RequestFaults {
  private readonly outcomes: ActiveOutcomeOverride[] = [];

  /** Adds an outcome override; returns its id. The first matching override wins. */
  overrideOutcome(override: OutcomeOverride): string {
    const id = `outcome-${this.nextId++}`;
    this.outcomes.push({ ...override, id });
    return id;
  }

  /** Removes a fault or outcome override by id; returns whether there was one. */
  override remove(id: string): boolean {
    if (super.remove(id)) return true;
    const index = this.outcomes.findIndex((item) => item.id === id);
    if (index < 0) return false;
    this.outcomes.splice(index, 1);
    return true;
  }

  /** Removes every fault and outcome override. */
  override clear(): void {
    super.clear();
    this.outcomes.length = 0;
  }

  /** The outcome overrides in force. */
  listOutcomes(): ActiveOutcomeOverride[] {
    return this.outcomes.map((override) => ({ ...override }));
  }

  /** The outcome for a job being created from `request`, if an override matches it. */
  resolveOutcome(request: CreateOptimizationJobRequest): ResolvedOutcome | undefined {
    const override = this.outcomes.find((candidate) => matches(candidate.match, request));
    if (!override) return undefined;
    if (override.times !== undefined) {
      override.times -= 1;
      if (override.times <= 0) this.remove(override.id);
    }
    const extras = {
      ...(override.durations && { durations: override.durations }),
      ...(override.completesOnStop && { completesOnStop: true }),
    };
    return override.outcome === 'fail'
      ? { outcome: 'fail', reason: override.reason ?? DEFAULT_INJECTED_FAILURE_REASON, ...extras }
      : { outcome: override.outcome, ...extras };
  }
}
