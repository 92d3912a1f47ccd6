/**
 * The state history an execution record keeps (local/stepfunctions/state-history.ts), folded
 * from the runner's events while the real tracking definition runs in the local Step Functions
 * service (harness/local-aws.ts), and what the console's graph makes of it
 * (local/console/page/graph-model.ts).
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec, LocalAws } from '../../harness/local-aws';
import {
  HAPPY_PATH,
  startTracker,
  TRACKER_ASL,
  trackingInput,
  trackJob,
} from '../../harness/tracker-on-local-aws';
import type { AslDefinition, ExecutionView } from '../../local/console/api-types';
import { END, stateGraph, traceExecutions } from '../../local/console/page/graph-model';
import { virtualClock } from '../../local/time/clock';

const asl = JSON.parse(readFileSync(TRACKER_ASL, 'utf8')) as AslDefinition;
const T0 = new Date('2026-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let local: LocalAws;

beforeEach(async () => {
  local = await startTracker({ clock: virtualClock(T0.getTime()), random: () => 0.5, http: true });
});
afterEach(() => local.close());

/** Tracks `job` and returns its execution as the Step Functions service recorded it. */
async function runWithHistory(
  job: JobSpec,
  options: Parameters<typeof trackingInput>[1] = {},
): Promise<ExecutionView> {
  await local.createJob(job);
  await trackJob(local, trackingInput(job.name, options));
  const record = local.executions().find((e) => e.name === job.name);
  if (!record) throw new Error(`no execution named ${job.name}`);
  return {
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    history: record.history ?? [],
  };
}

describe('execution state history', () => {
  it('keeps one visit per state entered, with its input, its output and the polls as CheckJob retries', async () => {
    const execution = await runWithHistory({ name: 'completes', endsAfterSeconds: 1530 });

    expect(execution.history.map((v) => v.state)).toEqual(HAPPY_PATH);
    const check = execution.history.find((v) => v.state === 'CheckJob');
    // First poll at 300 s, then every 60 s until the one at 1560 s that sees COMPLETED.
    expect(check?.retries).toBe(21);
    expect(check?.errors).toEqual({ 'JobStillRunning.60s': 21 });
    expect(check?.failed).toBeUndefined();
    expect(check?.input).toMatchObject({ jobName: 'completes' });
    expect(check?.output).toMatchObject({ check: { Payload: { action: 'publish' } } });
    expect(check?.enteredAt).toBe(at(300).getTime());
    expect(check?.exitedAt).toBe(at(1560).getTime());
    expect(execution.history.every((v) => v.exitedAt !== undefined)).toBe(true);

    const trace = traceExecutions(stateGraph(asl), asl, [execution]);
    expect(trace.edges.get('CheckJob→CheckJob:retry:0')).toBe(21);
    expect(trace.nodes.get('PutTerminalEvent')?.terminal).toBe(true);
    expect(trace.edges.get(`PutTerminalEvent→${END}:end:0`)).toBe(1);
    expect(trace.edges.get('Route→PutTerminalEvent:choice:0')).toBe(1);
    expect(trace.nodes.get('StopJob')?.visits).toEqual([]);
  });

  it('records a caught error on the state that caught it, and the graph takes the Catch edge', async () => {
    local.sagemaker.faults.inject({
      error: 'ResourceNotFound',
      statusCode: 400,
      count: 1,
      operations: ['StopOptimizationJob'],
    });
    const execution = await runWithHistory(
      { name: 'stop-not-found', outcome: 'hang', durations: { stoppingSeconds: 30 } },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    const stops = execution.history.filter((v) => v.state === 'StopJob');
    expect(stops[0]?.caught).toEqual({ error: 'SageMaker.ResourceNotFoundException', next: 'CheckJob' });
    expect(stops[0]?.output).toMatchObject({
      check: { stopRefused: { Error: 'SageMaker.ResourceNotFoundException' } },
    });

    const trace = traceExecutions(stateGraph(asl), asl, [execution]);
    expect(trace.nodes.get('StopJob')?.caught).toBe(true);
    expect(trace.edges.get('StopJob→CheckJob:catch:0')).toBe(1);
    // A refused stop is asked for again a poll later (docs/state-machine.md); that one succeeds.
    expect(stops).toHaveLength(2);
    expect(stops[1]?.caught).toBeUndefined();
    expect(trace.edges.get('StopJob→CheckJob:next:0')).toBe(1);
    expect(trace.edges.get('Route→StopJob:choice:1')).toBe(2);
  });

  it('marks the state an execution failed in, and the one a running execution is in', () => {
    const graph = stateGraph(asl);
    const failed: ExecutionView = {
      name: 'failed',
      status: 'FAILED',
      startDate: 0,
      history: [
        { state: 'WhichExecution', enteredAt: 0, input: {}, exitedAt: 1, output: {} },
        {
          state: 'PutStartedEvent',
          enteredAt: 1,
          input: {},
          errors: { 'EventBridge.FailedEntry': 16 },
          retries: 15,
          failed: { error: 'EventBridge.FailedEntry', cause: 'x' },
        },
      ],
    };
    const running: ExecutionView = {
      name: 'running-c1',
      status: 'RUNNING',
      startDate: 0,
      history: [
        { state: 'WhichExecution', enteredAt: 0, input: { continuation: {} }, exitedAt: 1, output: {} },
        { state: 'CheckJob', enteredAt: 1, input: {}, retries: 3 },
      ],
    };

    const failedTrace = traceExecutions(graph, asl, [failed]);
    expect(failedTrace.nodes.get('PutStartedEvent')).toMatchObject({ failed: true, terminal: false });
    expect(failedTrace.edges.get('PutStartedEvent→PutStartedEvent:retry:0')).toBe(15);
    expect([...failedTrace.edges.keys()].some((id) => id.includes(END))).toBe(false);

    const runningTrace = traceExecutions(graph, asl, [running]);
    expect(runningTrace.nodes.get('CheckJob')?.current).toBe(true);
    expect(runningTrace.edges.get('WhichExecution→CheckJob:choice:3')).toBe(1);
  });
});
