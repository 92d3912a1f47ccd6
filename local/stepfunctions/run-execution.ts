/**
 * Runs one execution of an ASL definition locally with aws-local-stepfunctions 3: every Task
 * calls the real AWS SDK clients (or an in-process Lambda) through ./resources, time goes
 * through a Clock, and the result comes with the accounting the benchmark needs.
 *
 * What the library cannot do and how the runner gets around it, each explained where it is
 * done: Promise.withResolvers on Node 20 (./polyfill); scaled or virtual Waits (./definition,
 * waitAsTask); scaled or virtual retry delays with observable jitter (./retry);
 * `$$.Execution.StartTime` from the clock (./definition); `$$.State.RetryCount` (kept in a
 * context object the library shares by reference, updated before each retry).
 *
 * Not emulated: JSONata, `Assign` and variables, callbacks (.waitForTaskToken), `.sync`
 * integrations, `$$.State.Name` and `$$.State.EnteredTime`, Tasks running concurrently in
 * Map or Parallel branches (the retry bookkeeping assumes one Task at a time), and the clock for
 * a Task's or an execution's TimeoutSeconds (real time, and a timed-out Task's retry is not
 * delayed).
 */
import './polyfill';
import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { stateMachineArnOf } from '../../src/execution-arn';
import { ExecutionAccounting, type LibraryEvent } from './accounting';
import { type Clock, sleepOn, systemClock } from './clock';
import {
  LOCAL_START_TIME_KEY,
  type PreparedDefinition,
  prepareDefinition,
  type StateInfo,
} from './definition';
import { type AwsClients, type LocalLambda, type ResourceEnv, resourceHandler } from './resources';
import { RetryState } from './retry';
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
  /** Called for each state entered, with the clock's time. */
  onStateEntered?: (state: string, at: Date, input: unknown) => void;
  /** Ends the execution early (StopExecution): the report says FAILED with `States.Aborted`. */
  signal?: AbortSignal;
  /**
   * Resumes at a state with the input it had, instead of at StartAt: how the local stack
   * picks an execution up again after a restart (the runner cannot serialize one mid-flight).
   */
  resumeAt?: { state: string; input: unknown };
  /**
   * History events after which the execution fails, as a Standard execution does at 25,000
   * (the default). The error is named `States.Runtime` here; set Infinity to only count.
   */
  historyLimit?: number;
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
  const startTime = options.context.startTime ?? clock.now();
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
  let open: { state: string; retry: RetryState; awaitingRetry: boolean } | undefined;

  const taskHandler = (info: StateInfo) => {
    const resource = info.resource ?? '';
    const call = resourceHandler(resource);
    return async (input: unknown): Promise<unknown> => {
      const entry =
        open?.state === info.name && open.awaitingRetry
          ? open
          : { state: info.name, retry: new RetryState(info.retry, true, random), awaitingRetry: false };
      open = entry;
      entry.awaitingRetry = false;
      // Errors the library raises itself (a Task timeout) are retried without delay.
      retryIntervalOverrides[info.name] = 0;
      const at = clock.now();
      const close = () => {
        if (open === entry) open = undefined;
        stateContext.RetryCount = 0;
      };
      try {
        const result = await call(input, env);
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
          // Read by the library right after this throw: the real time to sleep.
          retryIntervalOverrides[info.name] = clock.elapse(decision.delayMs);
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
    const ms = seconds !== undefined ? seconds * 1000 : Date.parse(String(timestamp)) - clock.now().getTime();
    await sleepOn(clock, ms);
    return data;
  };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const info of prepared.states.values()) {
    if (prepared.waits.has(info.name)) handlers[info.name] = waitHandler;
    else if (info.type === 'Task') handlers[info.name] = taskHandler(info);
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
  const consumer = (async () => {
    for await (const event of eventLogs) {
      accounting.onEvent(event as LibraryEvent);
      if (event.type === 'StateEntered')
        options.onStateEntered?.(event.state.name, clock.now(), event.state.input);
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
      error: overLimit ? historyLimitError(historyLimit) : executionError(error),
    };
  }
  await consumer;
  const { billedTransitions, historyEvents, historyByType, path } = accounting.result();
  return {
    ...outcome,
    executionArn,
    startTime,
    stopTime: clock.now(),
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
