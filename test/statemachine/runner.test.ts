/** The local runner itself (local/stepfunctions), on small inline definitions. */
import { describe, expect, it } from 'vitest';
import { runExecution } from '../../local/stepfunctions';
import { type Clock, compressedClock, virtualClock } from '../../local/time/clock';

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:runner-test:run-1';
const T0 = new Date('2026-05-01T12:00:00.000Z');

/** A virtual clock that records every span of time slept on it. */
function recordingClock(): Clock & { elapsed: number[] } {
  const inner = virtualClock(T0.getTime());
  const elapsed: number[] = [];
  return {
    elapsed,
    now: () => inner.now(),
    setTimeout: (fn, ms) => inner.setTimeout(fn, ms),
    sleep: (ms) => {
      elapsed.push(ms);
      return inner.sleep(ms);
    },
  };
}

const waitThenFlakyTask = {
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', SecondsPath: '$.pause', Next: 'Flaky' },
    Flaky: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: 'flaky',
        Payload: { 'retryCount.$': '$$.State.RetryCount', 'startTime.$': '$$.Execution.StartTime' },
      },
      Retry: [
        { ErrorEquals: ['Boom'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 5, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
      ResultSelector: { 'seen.$': '$.Payload' },
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
};

function flaky(failures: number) {
  const seen: unknown[] = [];
  const fn = async (payload: unknown) => {
    seen.push(payload);
    if (seen.length <= failures) throw Object.assign(new Error(`boom ${seen.length}`), { name: 'Boom' });
    return seen;
  };
  return { fn, seen };
}

describe('local Step Functions runner', () => {
  it('runs Tasks on this Node (Promise.withResolvers), not into a Catch', async () => {
    const { fn } = flaky(0);
    const report = await runExecution({
      definition: waitThenFlakyTask,
      input: { pause: 0 },
      context: { executionArn: EXECUTION_ARN },
      lambdas: { flaky: fn },
      clock: virtualClock(T0.getTime()),
    });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.path).toEqual(['Pause', 'Flaky']);
  });

  it('elapses Waits (SecondsPath too) and retry delays, jitter applied, on the clock', async () => {
    const clock = recordingClock();
    const { fn, seen } = flaky(2);
    const report = await runExecution({
      definition: waitThenFlakyTask,
      input: { pause: 42 },
      context: { executionArn: EXECUTION_ARN, startTime: T0 },
      lambdas: { flaky: fn },
      clock,
      random: () => 0.25,
    });

    expect(report.status).toBe('SUCCEEDED');
    expect(clock.elapsed).toEqual([42_000, 750, 1500]); // 42 s; 3 s × 0.25; 6 s × 0.25
    expect(report.stopTime).toEqual(new Date(T0.getTime() + 44_250));
    expect(report.attempts.map((a) => [a.error, a.retryDelayMs])).toEqual([
      ['Boom', 750],
      ['Boom', 1500],
      [undefined, undefined],
    ]);
    // $$.State.RetryCount per attempt, and $$.Execution.StartTime from the context, not the wall clock.
    expect(seen).toEqual([0, 1, 2].map((retryCount) => ({ retryCount, startTime: T0.toISOString() })));
  });

  it('counts billed transitions and history events as AWS would', async () => {
    const { fn } = flaky(2);
    const report = await runExecution({
      definition: waitThenFlakyTask,
      input: { pause: 1 },
      context: { executionArn: EXECUTION_ARN },
      lambdas: { flaky: fn },
      clock: virtualClock(T0.getTime()),
    });

    expect(report.billedTransitions).toBe(4); // Pause, Flaky, 2 retries
    expect(report.historyByType).toEqual({
      ExecutionStarted: 1,
      WaitStateEntered: 1,
      WaitStateExited: 1,
      TaskStateEntered: 1,
      TaskScheduled: 3,
      TaskStarted: 3,
      TaskFailed: 2,
      TaskSucceeded: 1,
      TaskStateExited: 1,
      ExecutionSucceeded: 1,
    });
    expect(report.historyEvents).toBe(15);
  });

  it('names Lambda errors by their name, with the JSON Cause Lambda reports', async () => {
    const { fn } = flaky(99);
    const report = await runExecution({
      definition: waitThenFlakyTask,
      input: { pause: 0 },
      context: { executionArn: EXECUTION_ARN },
      lambdas: { flaky: fn },
      clock: virtualClock(T0.getTime()),
    });

    expect(report.path).toEqual(['Pause', 'Flaky', 'Caught']);
    const { error } = report.output as { error: { Error: string; Cause: string } };
    expect(error.Error).toBe('Boom');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'Boom', errorMessage: 'boom 6' });
  });

  it('fails the execution with the error name and Cause when nothing catches it', async () => {
    const report = await runExecution({
      definition: {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'gone' },
            End: true,
          },
        },
      },
      input: {},
      context: { executionArn: EXECUTION_ARN },
      clock: virtualClock(T0.getTime()),
    });
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('Lambda.ResourceNotFoundException');
  });

  it('refuses a Resource it cannot run before running anything', async () => {
    await expect(
      runExecution({
        definition: {
          StartAt: 'Q',
          States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
        },
        input: {},
        context: { executionArn: EXECUTION_ARN },
      }),
    ).rejects.toThrow(/sqs:sendMessage" is not supported/);
  });

  it('fails the execution at the history limit, as a Standard execution fails at 25,000 events', async () => {
    const report = await runExecution({
      definition: {
        StartAt: 'Tick',
        States: {
          Tick: { Type: 'Wait', Seconds: 60, Next: 'Again' },
          Again: {
            Type: 'Choice',
            Choices: [{ Variable: '$.done', IsPresent: true, Next: 'Done' }],
            Default: 'Tick',
          },
          Done: { Type: 'Succeed' },
        },
      },
      input: {},
      context: { executionArn: EXECUTION_ARN },
      clock: virtualClock(T0.getTime()),
      historyLimit: 100,
    });
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('States.Runtime');
    expect(report.historyEvents).toBeGreaterThan(100);
    expect(report.historyEvents).toBeLessThan(110);
  });

  it('sleeps Waits on a compressed clock: clock time passes `speed` times faster', async () => {
    const clock = compressedClock(600_000);
    const report = await runExecution({
      definition: { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 3600, End: true } } },
      input: {},
      context: { executionArn: EXECUTION_ARN },
      clock,
    });
    expect(report.status).toBe('SUCCEEDED');
    expect(report.stopTime.getTime() - report.startTime.getTime()).toBeGreaterThanOrEqual(3_600_000);
  });
});
