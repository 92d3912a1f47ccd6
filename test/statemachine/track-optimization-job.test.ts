/**
 * The real statemachines/track-optimization-job.asl.json, run by the local runner: every Task
 * calls the real SDK clients against a FakeAws served over HTTP, the check function runs in
 * process, and time is virtual (waits and retry delays advance the clock, nothing sleeps).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws, type FakeJobSpec } from '../../harness/fake-aws';
import {
  fakeClients,
  HAPPY_PATH,
  STATE_MACHINE_ARN,
  type Tracker,
  trackerDefinition,
  trackingInput,
  trackJob,
} from '../../harness/tracker-on-fake-aws';
import { type ExecutionReport, runExecution } from '../../local/stepfunctions';
import { type VirtualClock, virtualClock } from '../../local/time/clock';
import { DETAIL_TYPES } from '../../src/events/contract';
import { executionArnFor } from '../../src/execution-arn';
import type { TrackingSchedule } from '../../src/track/schedule';
import { expectContractEvents } from '../support/contract';

const definition = trackerDefinition();
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
let fake: FakeAws;
let tracker: Tracker;
let close: () => Promise<void>;

beforeEach(async () => {
  clock = virtualClock(T0.getTime());
  fake = new FakeAws(() => new Date(clock.now()));
  const server = await fake.listen();
  close = server.close;
  tracker = { clock, fake, clients: fakeClients(fake, server.endpoint), definition, random: () => 0.5 };
});
afterEach(() => close());

async function track(
  job: FakeJobSpec | string,
  options: { maxRuntimeInSeconds?: number; tracking?: Partial<TrackingSchedule> } = {},
) {
  const name = typeof job === 'string' ? job : job.name;
  if (typeof job !== 'string') fake.addJob(job);
  const reports = await trackJob(tracker, trackingInput(name, options));
  const last = reports.at(-1);
  if (!last) throw new Error('no execution ran');
  return { reports, report: last };
}

const attemptsOf = (report: ExecutionReport, state: string) =>
  report.attempts.filter((a) => a.state === state);

describe('tracking state machine', () => {
  it('completes: polls every minute after the first delay and puts Started, then Completed', async () => {
    const { report } = await track({
      name: 'completes',
      endsAt: at(1530),
      recommendedInferenceImage:
        '763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124',
    });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [started, completed] = expectContractEvents(fake.events, ['started', 'completed']);
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
    expect(fake.events[1]?.resources).toEqual([
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
    expect(fake.events[1]?.at).toEqual(at(1560));
    expect(report.billedTransitions).toBe(HAPPY_PATH.length + polls.length - 1);
    expect(report.output).toMatchObject({ action: 'publish', detailType: DETAIL_TYPES.completed });
  });

  it('fails with a reason: Failed carries SageMaker’s FailureReason', async () => {
    const { report } = await track({
      name: 'fails',
      endsAt: at(900),
      finalStatus: 'FAILED',
      failureReason: 'ClientError: could not load the model: out of memory',
    });

    expect(report.path).toEqual(HAPPY_PATH);
    const [, failed] = expectContractEvents(fake.events, ['started', 'failed']);
    expect(failed).toMatchObject({
      status: 'FAILED',
      failureReason: 'ClientError: could not load the model: out of memory',
      endedAt: at(900).toISOString(),
      durationSeconds: 900,
    });
  });

  it('stopped by someone else: Stopped says it was stopped outside the pipeline', async () => {
    const { report } = await track({ name: 'stopped-elsewhere', endsAt: at(700), finalStatus: 'STOPPED' });

    expect(report.path).toEqual(HAPPY_PATH);
    expect(fake.calls.map((c) => c.target)).not.toContain('SageMaker.StopOptimizationJob');
    const [, stopped] = expectContractEvents(fake.events, ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(/stopped outside the pipeline/);
  });

  it('throttled describe recovers: retried with backoff and jitter, then tracking goes on', async () => {
    fake.inject('SageMaker.DescribeOptimizationJob', { status: 400, type: 'ThrottlingException' }, 2);
    const { report } = await track({ name: 'throttled', endsAt: at(600) });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [first, second, third] = attemptsOf(report, 'CheckJob');
    expect(first).toMatchObject({ error: 'SageMakerUnavailable', retryDelayMs: 2500 }); // 5 s × 0.5 jitter
    expect(second).toMatchObject({ error: 'SageMakerUnavailable', retryDelayMs: 5000 }); // 10 s × 0.5
    expect(third?.error).toBe('JobStillRunning.60s');
    expectContractEvents(fake.events, ['started', 'completed']);
  });

  it('describe 5xx recovers', async () => {
    fake.inject('SageMaker.DescribeOptimizationJob', { status: 500, type: 'InternalFailure' }, 3);
    const { report } = await track({ name: 'server-error', endsAt: at(600) });

    expect(report.status).toBe('SUCCEEDED');
    expect(
      attemptsOf(report, 'CheckJob')
        .slice(0, 3)
        .map((a) => a.error),
    ).toEqual(['SageMakerUnavailable', 'SageMakerUnavailable', 'SageMakerUnavailable']);
    expectContractEvents(fake.events, ['started', 'completed']);
  });

  it('job not found: Failed, "job disappeared"', async () => {
    const { report } = await track('never-created');

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(HAPPY_PATH);
    const [, failed] = expectContractEvents(fake.events, ['started', 'failed']);
    expect(failed.failureReason).toMatch(/^job disappeared/);
    expect(failed.endedAt).toBe(at(300).toISOString());
  });

  it('timeout: past MaxRuntimeInSeconds plus grace, stops the job, waits for STOPPED, puts Stopped', async () => {
    // Running from 60 s; limit 600 s + 300 s grace → past it at the poll at 1020 s (ran 960 s).
    const { report } = await track(
      { name: 'runs-forever', stopDelayMs: 90_000 },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(STOP_PATH);
    const stops = fake.calls.filter((c) => c.target === 'SageMaker.StopOptimizationJob');
    expect(stops.map((c) => c.at)).toEqual([at(1020)]);
    const [, stopped] = expectContractEvents(fake.events, ['started', 'stopped']);
    expect(stopped.failureReason).toBe(
      'timed out after 16 min (960 s) of running: past its MaxRuntimeInSeconds of 600 s plus 300 s grace; stopped by the pipeline',
    );
    expect(stopped.endedAt).toBe(at(1110).toISOString());
  });

  it('timeout: past the pipeline maximum, whatever the job’s own limit; a throttled stop is retried', async () => {
    fake.inject('SageMaker.StopOptimizationJob', { status: 400, type: 'ThrottlingException' }, 1);
    const { report } = await track(
      { name: 'pipeline-max', stopDelayMs: 30_000 },
      { maxRuntimeInSeconds: 86_400, tracking: { maxTrackingSeconds: 1200 } },
    );

    expect(report.path).toContain('StopJob');
    // Unmodeled in SageMaker's API, so Step Functions names it by the service's generic class.
    expect(attemptsOf(report, 'StopJob').map((a) => a.error)).toEqual([
      'SageMaker.SageMakerException',
      undefined,
    ]);
    const [, stopped] = expectContractEvents(fake.events, ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(
      /^timed out after 21 min \(1260 s\) of tracking: past the pipeline maximum/,
    );
  });

  it('stop races completion → exactly one terminal event: the refused stop goes back to CheckJob, which reports Completed', async () => {
    // Past 600 s + 300 s grace at the poll at 1020 s; the job completes as the stop arrives.
    const { report } = await track(
      { name: 'photo-finish', completesWhenStopped: true },
      { maxRuntimeInSeconds: 600, tracking: { timeoutGraceSeconds: 300 } },
    );

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(STOP_PATH);
    // ValidationException (the job is no longer stoppable) is not modeled: SageMaker.SageMakerException.
    expect(attemptsOf(report, 'StopJob').map((a) => a.error)).toEqual(
      Array(4).fill('SageMaker.SageMakerException'),
    );
    const [, completed] = expectContractEvents(fake.events, ['started', 'completed']);
    expect(completed).toMatchObject({ status: 'COMPLETED', endedAt: at(1020).toISOString() });
  });

  it('throttled StopOptimizationJob recovers: past StopJob’s own retries, CheckJob asks for the stop again a poll later', async () => {
    // StopJob's first entry: an attempt and 3 retries, all throttled. The second: 2 more, then accepted.
    fake.inject('SageMaker.StopOptimizationJob', { status: 400, type: 'ThrottlingException' }, 6);
    const { report } = await track(
      { name: 'busy-control-plane', stopDelayMs: 30_000 },
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
    const stops = fake.calls.filter((c) => c.target === 'SageMaker.StopOptimizationJob');
    expect(stops.map((c) => c.status)).toEqual([...Array(6).fill(400), 200]);
    // The second round waited one poll (60 s) after the refusal.
    const [refusedLast, askedAgain] = [stops[3]?.at.getTime() ?? 0, stops[4]?.at.getTime() ?? 0];
    expect(askedAgain - refusedLast).toBeGreaterThanOrEqual(60_000);
    const [, stopped] = expectContractEvents(fake.events, ['started', 'stopped']);
    expect(stopped.failureReason).toMatch(/^timed out after 16 min \(960 s\) of running/);
  });

  it('FailedEntry once: the terminal put is retried and exactly one Completed is put', async () => {
    fake.inject(
      'AWSEvents.PutEvents',
      { failedEntry: { code: 'InternalFailure', message: 'try again' } },
      1,
      (body) => body.Entries?.[0]?.DetailType === DETAIL_TYPES.completed,
    );
    const { report } = await track({ name: 'flaky-bus', endsAt: at(400) });

    expect(report.status).toBe('SUCCEEDED');
    expect(attemptsOf(report, 'PutTerminalEvent').map((a) => a.error)).toEqual([
      'EventBridge.FailedEntry',
      undefined,
    ]);
    expectContractEvents(fake.events, ['started', 'completed']);
  });

  it('FailedEntry always: the execution fails visibly after the retries, and no terminal event is put', async () => {
    fake.inject(
      'AWSEvents.PutEvents',
      { failedEntry: { code: 'InternalFailure', message: 'bus is down' } },
      100,
      (body) => body.Entries?.[0]?.DetailType === DETAIL_TYPES.completed,
    );
    const { report } = await track({ name: 'dead-bus', endsAt: at(400) });

    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('EventBridge.FailedEntry');
    expect(report.error?.Cause).toContain('bus is down');
    // The first attempt and 15 retries, over minutes of (virtual) time.
    expect(attemptsOf(report, 'PutTerminalEvent')).toHaveLength(16);
    expectContractEvents(fake.events, ['started']);
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
    fake.inject(
      'AWSEvents.PutEvents',
      { failedEntry: { code: 'InternalFailure', message: 'try again' } },
      1,
      (body) => body.Entries?.[0]?.DetailType === DETAIL_TYPES.rejected,
    );

    const report = await runExecution({
      definition,
      input: { schemaVersion: '1.0.0', stage: 'test', eventBusName: 'bus', rejection },
      context: { executionArn: executionArn('bad-0123456789-rejected'), stateMachineArn: STATE_MACHINE_ARN },
      clients: tracker.clients,
      clock,
      random: () => 0.5,
    });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(['WhichExecution', 'PutRejectedEvent']);
    const [detail] = expectContractEvents(fake.events, ['rejected']);
    expect(detail).toEqual(rejection);
  });

  it('puts Started exactly once, first, even when its first put fails', async () => {
    fake.inject(
      'AWSEvents.PutEvents',
      { failedEntry: { code: 'ThrottlingException', message: 'slow down' } },
      1,
      (body) => body.Entries?.[0]?.DetailType === DETAIL_TYPES.started,
    );
    await track({ name: 'started-once', endsAt: at(400) });

    expectContractEvents(fake.events, ['started', 'completed']);
    const puts = fake.calls.filter((c) => c.target === 'AWSEvents.PutEvents');
    expect(puts[0]?.at).toEqual(T0);
  });

  it('continues in a fresh execution before the history cap, keeping one Started and one terminal event', async () => {
    const { reports } = await track(
      { name: 'long-job', endsAt: at(1500) },
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
    expect(fake.executions.map((e) => e.name)).toEqual(['long-job-c1', 'long-job-c2']);

    const [started, completed] = expectContractEvents(fake.events, ['started', 'completed']);
    expect(completed).toMatchObject({
      executionArn: started.executionArn,
      startedAt: T0.toISOString(),
      durationSeconds: 1500,
    });
  });

  it('polls at the stage’s interval, taken from the execution input', async () => {
    const { report } = await track(
      { name: 'fast-polls', endsAt: at(200) },
      { tracking: { firstPollDelaySeconds: 60, pollIntervalSeconds: 30 } },
    );

    const polls = attemptsOf(report, 'CheckJob');
    expect(polls.map((p) => p.at)).toEqual([at(60), at(90), at(120), at(150), at(180), at(210)]);
    expect(polls[0]).toMatchObject({ error: 'JobStillRunning.30s', retryDelayMs: 30_000 });
    expect(fake.events[1]?.at).toEqual(at(210));
  });
});
