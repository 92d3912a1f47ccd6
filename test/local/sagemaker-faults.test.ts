/** Fault injection on the SageMaker emulator, observed through the real SDK client. */
import {
  CreateOptimizationJobCommand,
  DescribeOptimizationJobCommand,
  ListOptimizationJobsCommand,
  SageMakerServiceException,
  StopOptimizationJobCommand,
} from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import { sageMakerEmulatorOptionsFromEnv } from '../../local/sagemaker/config';
import type { SageMakerEmulatorOptions } from '../../local/sagemaker/emulator';
import { virtualClock } from '../../local/time/clock';
import { advance, createRequest, errorOf, type Harness, startHarness } from './sagemaker-helpers';

const harnesses: Harness[] = [];
async function start(options: SageMakerEmulatorOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const list = (h: Harness, client = h.client) => client.send(new ListOptimizationJobsCommand({}));

/** A random source that returns `values` in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('fault injection', () => {
  it('throttles the next N calls, then lets calls through', async () => {
    const h = await start();
    h.emulator.faults.inject({ error: 'ThrottlingException', count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await errorOf(() => list(h));
      expect(error).toBeInstanceOf(SageMakerServiceException);
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    await expect(list(h)).resolves.toHaveProperty('OptimizationJobSummaries');
    expect(h.emulator.faults.list()).toEqual([]);
  });

  it('returns InternalFailure as HTTP 500 and ServiceUnavailable as HTTP 503', async () => {
    const h = await start();
    h.emulator.faults.inject({ error: 'InternalFailure', count: 1 });
    h.emulator.faults.inject({ error: 'ServiceUnavailable', count: 1 });
    const internal = await errorOf(() => list(h));
    expect(internal).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } });
    const unavailable = await errorOf(() => list(h));
    expect(unavailable).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    await expect(list(h)).resolves.toBeDefined();
  });

  it("is recovered from by the SDK's own retries when maxAttempts allows", async () => {
    const h = await start();
    const retrying = h.clientWith({ maxAttempts: 3 });
    h.emulator.faults.inject({ error: 'ServiceUnavailable', count: 1 });
    h.emulator.faults.inject({ error: 'ThrottlingException', count: 1 });
    const result = await list(h, retrying);
    expect(result.$metadata.attempts).toBe(3);
    h.emulator.faults.inject({ error: 'InternalFailure', count: 3 });
    expect(await errorOf(() => list(h, retrying))).toMatchObject({
      name: 'InternalFailure',
      $metadata: { attempts: 3 },
    });
  });

  it('fails calls at a rate, using the injected random source', async () => {
    const h = await start({ random: sequence(0.1, 0.9, 0.49, 0.5) });
    h.emulator.faults.inject({ error: 'ThrottlingException', rate: 0.5 });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await list(h).then(
          () => 'ok',
          (error: Error) => error.name,
        ),
      );
    }
    expect(outcomes).toEqual(['ThrottlingException', 'ok', 'ThrottlingException', 'ok']);
  });

  it('applies only to the operations named', async () => {
    const h = await start();
    h.emulator.faults.inject({
      error: 'ThrottlingException',
      rate: 1,
      operations: ['DescribeOptimizationJob'],
    });
    await expect(list(h)).resolves.toBeDefined();
    const error = await errorOf(() =>
      h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'any' })),
    );
    expect(error.name).toBe('ThrottlingException');
  });

  it('can be listed, removed and cleared; rejects invalid specs', async () => {
    const h = await start();
    const id = h.emulator.faults.inject({ error: 'InternalFailure', rate: 1 });
    h.emulator.faults.inject({
      error: 'ThrottlingException',
      count: 5,
      operations: ['ListOptimizationJobs'],
    });
    expect(h.emulator.faults.list()).toEqual([
      { id, error: 'InternalFailure', rate: 1 },
      expect.objectContaining({ error: 'ThrottlingException', count: 5 }),
    ]);
    expect(h.emulator.faults.remove(id)).toBe(true);
    expect(h.emulator.faults.remove(id)).toBe(false);
    h.emulator.faults.overrideOutcome({ match: { nameContains: 'x' }, outcome: 'hang' });
    h.emulator.faults.clear();
    expect(h.emulator.faults.list()).toEqual([]);
    expect(h.emulator.faults.listOutcomes()).toEqual([]);
    await expect(list(h)).resolves.toBeDefined();

    expect(() => h.emulator.faults.inject({ error: 'InternalFailure' })).toThrow(RangeError);
    expect(() => h.emulator.faults.inject({ error: 'InternalFailure', rate: 1.5 })).toThrow(RangeError);
    expect(() => h.emulator.faults.inject({ error: 'InternalFailure', count: 0 })).toThrow(RangeError);
    expect(() => h.emulator.faults.inject({ error: 'Oops' as never, count: 1 })).toThrow(RangeError);
  });

  it('takes default faults from the environment', async () => {
    const options = sageMakerEmulatorOptionsFromEnv({
      LOCAL_SAGEMAKER_THROTTLE_RATE: '1',
      LOCAL_SAGEMAKER_SERVER_ERROR_RATE: '0.25',
      LOCAL_SAGEMAKER_SERVER_ERROR: 'ServiceUnavailable',
      LOCAL_SAGEMAKER_FAULT_OPERATIONS: 'ListOptimizationJobs, DescribeOptimizationJob',
      LOCAL_SAGEMAKER_MAX_CONCURRENT_JOBS: '3',
      LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '90',
      LOCAL_SAGEMAKER_STATE_FILE: '.local/sagemaker/jobs.json',
      AWS_REGION: 'eu-central-1',
    });
    const operations = ['ListOptimizationJobs', 'DescribeOptimizationJob'];
    expect(options).toEqual({
      region: 'eu-central-1',
      stateFile: '.local/sagemaker/jobs.json',
      maxConcurrentJobs: 3,
      durations: { inProgressSeconds: 90 },
      faults: [
        { error: 'ThrottlingException', rate: 1, operations },
        { error: 'ServiceUnavailable', rate: 0.25, operations },
      ],
    });
    const h = await start({ faults: options.faults, random: () => 0.9 });
    expect((await errorOf(() => list(h))).name).toBe('ThrottlingException');
    expect(() => sageMakerEmulatorOptionsFromEnv({ LOCAL_SAGEMAKER_THROTTLE_RATE: 'lots' })).toThrow(
      RangeError,
    );
  });

  it('gives overridden jobs their own phase lengths and outcome, and the complete-on-stop race', async () => {
    const clock = virtualClock();
    const h = await start({ clock });
    const status = async (name: string) =>
      (await h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name })))
        .OptimizationJobStatus;
    const durations = { startingSeconds: 10, inProgressSeconds: 100 };
    h.emulator.faults.overrideOutcome({ match: { name: 'done' }, outcome: 'complete', durations });
    h.emulator.faults.overrideOutcome({ match: { name: 'halted' }, outcome: 'stop', durations });
    h.emulator.faults.overrideOutcome({ match: { name: 'photo' }, outcome: 'hang', completesOnStop: true });
    for (const name of ['done', 'halted', 'photo']) {
      await h.client.send(new CreateOptimizationJobCommand(createRequest(name)));
    }
    await advance(h, clock, 10);
    expect(await status('done')).toBe('INPROGRESS');
    await advance(h, clock, 99);
    expect(await status('done')).toBe('INPROGRESS');
    await advance(h, clock, 1);
    const done = await h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: 'done' }));
    expect(done.OptimizationJobStatus).toBe('COMPLETED');
    expect(done.OptimizationEndTime?.getTime()).toBe(Date.parse('2026-01-01T00:01:50.000Z'));
    expect(done.OptimizationOutput?.RecommendedInferenceImage).toContain('djl-inference');
    expect(await status('halted')).toBe('STOPPED');

    const refused = await errorOf(() =>
      h.client.send(new StopOptimizationJobCommand({ OptimizationJobName: 'photo' })),
    );
    expect(refused.name).toBe('ValidationException');
    expect(await status('photo')).toBe('COMPLETED');
  });
});
