/**
 * The real statemachines/track-optimization-job.asl.json, run by the local runner: every Task
 * calls the real SDK clients over HTTP against the local stack's SageMaker emulator, EventBridge
 * bus and Step Functions service (harness/local-aws.ts), the check function runs in process,
 * and time is virtual (waits and retry delays advance the clock, nothing sleeps).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec, LocalAws } from '../../harness/local-aws';
import {
  EVENT_BUS,
  HAPPY_PATH,
  STATE_MACHINE_ARN,
  STATE_MACHINE_NAME,
  startTracker,
  trackingInput,
  trackJob,
} from '../../harness/tracker-on-local-aws';
import type { ExecutionReport } from '../../local/stepfunctions';
import { type VirtualClock, virtualClock } from '../../local/time/clock';
import { DETAIL_TYPES } from '../../src/events/contract';
import { executionArnFor } from '../../src/execution-arn';
import type { TrackingSchedule } from '../../src/track/schedule';
import { expectContractEvents } from '../support/contract';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const executionArn = (name: string) => executionArnFor(STATE_MACHINE_ARN, name);

/** Stopped by the tracker: a poll finds the job past its time, StopJob, then CheckJob reports it. */
const STOP_PATH = [
  'WhichExecution',
  'PutStartedEvent',
  'FirstPollDelay',
  'CheckJob',
  'Route',
  'StopJob',
  'CheckJob',
  'Route',
  'PutTerminalEvent',
];

let clock: VirtualClock;
let local: LocalAws;

beforeEach(async () => {
  clock = virtualClock(T0.getTime());
  local = await startTracker({ clock, random: () => 0.5, http: true });
});
afterEach(() => local.close());

async function track(
  job: JobSpec | string,
  options: { maxRuntimeInSeconds?: number; tracking?: Partial<TrackingSchedule> } = {},
) {
  const name = typeof job === 'string' ? job : job.name;
  if (typeof job !== 'string') await local.createJob(job);
  const reports = await trackJob(local, trackingInput(name, options));
  const last = reports.at(-1);
  if (!last) throw new Error('no execution ran');
  return { reports, report: last };
}

const attemptsOf = (report: ExecutionReport, state: string) =>
  report.attempts.filter((a) => a.state === state);
const events = () => local.putEvents();
const stopRequests = () => local.sagemaker.requestCounts().StopOptimizationJob ?? 0;
/** Fails the next `count` entries of this detail-type inside a successful PutEvents. */
const failEntries = (detailType: string, code: string, message: string, count: number) =>
  local.bus.faults.failedEntries.set({
    count,
    code,
    message,
    match: (entry) => (entry as { DetailType?: string }).DetailType === detailType,
  });

describe('tracking state machine', () => {
  it('completes: polls every minute after the first delay and puts Started, then Completed', async () => {
    const { report } = await track({ name: 'completes', endsAfterSeconds: 1530 });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [started, completed] = expectContractEvents(events(), ['started', 'completed']);
    expect(started).toMatchObject({
      jobName: 'completes',
      status: 'STARTING',
      executionArn: executionArn('completes'),
      startedAt: T0.toISOString(),
    });
    expect(completed).toMatchObject({
      status: 'COMPLETED',
      executionArn: executionArn('completes'),
      startedAt: T0.toISOString(),
      endedAt: at(1530).toISOString(),
      durationSeconds: 1530,
      output: {
        s3Uri: 's3://models/optimized/completes/',
        recommendedInferenceImage: expect.stringContaining('djl-inference'),
      },
    });
    expect(events()[1]?.resources).toEqual([
      'arn:aws:sagemaker:us-east-1:000000000000:optimization-job/completes',
      executionArn('completes'),
      STATE_MACHINE_ARN,
    ]);

    const polls = attemptsOf(report, 'CheckJob');
    expect(polls[0]?.at).toEqual(at(300));
    expect(
      polls.slice(0, -1).every((p) => p.error === 'JobStillRunning.60s' && p.retryDelayMs === 60_000),
    ).toBe(true);
    // Detected at the first poll after the job ended: 1530 s → the poll at 1560 s.
    expect(events()[1]?.at).toEqual(at(1560));
    expect(report.billedTransitions).toBe(HAPPY_PATH.length + polls.length - 1);
    expect(report.output).toMatchObject({ action: 'publish', detailType: DETAIL_TYPES.completed });
  });

  it('fails with a reason: Failed carries SageMaker’s FailureReason', async () => {
    const { report } = await track({
      name: 'fails',
      endsAfterSeconds: 900,
      outcome: 'fail',
      reason: 'ClientError: could not load the model: out of memory',
    });

    expect(report.path).toEqual(HAPPY_PATH);
    const [, failed] = expectContractEvents(events(), ['started', 'failed']);
    expect(failed).toMatchObject({
      status: 'FAILED',
      failureReason: 'ClientError: could not load the model: out of memory',
      endedAt: at(900).toISOString(),
      durationSeconds: 900,
    });
  });

  it('stopped by someone else: Stopped says it was stopped outside the pipeline', async () => {
    const { report } = await track({ name: 'stopped-elsewhere', endsAfterSeconds: 700, outcome: 'stop' });

    expect(report.path).toEqual(HAPPY_PATH);
    expect(stopRequests()).toBe(0);
    const [, stopped] = expectContractEvents(events(), ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(/stopped outside the pipeline/);
  });

  it('throttled describe recovers: retried with backoff and jitter, then tracking goes on', async () => {
    local.sagemaker.faults.inject({
      error: 'ThrottlingException',
      count: 2,
      operations: ['DescribeOptimizationJob'],
    });
    const { report } = await track({ name: 'throttled', endsAfterSeconds: 600 });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [first, second, third] = attemptsOf(report, 'CheckJob');
    expect(first).toMatchObject({ error: 'SageMakerUnavailable', retryDelayMs: 2500 }); // 5 s × 0.5 jitter
    expect(second).toMatchObject({ error: 'SageMakerUnavailable', retryDelayMs: 5000 }); // 10 s × 0.5
    expect(third?.error).toBe('JobStillRunning.60s');
    expectContractEvents(events(), ['started', 'completed']);
  });

  it('describe 5xx recovers', async () => {
    local.sagemaker.faults.inject({
      error: 'InternalFailure',
      count: 3,
      operations: ['DescribeOptimizationJob'],
    });
    const { report } = await track({ name: 'server-error', endsAfterSeconds: 600 });

    expect(report.status).toBe('SUCCEEDED');
    expect(
      attemptsOf(report, 'CheckJob')
        .slice(0, 3)
        .map((a) => a.error),
    ).toEqual(['SageMakerUnavailable', 'SageMakerUnavailable', 'SageMakerUnavailable']);
    expectContractEvents(events(), ['started', 'completed']);
  });

  it('job not found: Failed, "job disappeared"', async () => {
    const { report } = await track('never-created');

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [, failed] = expectContractEvents(events(), ['started', 'failed']);
    expect(failed.failureReason).toMatch(/^job disappeared/);
    expect(failed.endedAt).toBe(at(300).toISOString());
  });

  it('timeout: past MaxRuntimeInSeconds plus grace, stops the job, waits for STOPPED, puts Stopped', async () => {
    // Running from 60 s; limit 600 s + 300 s grace → past it at the poll at 1020 s (ran 960 s).
    const { report } = await track(
      { name: 'runs-forever', outcome: 'hang', durations: { stoppingSeconds: 90 } },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(STOP_PATH);
    expect(attemptsOf(report, 'StopJob').map((a) => a.at)).toEqual([at(1020)]);
    expect(stopRequests()).toBe(1);
    const [, stopped] = expectContractEvents(events(), ['started', 'stopped']);
    expect(stopped.failureReason).toBe(
      'timed out after 16 min (960 s) of running: past its MaxRuntimeInSeconds of 600 s plus 300 s grace; stopped by the pipeline',
    );
    expect(stopped.endedAt).toBe(at(1110).toISOString());
  });

  it('timeout: past the pipeline maximum, whatever the job’s own limit; a throttled stop is retried', async () => {
    local.sagemaker.faults.inject({
      error: 'ThrottlingException',
      count: 1,
      operations: ['StopOptimizationJob'],
    });
    const { report } = await track(
      { name: 'pipeline-max', outcome: 'hang', durations: { stoppingSeconds: 30 } },
      { maxRuntimeInSeconds: 86_400, tracking: { maxTrackingSeconds: 1200 } },
    );

    expect(report.path).toContain('StopJob');
    // Unmodeled in SageMaker's API, so Step Functions names it by the service's generic class.
    expect(attemptsOf(report, 'StopJob').map((a) => a.error)).toEqual([
      'SageMaker.SageMakerException',
      undefined,
    ]);
    const [, stopped] = expectContractEvents(events(), ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(
      /^timed out after 21 min \(1260 s\) of tracking: past the pipeline maximum/,
    );
  });

  it('stop races completion → exactly one terminal event: the refused stop goes back to CheckJob, which reports Completed', async () => {
    // Past 600 s + 300 s grace at the poll at 1020 s; the job completes as the stop arrives.
    const { report } = await track(
      { name: 'photo-finish', outcome: 'hang', completesOnStop: true },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(STOP_PATH);
    // ValidationException (the job is no longer stoppable) is not modeled: SageMaker.SageMakerException.
    expect(attemptsOf(report, 'StopJob').map((a) => a.error)).toEqual(
      Array(4).fill('SageMaker.SageMakerException'),
    );
    const [, completed] = expectContractEvents(events(), ['started', 'completed']);
    expect(completed).toMatchObject({ status: 'COMPLETED', endedAt: at(1020).toISOString() });
  });

  it('throttled StopOptimizationJob recovers: past StopJob’s own retries, CheckJob asks for the stop again a poll later', async () => {
    // StopJob's first entry: an attempt and 3 retries, all throttled. The second: 2 more, then accepted.
    local.sagemaker.faults.inject({
      error: 'ThrottlingException',
      count: 6,
      operations: ['StopOptimizationJob'],
    });
    const { report } = await track(
      { name: 'busy-control-plane', outcome: 'hang', durations: { stoppingSeconds: 30 } },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual([
      ...STOP_PATH.slice(0, -3),
      'CheckJob',
      'Route',
      'StopJob',
      ...STOP_PATH.slice(-3),
    ]);
    expect(attemptsOf(report, 'StopJob').map((a) => a.error)).toEqual([
      ...Array(6).fill('SageMaker.SageMakerException'),
      undefined,
    ]);
    const stops = attemptsOf(report, 'StopJob');
    expect(stopRequests()).toBe(7);
    // The second round waited one poll (60 s) after the refusal.
    const [refusedLast, askedAgain] = [stops[3]?.at.getTime() ?? 0, stops[4]?.at.getTime() ?? 0];
    expect(askedAgain - refusedLast).toBeGreaterThanOrEqual(60_000);
    const [, stopped] = expectContractEvents(events(), ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(/^timed out after 16 min \(960 s\) of running/);
  });

  it('FailedEntry once: the terminal put is retried and exactly one Completed is put', async () => {
    failEntries(DETAIL_TYPES.completed, 'InternalFailure', 'try again', 1);
    const { report } = await track({ name: 'flaky-bus', endsAfterSeconds: 400 });

    expect(report.status).toBe('SUCCEEDED');
    expect(attemptsOf(report, 'PutTerminalEvent').map((a) => a.error)).toEqual([
      'EventBridge.FailedEntry',
      undefined,
    ]);
    expectContractEvents(events(), ['started', 'completed']);
  });

  it('FailedEntry always: the execution fails visibly after the retries, and no terminal event is put', async () => {
    failEntries(DETAIL_TYPES.completed, 'InternalFailure', 'bus is down', 100);
    const { report } = await track({ name: 'dead-bus', endsAfterSeconds: 400 });

    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('EventBridge.FailedEntry');
    expect(report.error?.Cause).toContain('bus is down');
    // The first attempt and 15 retries, over minutes of (virtual) time.
    expect(attemptsOf(report, 'PutTerminalEvent')).toHaveLength(16);
    expectContractEvents(events(), ['started']);
  });

  it('announces a rejected drop: puts exactly one Rejected with the detail it was given, and tracks nothing', async () => {
    const rejection = {
      schemaVersion: '1.0.0',
      stage: 'test',
      status: 'REJECTED' as const,
      jobName: 'bad-0123456789',
      model: {
        bucket: 'b',
        key: 'models/bad/optimization.json',
        s3Uri: 's3://b/models/bad/',
        modelId: 'bad',
      },
      errors: [{ path: '$.techniques[0]', message: 'unknown technique "pruning"' }],
      endedAt: T0.toISOString(),
    };
    failEntries(DETAIL_TYPES.rejected, 'InternalFailure', 'try again', 1);

    const [report] = await local.runChain(STATE_MACHINE_NAME, 'bad-0123456789-rejected', {
      schemaVersion: '1.0.0',
      stage: 'test',
      eventBusName: EVENT_BUS,
      rejection,
    });

    expect(report?.status).toBe('SUCCEEDED');
    expect(report?.path).toEqual(['WhichExecution', 'PutRejectedEvent']);
    const [detail] = expectContractEvents(events(), ['rejected']);
    expect(detail).toEqual(rejection);
  });

  it('puts Started exactly once, first, even when its first put fails', async () => {
    failEntries(DETAIL_TYPES.started, 'ThrottlingException', 'slow down', 1);
    const { report } = await track({ name: 'started-once', endsAfterSeconds: 400 });

    expectContractEvents(events(), ['started', 'completed']);
    const puts = attemptsOf(report, 'PutStartedEvent');
    expect(puts.map((p) => p.error)).toEqual(['EventBridge.FailedEntry', undefined]);
    expect(puts[0]?.at).toEqual(T0);
  });

  it('continues in a fresh execution before the history cap, keeping one Started and one terminal event', async () => {
    const { reports } = await track(
      { name: 'long-job', endsAfterSeconds: 1500 },
      { tracking: { pollsPerExecution: 8 } },
    );

    expect(reports.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(reports[0]?.path).toEqual([
      'WhichExecution',
      'PutStartedEvent',
      'FirstPollDelay',
      'CheckJob',
      'Route',
      'ContinueTracking',
    ]);
    expect(reports[1]?.path).toEqual(['WhichExecution', 'CheckJob', 'Route', 'ContinueTracking']);
    expect(reports[2]?.path).toEqual(['WhichExecution', 'CheckJob', 'Route', 'PutTerminalEvent']);
    expect(local.executions().map((e) => [e.name, e.status])).toEqual([
      ['long-job', 'SUCCEEDED'],
      ['long-job-c1', 'SUCCEEDED'],
      ['long-job-c2', 'SUCCEEDED'],
    ]);

    const [started, completed] = expectContractEvents(events(), ['started', 'completed']);
    expect(completed).toMatchObject({
      executionArn: started.executionArn,
      startedAt: T0.toISOString(),
      durationSeconds: 1500,
    });
  });

  it('polls at the stage’s interval, taken from the execution input', async () => {
    const { report } = await track(
      { name: 'fast-polls', endsAfterSeconds: 200 },
      { tracking: { firstPollDelaySeconds: 60, pollIntervalSeconds: 30 } },
    );

    const polls = attemptsOf(report, 'CheckJob');
    expect(polls.map((p) => p.at)).toEqual([at(60), at(90), at(120), at(150), at(180), at(210)]);
    expect(polls[0]).toMatchObject({ error: 'JobStillRunning.30s', retryDelayMs: 30_000 });
    expect(events()[1]?.at).toEqual(at(210));
  });
});
