/**
 * A job's tracking executions: the one named after the job and its continuations (`<job>-c1`,
 * `<job>-c2`, …, docs/state-machine.md), and the terminal event the last one put, read from its
 * output (`PutTerminalEvent` outputs `{ action: "publish", detailType, detail }`).
 */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../execution-arn';

/** How a job ended, as the pipeline's terminal event says (or `Rejected`/`Unknown`). */
export type Outcome = 'Completed' | 'Failed' | 'Stopped' | 'Rejected' | 'Unknown';

/** One execution of a job's tracking chain. */
export interface TrackingExecution {
  name: string;
  executionArn: string;
  status: string;
  startDate?: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
}

/** The terminal event the tracker put on the bus. */
export interface PublishedEvent {
  detailType: string;
  outcome: Outcome;
  detail: {
    failureReason?: string;
    output?: {
      s3Uri?: string;
      recommendedInferenceImage?: string;
      sageMakerModel?: { name?: string; arn?: string };
    };
    durationSeconds?: number;
    [field: string]: unknown;
  };
}

/** A job's tracking chain and what it published. */
export interface Tracking {
  /** The chain, first execution first. Empty when tracking has not started. */
  executions: TrackingExecution[];
  /** The first execution's input (the drop: model, settings, droppedAt). */
  input?: TrackingInputView;
  /** Set once the last execution put the terminal event. */
  event?: PublishedEvent;
  /** `RUNNING`, `PUBLISHED`, `NOT_STARTED`, or the status of a chain that ended without an event. */
  state: 'NOT_STARTED' | 'RUNNING' | 'PUBLISHED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
}

/** The parts of the tracking input a job view shows (src/job/tracking-input.ts). */
export interface TrackingInputView {
  model?: {
    bucket?: string;
    key?: string;
    s3Uri?: string;
    modelId?: string;
    versionId?: string;
    eTag?: string;
  };
  droppedAt?: string;
  maxRuntimeInSeconds?: number;
  techniques?: string[];
  /** A variant's job, and a settle execution: the drop's job name. */
  dropJobName?: string;
  /** A settle execution: the drop's variants, manifest order. */
  variants?: { name: string; jobName: string; deploymentInstanceType?: string }[];
}

const OUTCOMES: Record<string, Outcome> = {
  'Model Optimization Completed': 'Completed',
  'Model Optimization Failed': 'Failed',
  'Model Optimization Stopped': 'Stopped',
  'Model Upload Rejected': 'Rejected',
};

/** The outcome a detail-type announces. */
export const outcomeOf = (detailType: string): Outcome => OUTCOMES[detailType] ?? 'Unknown';

/** A chain longer than this is a bug somewhere; 28 days of polling take six executions. */
const MAX_CHAIN = 50;

interface CheckPayload {
  action?: string;
  name?: string;
  detailType?: string;
  detail?: PublishedEvent['detail'];
}

function payloadOf(output: string | undefined): CheckPayload | undefined {
  if (!output) return undefined;
  try {
    const parsed = JSON.parse(output) as CheckPayload & { check?: { Payload?: CheckPayload } };
    return parsed?.action ? parsed : parsed?.check?.Payload;
  } catch {
    return undefined;
  }
}

/** Reads the tracking chain of a job. */
export async function readTracking(
  sfn: SFNClient,
  stateMachineArn: string,
  jobName: string,
): Promise<Tracking> {
  const executions: TrackingExecution[] = [];
  let input: TrackingInputView | undefined;
  let name: string | undefined = jobName;
  for (let index = 1; name && executions.length < MAX_CHAIN; index++) {
    let described: Awaited<ReturnType<typeof describe>>;
    try {
      described = await describe(sfn, executionArnFor(stateMachineArn, name));
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionDoesNotExist') break;
      throw error;
    }
    executions.push({
      name,
      executionArn: described.executionArn ?? executionArnFor(stateMachineArn, name),
      status: described.status ?? 'RUNNING',
      ...(described.startDate && { startDate: described.startDate }),
      ...(described.stopDate && { stopDate: described.stopDate }),
      ...(described.error && { error: described.error }),
      ...(described.cause && { cause: described.cause }),
    });
    if (!input && described.input) input = parseInput(described.input);
    const payload = described.status === 'SUCCEEDED' ? payloadOf(described.output) : undefined;
    // A settle execution (`<drop>-variants`) ends in `settled` with the Variants Settled event.
    if ((payload?.action === 'publish' || payload?.action === 'settled') && payload.detailType) {
      return {
        executions,
        ...(input && { input }),
        event: {
          detailType: payload.detailType,
          outcome: outcomeOf(payload.detailType),
          detail: payload.detail ?? {},
        },
        state: 'PUBLISHED',
      };
    }
    name = payload?.action === 'continue' ? (payload.name ?? `${jobName}-c${index}`) : undefined;
  }
  const last = executions.at(-1);
  const state: Tracking['state'] = !last
    ? 'NOT_STARTED'
    : last.status === 'FAILED' || last.status === 'TIMED_OUT' || last.status === 'ABORTED'
      ? last.status
      : 'RUNNING';
  return { executions, ...(input && { input }), state };
}

const describe = (sfn: SFNClient, executionArn: string) =>
  sfn.send(new DescribeExecutionCommand({ executionArn }));

function parseInput(text: string): TrackingInputView | undefined {
  try {
    return JSON.parse(text) as TrackingInputView;
  } catch {
    return undefined;
  }
}
