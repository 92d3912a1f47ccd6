/**
 * Fault injection: requests that fail the way AWS sometimes does (throttling, 5xx), and jobs
 * whose outcome a test decides (fail with a reason, or run until stopped).
 */
import type { CreateOptimizationJobRequest } from '@aws-sdk/client-sagemaker';
import { AwsServiceError } from '../aws-error';

/** The injectable request errors, with their HTTP status and the message AWS sends. */
export const FAULT_ERRORS = {
  ThrottlingException: { statusCode: 400, message: 'Rate exceeded' },
  InternalFailure: { statusCode: 500, message: 'We encountered an internal error. Please try again.' },
  ServiceUnavailable: { statusCode: 503, message: 'Service Unavailable' },
} as const;

/** The name of an injectable request error. */
export type FaultError = keyof typeof FAULT_ERRORS;

/**
 * A request fault: `error` is returned either with probability `rate` (0..1) on each matching
 * call, or on each of the next `count` matching calls (then the fault is gone). Give exactly one
 * of the two. `operations` (e.g. `['DescribeOptimizationJob']`) restricts it; default: all.
 */
export interface FaultSpec {
  error: FaultError;
  rate?: number;
  count?: number;
  operations?: string[];
}

/** An injected fault as {@link FaultController.list} reports it. */
export interface ActiveFault extends FaultSpec {
  id: string;
}

/**
 * Which jobs an outcome override applies to: a predicate on the CreateOptimizationJob request,
 * or (JSON-friendly, for an admin endpoint) a job name or part of one.
 */
export type OutcomeMatch =
  | ((request: CreateOptimizationJobRequest) => boolean)
  | { name?: string; nameContains?: string };

/**
 * Decides the outcome of matching jobs created from now on: `fail` ends the job FAILED with
 * `reason` when it would have completed; `hang` keeps it INPROGRESS until it is stopped (it
 * ignores MaxRuntimeInSeconds, so that callers' own timeouts can be tested). Either way the
 * job does not read its model. `times` limits how many jobs it applies to (default: all).
 */
export interface OutcomeOverride {
  match: OutcomeMatch;
  outcome: 'fail' | 'hang';
  reason?: string;
  times?: number;
}

/** An outcome override as {@link FaultController.listOutcomes} reports it. */
export interface ActiveOutcomeOverride extends OutcomeOverride {
  id: string;
}

/** The outcome a job was given at creation; stored with the job, so it survives a restart. */
export type ResolvedOutcome = { outcome: 'fail'; reason: string } | { outcome: 'hang' };

/** The FailureReason of an injected failure that names none. */
export const DEFAULT_INJECTED_FAILURE_REASON =
  'ClientError: Injected failure (local emulator fault injection)';

function checkSpec(spec: FaultSpec): void {
  if (!(spec.error in FAULT_ERRORS)) {
    throw new RangeError(`unknown fault error ${spec.error}; one of ${Object.keys(FAULT_ERRORS).join(', ')}`);
  }
  if ((spec.rate === undefined) === (spec.count === undefined)) {
    throw new RangeError('a fault needs exactly one of rate or count');
  }
  if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) {
    throw new RangeError(`fault rate must be within 0..1, got ${spec.rate}`);
  }
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count >= 1)) {
    throw new RangeError(`fault count must be a positive integer, got ${spec.count}`);
  }
}

const matches = (match: OutcomeMatch, request: CreateOptimizationJobRequest): boolean => {
  if (typeof match === 'function') return match(request);
  const name = request.OptimizationJobName ?? '';
  return (
    (match.name === undefined || match.name === name) &&
    (match.nameContains === undefined || name.includes(match.nameContains))
  );
};

/** The fault-injection API of an emulator. */
export class FaultController {
  private readonly faults: ActiveFault[] = [];
  private readonly outcomes: ActiveOutcomeOverride[] = [];
  private nextId = 1;

  /** `random` returns numbers in [0, 1), like `Math.random`; inject one for deterministic tests. */
  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a request fault; returns its id. Throws `RangeError` for an invalid spec. */
  inject(spec: FaultSpec): string {
    checkSpec(spec);
    const id = `fault-${this.nextId++}`;
    this.faults.push({ ...spec, operations: spec.operations && [...spec.operations], id });
    return id;
  }

  /** Adds an outcome override; returns its id. The first matching override wins. */
  overrideOutcome(override: OutcomeOverride): string {
    const id = `outcome-${this.nextId++}`;
    this.outcomes.push({ ...override, id });
    return id;
  }

  /** Removes a fault or outcome override by id; returns whether there was one. */
  remove(id: string): boolean {
    for (const list of [this.faults, this.outcomes] as { id: string }[][]) {
      const index = list.findIndex((item) => item.id === id);
      if (index >= 0) {
        list.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  /** Removes every fault and outcome override. */
  clear(): void {
    this.faults.length = 0;
    this.outcomes.length = 0;
  }

  /** The request faults in force (a `count` fault shows how many calls it still fails). */
  list(): ActiveFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The outcome overrides in force. */
  listOutcomes(): ActiveOutcomeOverride[] {
    return this.outcomes.map((override) => ({ ...override }));
  }

  /** Throws the injected error if a fault fires for this call of `operation`. */
  check(operation: string): void {
    for (const fault of this.faults) {
      if (fault.operations && !fault.operations.includes(operation)) continue;
      if (fault.count !== undefined) {
        fault.count -= 1;
        if (fault.count === 0) this.remove(fault.id);
      } else if (!(this.random() < (fault.rate ?? 0))) {
        continue;
      }
      const { statusCode, message } = FAULT_ERRORS[fault.error];
      throw new AwsServiceError(fault.error, message, statusCode);
    }
  }

  /** The outcome for a job being created from `request`, if an override matches it. */
  resolveOutcome(request: CreateOptimizationJobRequest): ResolvedOutcome | undefined {
    const override = this.outcomes.find((candidate) => matches(candidate.match, request));
    if (!override) return undefined;
    if (override.times !== undefined) {
      override.times -= 1;
      if (override.times <= 0) this.remove(override.id);
    }
    return override.outcome === 'hang'
      ? { outcome: 'hang' }
      : { outcome: 'fail', reason: override.reason ?? DEFAULT_INJECTED_FAILURE_REASON };
  }
}
