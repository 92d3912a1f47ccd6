/**
 * The settle branch of the real statemachines/track-optimization-job.asl.json: a drop with
 * variants has one tracking chain per variant job and one `<drop>-variants` execution that
 * puts `Model Optimization Variants Settled` once every chain has ended. Run by the local
 * runner on a virtual clock against the local stack's emulators (harness/local-aws.ts): the
 * settle check's DescribeExecution reads the Step Functions service's own executions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSpec, LocalAws } from '../../harness/local-aws';
import {
  STATE_MACHINE_NAME,
  settleDrop,
  settleInput,
  startTracker,
  trackingInput,
  trackJob,
} from '../../harness/tracker-on-local-aws';
import { virtualClock } from '../../local/time/clock';
import { DETAIL_TYPES } from '../../src/events/contract';
import type { SettleInput } from '../../src/job/tracking-input';
import { expectContractEvents } from '../support/contract';

const T0 = new Date('2026-03-01T08:00:00.000Z');
const DROP = 'llama-abc1234567';
const VARIANTS = [
  { name: 'awq-g5', jobName: 'llama-awq-g5-1111111111' },
  { name: 'fp8-g6e', jobName: 'llama-fp8-g6e-2222222222' },
];

let local: LocalAws;

beforeEach(async () => {
  local = await startTracker({ clock: virtualClock(T0.getTime()), random: () => 0.5, http: true });
});
afterEach(() => local.close());

/** The tracking input start-optimization gives a variant's job: it names the variant and the drop. */
function variantInput(index: number, tracking = {}) {
  const variant = VARIANTS[index];
  if (!variant) throw new Error(`no variant ${index}`);
  return { ...trackingInput(variant.jobName, { tracking }), variant: variant.name, dropJobName: DROP };
}

/** Tracks one variant's job to the end. */
const trackVariant = (index: number, tracking = {}) => trackJob(local, variantInput(index, tracking));

/** Creates the job of variant `index`. */
const createVariantJob = (index: number, spec: Omit<JobSpec, 'name'>) =>
  local.createJob({ name: VARIANTS[index]?.jobName ?? '', ...spec });

const events = () => local.putEvents();

describe('the settle execution of a drop with variants', () => {
  it('puts one Settled after both variants’ terminal events, one row each in manifest order', async () => {
    await createVariantJob(0, { endsAfterSeconds: 1530 });
    await createVariantJob(1, { endsAfterSeconds: 900, outcome: 'fail', reason: 'OOM' });
    await trackVariant(0);
    await trackVariant(1);
    const [report] = await settleDrop(local, settleInput(DROP, VARIANTS));

    expect(report?.status).toBe('SUCCEEDED');
    expect(report?.path).toEqual([
      'WhichExecution',
      'VariantsFirstPollDelay',
      'CheckVariants',
      'RouteSettle',
      'PutSettledEvent',
    ]);
    const details = expectContractEvents(events(), ['started', 'completed', 'started', 'failed', 'settled']);
    for (const [index, detail] of details.slice(0, 4).entries()) {
      const variant = VARIANTS[Math.floor(index / 2)];
      expect(detail).toMatchObject({ variant: variant?.name, dropJobName: DROP, jobName: variant?.jobName });
    }
    expect(details[4]).toEqual({
      schemaVersion: expect.any(String),
      stage: 'test',
      status: 'SETTLED',
      model: expect.objectContaining({ modelId: DROP }),
      dropJobName: DROP,
      variants: [
        {
          name: 'awq-g5',
          jobName: VARIANTS[0]?.jobName,
          status: 'COMPLETED',
          durationSeconds: details[1].durationSeconds,
          deploymentInstanceType: 'ml.g5.2xlarge',
          output: { s3Uri: details[1].output.s3Uri },
        },
        {
          name: 'fp8-g6e',
          jobName: VARIANTS[1]?.jobName,
          status: 'FAILED',
          durationSeconds: details[3].durationSeconds,
          deploymentInstanceType: 'ml.g5.2xlarge',
          failureReason: 'OOM',
        },
      ],
      endedAt: expect.any(String),
    });
    expect(report?.output).toMatchObject({ action: 'settled', detailType: DETAIL_TYPES.settled });
  });

  it('waits while a variant is still tracked, continues past its poll budget, and settles once it ends', async () => {
    await createVariantJob(0, { endsAfterSeconds: 600 });
    await createVariantJob(1, { endsAfterSeconds: 600, outcome: 'stop' });
    await trackVariant(0);
    // The second variant's tracking execution is started, and waits (the harness runs one at a time).
    await local.startExecution(STATE_MACHINE_NAME, VARIANTS[1]?.jobName ?? '', variantInput(1));
    const input = settleInput(DROP, VARIANTS, { pollsPerExecution: 3 });
    const [first] = await settleDrop(local, input, { maxExecutions: 1 });

    expect(first?.path).toEqual([
      'WhichExecution',
      'VariantsFirstPollDelay',
      'CheckVariants',
      'RouteSettle',
      'ContinueTracking',
    ]);
    const polls = first?.attempts.filter((a) => a.state === 'CheckVariants') ?? [];
    expect(polls.map((p) => p.error)).toEqual([...Array(3).fill('JobStillRunning.60s'), undefined]);
    const continuation = local.executions().at(-1);
    expect(continuation).toMatchObject({ name: `${DROP}-variants-c1`, status: 'RUNNING' });
    expect(events().map((e) => e.detailType)).not.toContain(DETAIL_TYPES.settled);

    const [tracked] = await trackVariant(1);
    expect(tracked?.status).toBe('SUCCEEDED');
    const [last] = await settleDrop(local, JSON.parse(continuation?.input ?? '{}') as SettleInput, {
      name: continuation?.name ?? '',
    });
    expect(last?.path).toEqual(['WhichExecution', 'CheckVariants', 'RouteSettle', 'PutSettledEvent']);
    const details = expectContractEvents(events(), ['started', 'completed', 'started', 'stopped', 'settled']);
    expect(details[4].variants.map((v: { status: string }) => v.status)).toEqual(['COMPLETED', 'STOPPED']);
  });

  it('follows a variant’s tracking chain through its continuations to the terminal event', async () => {
    await createVariantJob(0, { endsAfterSeconds: 3000 });
    await createVariantJob(1, { endsAfterSeconds: 600 });
    const chain = await trackVariant(0, { pollsPerExecution: 5 });
    expect(chain.length).toBeGreaterThan(2);
    await trackVariant(1);
    await settleDrop(local, settleInput(DROP, VARIANTS));

    const details = expectContractEvents(events(), [
      'started',
      'completed',
      'started',
      'completed',
      'settled',
    ]);
    expect(details[4].variants[0]).toMatchObject({
      status: 'COMPLETED',
      durationSeconds: details[1].durationSeconds,
    });
  });

  it('reports a variant whose tracking failed without a terminal event from SageMaker', async () => {
    await createVariantJob(0, { endsAfterSeconds: 600 });
    await createVariantJob(1, { endsAfterSeconds: 600, outcome: 'fail', reason: 'bad' });
    await trackVariant(0);
    // Every attempt to put the second variant's terminal event fails: its execution fails.
    local.bus.faults.requests.inject({
      error: 'InternalException',
      statusCode: 500,
      count: 100,
      operations: ['PutEvents'],
      match: (input) =>
        (input as { Entries?: { DetailType?: string }[] }).Entries?.[0]?.DetailType === DETAIL_TYPES.failed,
    });
    const [tracked] = await trackVariant(1);
    expect(tracked?.status).toBe('FAILED');
    await settleDrop(local, settleInput(DROP, VARIANTS));

    const details = expectContractEvents(events(), ['started', 'completed', 'started', 'settled']);
    expect(details[3].variants[1]).toMatchObject({ name: 'fp8-g6e', status: 'FAILED', failureReason: 'bad' });
  });

  it('retries a throttled DescribeExecution with backoff and still settles once', async () => {
    await createVariantJob(0, { endsAfterSeconds: 600 });
    await createVariantJob(1, { endsAfterSeconds: 600 });
    await trackVariant(0);
    await trackVariant(1);
    local.stepFunctions.faults.inject({
      error: 'ThrottlingException',
      count: 2,
      operations: ['DescribeExecution'],
    });
    const [report] = await settleDrop(local, settleInput(DROP, VARIANTS));

    expect(report?.status).toBe('SUCCEEDED');
    const errors = report?.attempts.filter((a) => a.state === 'CheckVariants').map((a) => a.error);
    expect(errors).toEqual(['StepFunctionsUnavailable', 'StepFunctionsUnavailable', undefined]);
    expectContractEvents(events(), ['started', 'completed', 'started', 'completed', 'settled']);
  });
});
