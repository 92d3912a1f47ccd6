import {
  DescribeOptimizationJobCommand,
  type OptimizationJobStatus,
  ResourceNotFound,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/check-optimization-job';
import { completedDetailSchema } from '../../src/events/contract';
import { formatDuration } from '../../src/track/timeout';
import { loadEvent } from '../support/events';

const sageMaker = mockClient(SageMakerClient);
const context = {
  functionName: 'check-optimization-job',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const poll = () => loadEvent<any>('check-optimization-job/poll.json');
const job = (status: OptimizationJobStatus, extra: object = {}) => ({
  OptimizationJobArn: poll().state.jobArn,
  OptimizationJobName: poll().state.jobName,
  OptimizationJobStatus: status,
  CreationTime: new Date('2026-11-20T10:01:01Z'),
  OptimizationStartTime: new Date('2026-11-20T10:03:00Z'),
  LastModifiedTime: new Date(),
  ...extra,
});

beforeEach(() => {
  sageMaker.reset();
  // The handler reads the system clock; pin it half an hour into the sample's execution.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-20T10:31:02.345Z'));
});
afterEach(() => vi.useRealTimers());

describe('check-optimization-job handler', () => {
  it('answers "still running" with the error the state machine retries at the stage’s interval', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(job('INPROGRESS'));
    await expect(handler(poll(), context)).rejects.toMatchObject({ name: 'JobStillRunning.60s' });
    expect(sageMaker).toHaveReceivedCommandWith(DescribeOptimizationJobCommand, {
      OptimizationJobName: 'tiny-llm-3f9a1c2b7d',
    });
  });

  it('writes no log line for a "still running" poll at the stage’s default log level', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(job('INPROGRESS'));
    const handlerAtInfo = await loadHandlerLoggingAt('INFO');
    const written = await outputOf(() =>
      expect(handlerAtInfo(poll(), context)).rejects.toMatchObject({ name: 'JobStillRunning.60s' }),
    );
    // About 60 polls per job-hour: any line here would repeat through every job's logs.
    expect(written).toEqual([]);
  });

  it('logs the decision of a poll that ends the job, at the same level', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(job('FAILED', { FailureReason: 'ClientError: x' }));
    const handlerAtInfo = await loadHandlerLoggingAt('INFO');
    const written = await outputOf(() => handlerAtInfo(poll(), context));
    expect(written).toEqual([expect.stringContaining('tracking decision')]);
  });

  it('shapes a Completed event that follows the contract', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(
      job('COMPLETED', {
        OptimizationEndTime: new Date('2026-11-20T10:41:02.345Z'),
        OutputConfig: { S3OutputLocation: 's3://bucket/optimized/tiny-llm/' },
      }),
    );
    const outcome = await handler(poll(), context);
    expect(outcome).toMatchObject({ action: 'publish', detailType: 'Model Optimization Completed' });
    const detail = completedDetailSchema.parse((outcome as { detail: unknown }).detail);
    expect(detail).toMatchObject({
      durationSeconds: 2400,
      output: { s3Uri: 's3://bucket/optimized/tiny-llm/' },
    });
  });

  it('names the model the job registered (registerModel), with its ARN, in the Completed event', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(
      job('COMPLETED', {
        OptimizationEndTime: new Date('2026-11-20T10:41:02.345Z'),
        OutputConfig: {
          S3OutputLocation: 's3://bucket/optimized/tiny-llm/',
          SageMakerModel: { ModelName: 'Tiny-LLM-Opt' },
        },
      }),
    );
    const event = poll();
    event.state.sageMakerModelName = 'Tiny-LLM-Opt';
    const outcome = await handler(event, context);
    const detail = completedDetailSchema.parse((outcome as { detail: unknown }).detail);
    expect(detail.output.sageMakerModel).toEqual({
      name: 'Tiny-LLM-Opt',
      arn: 'arn:aws:sagemaker:us-east-1:000000000000:model/tiny-llm-opt',
    });
  });

  it('names no model when the job registered none', async () => {
    sageMaker
      .on(DescribeOptimizationJobCommand)
      .resolves(job('COMPLETED', { OutputConfig: { S3OutputLocation: 's3://bucket/optimized/tiny-llm/' } }));
    const detail = completedDetailSchema.parse(
      ((await handler(poll(), context)) as { detail: unknown }).detail,
    );
    expect(detail.output).not.toHaveProperty('sageMakerModel');
  });

  it('reports a job SageMaker no longer knows as Failed, "job disappeared"', async () => {
    sageMaker
      .on(DescribeOptimizationJobCommand)
      .rejects(new ResourceNotFound({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    const outcome = await handler(poll(), context);
    expect(outcome).toMatchObject({
      detail: { status: 'FAILED', failureReason: expect.stringMatching(/^job disappeared/) },
    });
  });

  it('refuses a payload it cannot read, by a name the state machine does not retry', async () => {
    await expect(handler({ state: {} }, context)).rejects.toMatchObject({ name: 'InvalidTrackingState' });
  });

  it('continues in a fresh execution once it has polled pollsPerExecution times', async () => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(job('INPROGRESS'));
    const event = poll();
    event.retryCount = event.state.tracking.pollsPerExecution;
    const outcome = await handler(event, context);
    expect(outcome).toMatchObject({
      action: 'continue',
      name: 'tiny-llm-3f9a1c2b7d-c1',
      input: {
        jobName: 'tiny-llm-3f9a1c2b7d',
        continuation: { index: 1, startedAt: event.execution.startTime },
      },
    });
  });

  it.each([
    ['asks for the stop again when SageMaker refused it and the job still runs', 'INPROGRESS', 1, 'stop'],
    ['polls once more first, on the first attempt after the refusal', 'INPROGRESS', 0, 'JobStillRunning.60s'],
    ['waits for STOPPED when the job is already stopping', 'STOPPING', 1, 'JobStillRunning.60s'],
  ] as const)('%s', async (_name, status, retryCount, expected) => {
    sageMaker.on(DescribeOptimizationJobCommand).resolves(job(status));
    const event = poll();
    const stop = { requestedAt: '2026-11-20T10:30:00.000Z', reason: 'timed out after …' };
    event.retryCount = retryCount;
    event.state.check = {
      Payload: { action: 'stop', stop },
      stopRefused: { Error: 'SageMaker.SageMakerException', Cause: 'Rate exceeded (…)' },
    };
    const result = handler(event, context);
    if (expected === 'stop') await expect(result).resolves.toEqual({ action: 'stop', stop });
    else await expect(result).rejects.toMatchObject({ name: expected });
  });
});

/**
 * A fresh copy of the handler whose logger reads POWERTOOLS_LOG_LEVEL=`level` at load, as in
 * Lambda (test/setup.ts silences the logger for every other test; Powertools resets a level set
 * at run time to the loaded one on each invocation).
 */
async function loadHandlerLoggingAt(level: string): Promise<typeof handler> {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', level);
  vi.resetModules();
  try {
    return (await import('../../functions/check-optimization-job')).handler;
  } finally {
    vi.unstubAllEnvs();
  }
}

/**
 * What `act` writes. Powertools logs and metrics go through the global console when
 * POWERTOOLS_DEV is set (test/setup.ts), and to stdout/stderr otherwise.
 */
async function outputOf(act: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = [];
  const record = (...args: unknown[]) => {
    written.push(args.map(String).join(' '));
  };
  const spies = [
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(record),
    ),
    ...[process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        record(chunk);
        return true;
      }),
    ),
  ];
  try {
    await act();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written;
}

describe('formatDuration', () => {
  it('writes the units that are not zero', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59)).toBe('59 s');
    expect(formatDuration(3600 + 5)).toBe('1 h 5 s');
    expect(formatDuration(28 * 86_400 + 3661)).toBe('28 d 1 h 1 min 1 s');
  });
});
