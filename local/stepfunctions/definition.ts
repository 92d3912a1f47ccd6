/**
 * Turns a definition into what aws-local-stepfunctions runs, working around what the library
 * cannot express, and lists the states for accounting. The original definition is validated
 * with asl-validator first; the runnable copy is not re-validated (it uses a local resource).
 */
import aslValidator from 'asl-validator';
import type { Retrier } from './retry';

export interface StateInfo {
  name: string;
  type: string;
  resource?: string;
  retry: Retrier[];
}

export interface PreparedDefinition {
  /** The copy the library runs. */
  runnable: Record<string, unknown>;
  /** Every state of the original definition by name, nested ones included. */
  states: Map<string, StateInfo>;
  /** Names of Wait states, which the runnable copy turns into Tasks (see waitAsTask). */
  waits: Set<string>;
}

/** The Resource of the Tasks that stand in for Wait states. */
const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local-runner:wait';

/**
 * The context path that replaces `$$.Execution.StartTime`: the library overwrites
 * Execution.StartTime with the wall clock at the start of every run, so the runner passes
 * the clock's start time under this name and rewrites references to it.
 */
export const LOCAL_START_TIME_KEY = 'LocalStartTime';

/** Task states run with a real timeout (setTimeout caps at 2^31-1 ms); ample for any Wait. */
const WAIT_TASK_TIMEOUT_SECONDS = 2_147_483;

/** Validates a definition and prepares it to run; prepare once to run it many times. */
export function prepareDefinition(definition: string | object): PreparedDefinition {
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
  const original = JSON.parse(text) as Record<string, unknown>;
  const { isValid, errorsText } = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
  if (!isValid) throw new Error(`invalid state machine definition:\n${errorsText('\n')}`);

  const runnable = JSON.parse(
    text.replace(/\$\$\.Execution\.StartTime\b/g, `$$$$.Execution.${LOCAL_START_TIME_KEY}`),
  ) as Record<string, unknown>;
  const states = new Map<string, StateInfo>();
  const waits = new Set<string>();
  collect(original, states);
  rewriteWaits(runnable, waits);
  return { runnable, states, waits };
}

type StatesMap = Record<string, Record<string, unknown>>;

function nestedMachines(state: Record<string, unknown>): Record<string, unknown>[] {
  const branches = (state.Branches as Record<string, unknown>[] | undefined) ?? [];
  const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
  return processor ? [...branches, processor] : branches;
}

function collect(machine: Record<string, unknown>, into: Map<string, StateInfo>): void {
  for (const [name, state] of Object.entries(machine.States as StatesMap)) {
    into.set(name, {
      name,
      type: String(state.Type),
      ...(typeof state.Resource === 'string' && { resource: state.Resource }),
      retry: (state.Retry as Retrier[] | undefined) ?? [],
    });
    for (const nested of nestedMachines(state)) collect(nested, into);
  }
}

function rewriteWaits(machine: Record<string, unknown>, waits: Set<string>): void {
  const states = machine.States as StatesMap;
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Wait') {
      states[name] = waitAsTask(state);
      waits.add(name);
    }
    for (const nested of nestedMachines(state)) rewriteWaits(nested, waits);
  }
}

/**
 * A Wait as a Task the runner handles: the library's Wait sleeps in real time and can only be
 * overridden with a fixed duration, not scaled, and not at all for SecondsPath or
 * TimestampPath. The Task lets the library evaluate the path, then hands the runner the
 * duration and the unchanged input, and keeps the Wait's InputPath, OutputPath and transition.
 */
function waitAsTask(wait: Record<string, unknown>): Record<string, unknown> {
  const { Type: _type, Seconds, SecondsPath, Timestamp, TimestampPath, ...rest } = wait;
  const duration =
    Seconds !== undefined
      ? { seconds: Seconds }
      : SecondsPath !== undefined
        ? { 'seconds.$': SecondsPath }
        : Timestamp !== undefined
          ? { timestamp: Timestamp }
          : { 'timestamp.$': TimestampPath };
  return {
    ...rest,
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: { ...duration, 'input.$': '$' },
    TimeoutSeconds: WAIT_TASK_TIMEOUT_SECONDS,
  };
}
