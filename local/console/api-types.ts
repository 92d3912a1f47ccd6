/**
 * What the console's routes answer (local/console/routes.ts) and its page reads
 * (local/console/page/). Plain JSON; times are the stack clock's epoch milliseconds.
 */
import type { StateVisit } from '../stepfunctions/state-history';

export type { StateVisit };

/** How a drop ended, or that it has not yet; `settled` for a drop with variants once all ended. */
export type Outcome = 'pending' | 'completed' | 'failed' | 'stopped' | 'rejected' | 'settled';

/** One drop and the job it started: a row of the jobs table. */
export interface JobRow {
  /** The job name, the drop key while no execution names a job, or the execution's name. */
  id: string;
  dropKey?: string;
  jobName?: string;
  sageMakerStatus?: string;
  /** Why the job failed: SageMaker's reason, else the Failed event's. */
  failureReason?: string;
  /** Why the drop was rejected: the Upload Rejected event's errors. */
  rejectionErrors?: { path: string; message: string }[];
  /** The newest tracking execution: its status and, while it runs, the state it is in. */
  tracking?: { status: string; state?: string; executions: number; polls: number };
  startedAt: number;
  /** When the terminal event was put. */
  endedAt?: number;
  lastEvent?: string;
  outcome: Outcome;
  /** A variant's job: its name and the drop's job name (the id of its group's row). */
  variant?: string;
  dropJobName?: string;
  /**
   * The row of a drop with variants (its settle execution `<drop's job name>-variants`; id: the
   * drop's job name): its variants in manifest order. Their rows follow it in the table.
   */
  group?: { variants: { name: string; jobName: string }[] };
}

/** Depth of one queue. */
export interface QueueDepth {
  name: string;
  url: string;
  visible: number;
  inFlight: number;
  total: number;
}

/** What the page shows outside the graph and the events, pushed on every change. */
export interface ConsoleSnapshot {
  /** The stack clock now, and its speed (simulated seconds per real second). */
  now: number;
  clockSpeed: number;
  jobs: JobRow[];
  queues: { upload?: QueueDepth; deadLetter?: QueueDepth };
  /** Events logged so far: the page refetches its event list when this changes. */
  eventCount: number;
}

/** The stack facts the page needs once. */
export interface ConsoleConfig {
  stage: string;
  bucket: string;
  modelsPrefix: string;
  manifestName: string;
  eventBusName: string;
  /** The subscribers' rules from serverless.yml, to try in the pattern box. */
  rules: { name: string; pattern: unknown }[];
}

/** One execution of a job's tracking, with the states it visited. */
export interface ExecutionView {
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  history: StateVisit[];
}

/** What the graph of a job is drawn from. */
export interface JobGraph {
  id: string;
  outcome: Outcome;
  /** The state machine definition as the stack runs it (the ASL file). */
  definition: AslDefinition;
  /** Oldest first: the first execution, then its continuations. */
  executions: ExecutionView[];
}

/** The parts of an ASL definition the graph reads. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

export interface AslState {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: ({ Next: string } & Record<string, unknown>)[];
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
}

/** An event as the events log holds it. */
export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: Record<string, unknown>;
  'event-bus-name'?: string;
}

/** The answer of the events route. */
export interface EventsAnswer {
  events: BusEvent[];
  /** Events matching, before the limit. */
  total: number;
}
