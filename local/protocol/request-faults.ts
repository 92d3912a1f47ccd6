/**
 * Request fault injection shared by the local emulators: calls that fail the way AWS sometimes
 * does (throttling, 5xx), at a rate or for the next N calls, optionally per operation.
 */
import { AwsServiceError } from './aws-error';

/** The injectable request errors, with their HTTP status and the message AWS sends. */
export const FAULT_ERRORS = {
  ThrottlingException: { statusCode: 400, message: 'Rate exceeded' },
  InternalFailure: { statusCode: 500, message: 'We encountered an internal error. Please try again.' },
  ServiceUnavailable: { statusCode: 503, message: 'Service Unavailable' },
} as const;

/** The name of an injectable request error. */
export type FaultError = keyof typeof FAULT_ERRORS;

/** An error name AWS could send (`__type`): letters, digits and dots. */
const ERROR_NAME = /^[A-Za-z][A-Za-z0-9.]{0,127}$/;

/**
 * A request fault: `error` is returned either with probability `rate` (0..1) on each matching
 * call, or on each of the next `count` matching calls (then the fault is gone). Give exactly one
 * of the two. `operations` (e.g. `['DescribeOptimizationJob']`) restricts it; default: all.
 * `durationSeconds` (simulated, from injection) ends the fault early, e.g. `rate: 1` for a
 * stretch of throttling.
 *
 * Any other error a service may answer (ResourceNotFound, ValidationException …) is injected by
 * naming it with its `statusCode` (and, optionally, `message`). `match`, for in-process callers
 * only, narrows the fault to requests whose decoded input it accepts.
 */
export interface FaultSpec {
  error: FaultError | (string & {});
  /** The HTTP status; required for an error not in {@link FAULT_ERRORS}. */
  statusCode?: number;
  message?: string;
  rate?: number;
  count?: number;
  operations?: string[];
  durationSeconds?: number;
  match?: (input: unknown) => boolean;
}

/** An injected fault as {@link RequestFaults.list} reports it. */
export interface ActiveFault extends FaultSpec {
  id: string;
  /** Simulated epoch ms after which the fault is gone (with `durationSeconds`). */
  until?: number;
}

/** Where faults take their randomness and (for `durationSeconds`) their time. */
export interface FaultSources {
  /** Numbers in [0, 1), like `Math.random` (the default); inject one for deterministic tests. */
  random?: () => number;
  /** Simulated epoch ms; the emulator's clock. Default `Date.now`. */
  now?: () => number;
}

export function checkSpec(
  spec: Omit<FaultSpec, 'error'> & { error?: string },
  errors: readonly string[] = Object.keys(FAULT_ERRORS),
): void {
  if (spec.statusCode !== undefined) {
    if (!(Number.isInteger(spec.statusCode) && spec.statusCode >= 400 && spec.statusCode <= 599)) {
      throw new RangeError(`fault statusCode must be an HTTP error status, got ${spec.statusCode}`);
    }
    if (spec.error !== undefined && !ERROR_NAME.test(spec.error)) {
      throw new RangeError(`fault error must be an error name, got ${spec.error}`);
    }
  } else if (spec.error !== undefined && !errors.includes(spec.error)) {
    throw new RangeError(
      `unknown fault error ${spec.error}; one of ${errors.join(', ')}, or give its statusCode`,
    );
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
  if (spec.durationSeconds !== undefined && !(spec.durationSeconds > 0)) {
    throw new RangeError(`fault durationSeconds must be positive, got ${spec.durationSeconds}`);
  }
}

/** The request-fault API of an emulator. */
export class RequestFaults {
  protected readonly faults: ActiveFault[] = [];
  protected nextId = 1;
  protected readonly random: () => number;
  protected readonly now: () => number;

  constructor(sources: FaultSources = {}) {
    this.random = sources.random ?? Math.random;
    this.now = sources.now ?? Date.now;
  }

  /** Adds a request fault; returns its id. Throws `RangeError` for an invalid spec. */
  inject(spec: FaultSpec): string {
    checkSpec(spec);
    const id = `fault-${this.nextId++}`;
    this.faults.push({
      ...spec,
      operations: spec.operations && [...spec.operations],
      id,
      ...(spec.durationSeconds !== undefined && { until: this.now() + spec.durationSeconds * 1000 }),
    });
    return id;
  }

  /** Removes a fault by id; returns whether there was one. */
  remove(id: string): boolean {
    const index = this.faults.findIndex((item) => item.id === id);
    if (index < 0) return false;
    this.faults.splice(index, 1);
    return true;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults.length = 0;
  }

  /** The request faults in force (a `count` fault shows how many calls it still fails). */
  list(): ActiveFault[] {
    this.expire();
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Throws the injected error if a fault fires for this call of `operation` on `input`. */
  check(operation: string, input?: unknown): void {
    this.expire();
    for (const fault of this.faults) {
      if (fault.match && !fault.match(input)) continue;
      if (!fires(fault, operation, this.random)) continue;
      if (fault.count === 0) this.remove(fault.id);
      const known = FAULT_ERRORS[fault.error as FaultError] as (typeof FAULT_ERRORS)[FaultError] | undefined;
      throw new AwsServiceError(
        fault.error,
        fault.message ?? known?.message ?? fault.error,
        fault.statusCode ?? known?.statusCode ?? 400,
      );
    }
  }

  private expire(): void {
    const now = this.now();
    for (const fault of this.faults.filter((f) => f.until !== undefined && f.until <= now)) {
      this.remove(fault.id);
    }
  }
}

/**
 * A counted fault that is not an error of the call: `code` and `message` say how the item
 * fails (default: the caller's), `match` (in-process callers only) which items it applies to.
 */
export interface CountedFaultSpec {
  rate?: number;
  count?: number;
  code?: string;
  message?: string;
  match?: (item: unknown) => boolean;
}

/**
 * A fault that is not an error of the call, e.g. EventBridge entries reported as failed inside
 * a successful PutEvents: `take(item)` returns the spec when it fires for this item.
 */
export class CountedFault {
  private spec?: CountedFaultSpec;

  constructor(private readonly random: () => number = Math.random) {}

  set(spec: CountedFaultSpec | undefined): void {
    if (spec) checkSpec(spec, []);
    this.spec = spec && { ...spec };
  }

  get(): CountedFaultSpec | undefined {
    return this.spec && { ...this.spec };
  }

  take(item?: unknown): CountedFaultSpec | undefined {
    const spec = this.spec;
    if (!spec || (spec.match && !spec.match(item)) || !fires(spec, undefined, this.random)) return undefined;
    if (spec.count === 0) this.spec = undefined;
    return spec;
  }
}

/** Whether a fault fires now; a `count` fault is used up by firing. */
function fires(
  fault: { rate?: number; count?: number; operations?: string[] },
  operation: string | undefined,
  random: () => number,
): boolean {
  if (operation !== undefined && fault.operations && !fault.operations.includes(operation)) return false;
  if (fault.count !== undefined) {
    fault.count -= 1;
    return true;
  }
  return random() < (fault.rate ?? 0);
}
