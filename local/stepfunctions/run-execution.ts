/**
 * Runs one execution of an ASL definition locally with aws-local-stepfunctions 3: every Task
 * calls the real AWS SDK clients (or an in-process Lambda) through ./resources, time goes
 * through a Clock, and the result comes with the accounting the benchmark needs.
 *
 * What the library cannot do and how the runner gets around it, each explained where it is
 * done: scaled or virtual Waits (./definition, waitAsTask); scaled or virtual retry delays with
 * observable jitter (./retry); `$$.Execution.StartTime` from the clock (./definition);
 * `$$.State.RetryCount` (kept in a context object the library shares by reference, updated
 * before each retry).
 *
 * Crash recovery: every state entry is numbered and reported (`onStateEntered`) before its
 * Task runs, each Task call runs under a replay key `<executionArn>#<entry>` (../replay-key),
 * and a call's success is reported (`onTaskSucceeded`) before the execution moves on. A resume
 * at an entry whose call had succeeded re-uses the recorded result; one whose call was under way
 * calls again with the same replay key, so a service that records it does not act twice.
 *
 * Not emulated: JSONata, `Assign` and variables, callbacks (.waitForTaskToken), `.sync`
 * integrations, `$$.State.Name` and `$$.State.EnteredTime`, Tasks running concurrently in
 * Map or Parallel branches (the retry and entry bookkeeping assume one Task at a time, and
 * no state whose Next is itself), and the clock for a Task's or an execution's TimeoutSeconds
 * (real time, and a timed-out Task's retry is not delayed).
 */
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { stateMachineArnOf } from '../../src/execution-arn';
import { taskReplayKey } from '../protocol/replay-key';
import { type Clock, systemClock } from '../time/clock';
import { ExecutionAccounting, type LibraryEvent } from './accounting';
import {
  LOCAL_START_TIME_KEY,
  type PreparedDefinition,
  prepareDefinition,
  type StateInfo,
} from './definition';
import { type AwsClients, type LocalLambda, type ResourceEnv, resourceHandler } from './resources';
import { RetryState } from './retry';
import type { StateEvent } from './state-history';
import { TaskFailure } from './task-error';

export interface ExecutionContextInput {
  /** `$$.Execution.Id`; its last segment is the execution name. */
  executionArn: string;
  /** `$$.StateMachine.Id`; derived from the execution ARN when left out. */
  stateMachineArn?: string;
  /** `$$.Execution.StartTime`; the clock's time at the start when left out. */
  startTime?: Date;
  roleArn?: string;
}

export interface RunExecutionOptions {
  /** ASL text or object, or a definition prepared once for many runs. */
  definition: string | object | PreparedDefinition;
  input: unknown;
  context: ExecutionContextInput;
  clients?: AwsClients;
  /** In-process Lambda functions by name, for Lambda ARNs and `lambda:invoke`. */
  lambdas?: Record<string, LocalLambda>;
  /** Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1): FULL jitter draws from it. Default Math.random. */
  random?: () => number;
  /**
   * Called for each state entered, with the clock's time and the entry's number in the
   * execution (1 for the first state, counting on from a resumed entry's). A Task state is not
   * run before this returns: record here what a resume needs.
   */
  onStateEntered?: (state: string, at: Date, input: unknown, entry: number) => void;
  /**
   * Called when a Task call succeeded, with its result, before the execution moves on: record
   * it, and a resume at this entry re-uses it instead of calling again.
   */
  onTaskSucceeded?: (state: string, entry: number, result: unknown) => void;
  /** Called for each state event of the library's log (entered, exited, failed, retried, caught). */
  onStateEvent?: (event: StateEvent, at: Date) => void;
  /** Ends the execution early (StopExecution): the report says FAILED with `States.Aborted`. */
  signal?: AbortSignal;
  /**
   * Resumes at a state with the input it had, instead of at StartAt: how the local stack
   * picks an execution up again after a restart (the runner cannot serialize one mid-flight).
   */
  resumeAt?: ResumePoint;
  /**
   * History events after which the execution fails, as a Standard execution does at 25,000
   * (the default). The error is named `States.Runtime` here; set Infinity to only count.
   */
  historyLimit?: number;
}

/** Where a resumed execution starts again: what `onStateEntered` and `onTaskSucceeded` recorded. */
export interface ResumePoint {
  state: string;
  input: unknown;
  /** The entry's number; its Task calls carry the same replay key as before the restart. */
  entry?: number;
  /** The result of the entry's Task, when its call had succeeded: the Task is not called again. */
  completed?: { result: unknown };
}

/** The execution history quota of a Standard workflow. */
export const HISTORY_EVENT_LIMIT = 25_000;

/** One Task attempt (Wait states excluded). */
export interface TaskAttempt {
  state: string;
  resource: string;
  /** Clock time when the attempt began. */
  at: Date;
  /** The Step Functions error name, when the attempt failed. */
  error?: string;
  /** The delay before the retry that followed, jitter applied, when there was one. */
  retryDelayMs?: number;
}

export interface ExecutionReport {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: { Error: string; Cause: string };
  executionArn: string;
  startTime: Date;
  stopTime: Date;
  /** State names in the order they were entered. */
  path: string[];
  attempts: TaskAttempt[];
  /** State entries plus retries: what AWS bills for a Standard workflow. */
  billedTransitions: number;
  /** The history events AWS would record (see ./accounting for the counting). */
  historyEvents: number;
  historyByType: Record<string, number>;
}

function isPrepared(definition: RunExecutionOptions['definition']): definition is PreparedDefinition {
  return typeof definition === 'object' && 'runnable' in definition && 'states' in definition;
}

/** Runs the execution to its end. Resolves with the report whether it succeeded or failed. */
export async function runExecution(options: RunExecutionOptions): Promise<ExecutionReport> {
  const prepared = isPrepared(options.definition)
    ? options.definition
    : prepareDefinition(options.definition);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const { executionArn } = options.context;
  const stateMachineArn = options.context.stateMachineArn ?? stateMachineArnOf(executionArn);
  const now = () => new Date(clock.now());
  const startTime = options.context.startTime ?? now();
  const env: ResourceEnv = {
    clients: options.clients ?? {},
    lambdas: options.lambdas ?? {},
    executionArn,
    stateMachineArn,
  };

  // Shared by reference with the library's context object: see RetryCount below.
  const stateContext = { RetryCount: 0 };
  const retryIntervalOverrides: Record<string, number> = {};
  const attempts: TaskAttempt[] = [];
  let open:
    | {
        state: string;
        retry: RetryState;
        awaitingRetry: boolean;
        number: number;
        /** The clock's wait before the retry: the library sleeps none, the retry awaits this. */
        retryDelay?: Promise<void>;
      }
    | undefined;

  const entries = new EntryTracker(options.resumeAt?.entry ?? 1);
  let replayed = options.resumeAt?.completed;

  const taskHandler = (info: StateInfo) => {
    const resource = info.resource ?? '';
    const call = resourceHandler(resource);
    return async (input: unknown): Promise<unknown> => {
      const retrying = open?.state === info.name && open.awaitingRetry ? open : undefined;
      // A retry after a Task timeout (raised by the library, not through this handler) is
      // still the same entry when no state has been entered since.
      const sameEntry = open?.state === info.name && entries.isLatest(info.name, open.number);
      const entry = retrying ?? {
        state: info.name,
        retry: new RetryState(info.retry, true, random),
        awaitingRetry: false,
        number: sameEntry && open ? open.number : await entries.taskEntered(info.name),
      };
      open = entry;
      entry.awaitingRetry = false;
      const delay = entry.retryDelay;
      entry.retryDelay = undefined;
      await delay;
      if (replayed && entry.number === options.resumeAt?.entry && info.name === options.resumeAt.state) {
        // Killed after this call succeeded and before the execution moved on: as on AWS, a
        // state that finished is not run again.
        const { result } = replayed;
        replayed = undefined;
        attempts.push({ state: info.name, resource, at: now() });
        open = undefined;
        return result;
      }
      const at = now();
      const close = () => {
        if (open === entry) open = undefined;
        stateContext.RetryCount = 0;
      };
      try {
        const result = await taskReplayKey.run(`${executionArn}#${entry.number}`, () => call(input, env));
        options.onTaskSucceeded?.(info.name, entry.number, result);
        attempts.push({ state: info.name, resource, at });
        close();
        return result;
      } catch (error) {
        const failure =
          error instanceof TaskFailure
            ? error
            : new TaskFailure('States.TaskFailed', error instanceof Error ? error.message : String(error));
        const decision = entry.retry.decide(failure.name);
        attempts.push({
          state: info.name,
          resource,
          at,
          error: failure.name,
          ...(decision && { retryDelayMs: decision.delayMs }),
        });
        if (decision) {
          entry.awaitingRetry = true;
          // Read by the library when it evaluates the retry's Parameters.
          stateContext.RetryCount = entry.retry.retryCount;
          // The library sleeps no real time (the override is 0): the delay runs on the clock, started
          // now (a virtual clock moves at once) and awaited by the retry.
          entry.retryDelay = clock.sleep(decision.delayMs);
        } else {
          close();
        }
        throw failure;
      }
    };
  };

  const waitHandler = async (input: unknown): Promise<unknown> => {
    const {
      seconds,
      timestamp,
      input: data,
    } = input as { seconds?: number; timestamp?: string; input: unknown };
    const ms = seconds !== undefined ? seconds * 1000 : Date.parse(String(timestamp)) - clock.now();
    await clock.sleep(ms);
    return data;
  };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const info of prepared.states.values()) {
    if (prepared.waits.has(info.name)) handlers[info.name] = waitHandler;
    else if (info.type === 'Task') handlers[info.name] = taskHandler(info);
    // The library never sleeps before a retry: a Task's retry awaits its delay on the clock, and
    // errors the library raises itself (a Task timeout) are retried without delay.
    if (info.type === 'Task') retryIntervalOverrides[info.name] = 0;
  }

  const runnable = options.resumeAt
    ? { ...prepared.runnable, StartAt: options.resumeAt.state }
    : prepared.runnable;
  const machine = new StateMachine(runnable as never, { validationOptions: { noValidate: true } });
  const runOptions: RunOptions = {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides,
    },
    context: {
      Execution: {
        Id: executionArn,
        Name: executionArn.split(':').pop() ?? executionArn,
        [LOCAL_START_TIME_KEY]: startTime.toISOString(),
        ...(options.context.roleArn && { RoleArn: options.context.roleArn }),
      },
      StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').pop() ?? stateMachineArn },
      State: stateContext,
    },
  };

  const accounting = new ExecutionAccounting(prepared.states);
  const historyLimit = options.historyLimit ?? HISTORY_EVENT_LIMIT;
  let overLimit = false;
  const { result, eventLogs, abort } = machine.run(
    (options.resumeAt ? options.resumeAt.input : options.input) as never,
    runOptions,
  );
  options.signal?.addEventListener('abort', () => abort(), { once: true });
  if (options.signal?.aborted) abort();
  let recordError: Error | undefined;
  const consumer = (async () => {
    for await (const event of eventLogs) {
      accounting.onEvent(event as LibraryEvent);
      if ('state' in event) options.onStateEvent?.(event as StateEvent, now());
      if (event.type === 'StateEntered' && !recordError) {
        const entry = entries.entered(event.state.name);
        try {
          options.onStateEntered?.(event.state.name, now(), event.state.input, entry);
        } catch (error) {
          // Without its record a state's effect could not be resumed safely: end the execution.
          recordError = error instanceof Error ? error : new Error(String(error));
          entries.fail(recordError);
          abort();
        }
        entries.settle();
      }
      if (accounting.events > historyLimit && !overLimit) {
        overLimit = true;
        abort();
      }
    }
  })();

  let outcome: Pick<ExecutionReport, 'status' | 'output' | 'error'>;
  try {
    outcome = { status: 'SUCCEEDED', output: await result };
  } catch (error) {
    outcome = {
      status: 'FAILED',
      error: overLimit
        ? historyLimitError(historyLimit)
        : recordError
          ? { Error: 'States.Runtime', Cause: `could not record the state entered: ${recordError.message}` }
          : executionError(error),
    };
  }
  await consumer;
  const { billedTransitions, historyEvents, historyByType, path } = accounting.result();
  return {
    ...outcome,
    executionArn,
    startTime,
    stopTime: now(),
    path,
    attempts,
    billedTransitions,
    historyEvents,
    historyByType,
  };
}

/** The error that failed the execution: the library wraps the state's error in ExecutionError. */
function executionError(error: unknown): { Error: string; Cause: string } {
  const cause = (error as { cause?: unknown }).cause;
  const failure = cause instanceof Error ? cause : error instanceof Error ? error : new Error(String(error));
  return { Error: failure.name, Cause: failure.message };
}

function historyLimitError(limit: number): { Error: string; Cause: string } {
  return { Error: 'States.Runtime', Cause: `the execution reached the limit of ${limit} history events` };
}

/**
 * Numbers the states entered, and lets a Task call wait until its state's entry has been
 * numbered and recorded. The library reports entries through an event log that is read
 * asynchronously, and calls the Task handler without waiting for it; a Task whose effect
 * happened before its entry was recorded would be repeated by a resume.
 */
class EntryTracker {
  private last: { state: string; number: number };
  private taskEntry = 0;
  private waiting: (() => void)[] = [];
  private failure: Error | undefined;

  constructor(first: number) {
    this.last = { state: '', number: first - 1 };
  }

  /** True when `number` is the latest entry and it is into `state`. */
  isLatest(state: string, number: number): boolean {
    return this.last.state === state && this.last.number === number;
  }

  /** Called for each StateEntered event; returns the entry's number. */
  entered(state: string): number {
    this.last = { state, number: this.last.number + 1 };
    return this.last.number;
  }

  /** Called once the entry has been recorded (or not): wakes the Task waiting for it. */
  settle(): void {
    for (const wake of this.waiting.splice(0)) wake();
  }

  fail(error: Error): void {
    this.failure = error;
    this.settle();
  }

  /** Resolves with the number of the entry a Task's first attempt belongs to, once it is recorded. */
  async taskEntered(state: string): Promise<number> {
    while (!(this.last.state === state && this.last.number > this.taskEntry)) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.failure) throw this.failure;
    this.taskEntry = this.last.number;
    return this.taskEntry;
  }
}
