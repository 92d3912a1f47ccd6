/**
 * Local Step Functions (awsJson 1.0, `AWSStepFunctions.<Operation>`): executions of the state
 * machines serverless.yml declares. Running a definition is delegated to an `execute` function
 * (the ASL runner); this module owns the execution records: idempotent names, status, output,
 * stop, and persistence across restarts.
 */
import * as z from 'zod';
import { executionArnFor } from '../../src/execution-arn';
import { AwsServiceError } from '../protocol/aws-error';
import { dispatchOperation, optional, parseInput } from '../protocol/aws-json';
import { RequestFaults } from '../protocol/request-faults';
import type { Clock } from '../time/clock';
import { ExecutionStore } from './execution-store';
import type { ResumePoint } from './run-execution';
import { recordStateEvent, type StateEvent, type StateVisit } from './state-history';

export const SFN_TARGET_PREFIX = 'AWSStepFunctions';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /**
   * The last state entered, its input and entry number, and the result of its Task once that
   * succeeded: a restarted stack resumes there without repeating a finished Task.
   */
  checkpoint?: ResumePoint;
  /** The states visited, with their inputs and outputs (state-history.ts): what the console draws. */
  history?: StateVisit[];
}

export interface LocalStateMachine {
  arn: string;
  name: string;
  definition: unknown;
}

/** Runs one execution to its end; rejects with `{ name, message }` (the ASL error and cause). */
export type ExecuteDefinition = (request: {
  stateMachine: LocalStateMachine;
  execution: ExecutionRecord;
  input: unknown;
  signal: AbortSignal;
  /** Start at this state with this input (resuming after a restart) instead of StartAt. */
  resumeAt?: ResumePoint;
  /** Must record the entry before it returns: the state's Task waits for it. */
  onStateEntered: (state: string, input: unknown, entry: number) => void;
  /** Must record the result before it returns: the execution moves on after it. */
  onTaskSucceeded: (state: string, entry: number, result: unknown) => void;
  /** Each state event of the run, at the clock's time in ms; folded into the record's history. */
  onStateEvent?: (event: StateEvent, at: number) => void;
}) => Promise<unknown>;

export interface StepFunctionsOptions {
  stateMachines: LocalStateMachine[];
  clock: Clock;
  execute: ExecuteDefinition;
  /** A folder the executions persist in, one file each (execution-store.ts). */
  stateDirectory?: string;
  onChange?: (execution: ExecutionRecord) => void;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: AWS forbids control characters in names
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;

const arn = z.string().min(1).max(2048);
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
/** The request shapes, as in the Step Functions API reference (members the stack ignores left out). */
const SHAPES = {
  StartExecution: z.object({
    stateMachineArn: arn,
    name: optional(z.string().min(1).max(80)),
    input: optional(z.string().max(262_144)),
    traceHeader: optional(z.string().max(256)),
  }),
  DescribeExecution: z.object({ executionArn: arn, includedData: optional(z.string()) }),
  ListExecutions: z.object({
    stateMachineArn: optional(arn),
    statusFilter: optional(z.enum(STATUSES)),
    maxResults: optional(z.int().min(0).max(1000)),
    nextToken: optional(z.string().min(1).max(3096)),
  }),
  StopExecution: z.object({
    executionArn: arn,
    error: optional(z.string().max(256)),
    cause: optional(z.string().max(32_768)),
  }),
  ListStateMachines: z.object({
    maxResults: optional(z.int().min(0).max(1000)),
    nextToken: optional(z.string().min(1).max(1024)),
  }),
  DescribeStateMachine: z.object({ stateMachineArn: arn, includedData: optional(z.string()) }),
};

/** The Step Functions service over the declared state machines. */
export function createStepFunctionsService(options: StepFunctionsOptions) {
  const machines = new Map(options.stateMachines.map((sm) => [sm.arn, sm]));
  const executions = new Map<string, ExecutionRecord>();
  const running = new Map<string, AbortController>();
  const settled = new Map<string, Promise<void>>();
  const faults = new RequestFaults({ now: () => options.clock.now() });
  // Once closing, running executions are left RUNNING in the state file, to resume on restart.
  let closing = false;

  const store = options.stateDirectory ? new ExecutionStore(options.stateDirectory) : undefined;
  const persist = (execution: ExecutionRecord) => store?.save(execution);
  const changed = (execution: ExecutionRecord) => {
    persist(execution);
    options.onChange?.(execution);
  };

  const machine = (arn: unknown): LocalStateMachine => {
    const found = machines.get(String(arn));
    if (!found)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return found;
  };
  const execution = (arn: unknown): ExecutionRecord => {
    const found = executions.get(String(arn));
    if (!found) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return found;
  };

  const run = (record: ExecutionRecord, resumeAt?: ExecutionRecord['checkpoint']) => {
    const controller = new AbortController();
    running.set(record.executionArn, controller);
    const stateMachine = machine(record.stateMachineArn);
    const done = options
      .execute({
        stateMachine,
        execution: record,
        input: JSON.parse(record.input),
        signal: controller.signal,
        ...(resumeAt && { resumeAt }),
        onStateEvent: (event, at) => recordStateEvent(record, event, at),
        onStateEntered: (state, input, entry) => {
          if (closing) return;
          record.checkpoint = { state, input, entry };
          persist(record);
        },
        onTaskSucceeded: (state, entry, result) => {
          const checkpoint = record.checkpoint;
          if (closing || checkpoint?.state !== state || checkpoint.entry !== entry) return;
          checkpoint.completed = { result };
          persist(record);
        },
      })
      .then(
        (output) => {
          if (record.status !== 'RUNNING' || closing) return;
          record.status = 'SUCCEEDED';
          record.output = JSON.stringify(output ?? null);
        },
        (error: { name?: string; message?: string }) => {
          if (record.status !== 'RUNNING' || closing) return;
          record.status = 'FAILED';
          record.error = error?.name ?? 'States.Runtime';
          record.cause = error?.message ?? String(error);
        },
      )
      .finally(() => {
        running.delete(record.executionArn);
        if (closing) return;
        if (record.stopDate === undefined) record.stopDate = options.clock.now();
        changed(record);
      });
    settled.set(record.executionArn, done);
  };

  const operations: Record<string, (input: unknown) => unknown> = {
    StartExecution: (body) => {
      const input = parseInput(SHAPES.StartExecution, body);
      const sm = machine(input.stateMachineArn);
      const name = input.name ?? crypto.randomUUID();
      if (!NAME_PATTERN.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
      const text = input.input ?? '{}';
      try {
        // Written out again (state files, Task inputs): too deep a nesting is refused here.
        JSON.stringify(JSON.parse(text));
      } catch {
        throw new AwsServiceError(
          'InvalidExecutionInput',
          'Invalid State Machine Execution Input: not valid JSON',
        );
      }
      const executionArn = executionArnFor(sm.arn, name);
      const existing = executions.get(executionArn);
      if (existing) {
        // AWS: same name and input as a *running* execution → the original response.
        if (existing.status === 'RUNNING' && existing.input === text) {
          return { executionArn, startDate: new Date(existing.startDate) };
        }
        throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn: sm.arn,
        name,
        status: 'RUNNING',
        input: text,
        startDate: options.clock.now(),
      };
      executions.set(executionArn, record);
      changed(record);
      run(record);
      return { executionArn, startDate: new Date(record.startDate) };
    },
    DescribeExecution: (body) => {
      const e = execution(parseInput(SHAPES.DescribeExecution, body).executionArn);
      return {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: new Date(e.startDate),
        ...(e.stopDate !== undefined && { stopDate: new Date(e.stopDate) }),
        input: e.input,
        ...(e.output !== undefined && { output: e.output }),
        ...(e.error !== undefined && { error: e.error }),
        ...(e.cause !== undefined && { cause: e.cause }),
      };
    },
    ListExecutions: (body) => {
      const input = parseInput(SHAPES.ListExecutions, body);
      const sm = machine(input.stateMachineArn);
      const all = [...executions.values()]
        .filter(
          (e) => e.stateMachineArn === sm.arn && (!input.statusFilter || e.status === input.statusFilter),
        )
        .sort((a, b) => b.startDate - a.startDate);
      const start = Number(input.nextToken ?? 0);
      if (!Number.isSafeInteger(start) || start < 0)
        throw new AwsServiceError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
      const size = input.maxResults || 100;
      const page = all.slice(start, start + size);
      return {
        executions: page.map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: new Date(e.startDate),
          ...(e.stopDate !== undefined && { stopDate: new Date(e.stopDate) }),
        })),
        ...(start + size < all.length && { nextToken: String(start + size) }),
      };
    },
    StopExecution: (body) => {
      const input = parseInput(SHAPES.StopExecution, body);
      const e = execution(input.executionArn);
      if (e.status === 'RUNNING') {
        e.status = 'ABORTED';
        e.stopDate = options.clock.now();
        if (input.error !== undefined) e.error = input.error;
        if (input.cause !== undefined) e.cause = input.cause;
        running.get(e.executionArn)?.abort();
        changed(e);
      }
      return { stopDate: new Date(e.stopDate ?? options.clock.now()) };
    },
    ListStateMachines: (body) => {
      parseInput(SHAPES.ListStateMachines, body);
      return {
        stateMachines: [...machines.values()].map((sm) => ({
          stateMachineArn: sm.arn,
          name: sm.name,
          type: 'STANDARD',
          creationDate: new Date(0),
        })),
      };
    },
    DescribeStateMachine: (body) => {
      const sm = machine(parseInput(SHAPES.DescribeStateMachine, body).stateMachineArn);
      return {
        stateMachineArn: sm.arn,
        name: sm.name,
        status: 'ACTIVE',
        definition: JSON.stringify(sm.definition),
        roleArn: `arn:aws:iam::000000000000:role/${sm.name}`,
        type: 'STANDARD',
        creationDate: new Date(0),
      };
    },
  };

  /** Loads persisted executions. Those that were running are handed to `resume`. */
  const restore = (resume: (record: ExecutionRecord) => 'restart' | 'abort') => {
    for (const record of store?.load() ?? []) {
      executions.set(record.executionArn, record);
      if (record.status !== 'RUNNING') continue;
      if (resume(record) === 'restart') run(record, record.checkpoint);
      else {
        record.status = 'ABORTED';
        record.error = 'LocalStack.Restarted';
        record.cause = 'the local stack stopped while this execution ran';
        record.stopDate = options.clock.now();
        persist(record);
      }
    }
  };

  return {
    faults,
    executions: () => [...executions.values()],
    restore,
    /** Resolves when every execution started so far has settled. */
    async idle(): Promise<void> {
      while (settled.size > 0) {
        const pending = [...settled.entries()];
        await Promise.all(pending.map(([, p]) => p));
        for (const [arn] of pending) settled.delete(arn);
      }
    },
    /** Aborts the running executions (their records stay RUNNING, to resume after a restart). */
    async close(): Promise<void> {
      closing = true;
      for (const controller of running.values()) controller.abort();
      await Promise.allSettled([...settled.values()]);
    },
    /** Resolves once the execution has ended and its record is final (at once if it never ran). */
    async settled(executionArn: string): Promise<void> {
      await settled.get(executionArn);
    },
    async handle(operation: string, input: unknown): Promise<unknown> {
      faults.check(operation, input);
      return dispatchOperation(operations, operation, input);
    },
  };
}

export type StepFunctionsService = ReturnType<typeof createStepFunctionsService>;
