/**
 * The settle branch of the real statemachines/track-optimization-job.asl.json: a drop with
 * variants has one tracking chain per variant job and one `<drop>-variants` execution that
 * puts `Model Optimization Variants Settled` once every chain has ended. Run by the local
 * runner on a virtual clock against FakeAws (which answers DescribeExecution from the chains
 * the test ran).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeAws } from '../../harness/fake-aws';
import {
  fakeClients,
  STATE_MACHINE_ARN,
  settleDrop,
  settleInput,
  type Tracker,
  trackerDefinition,
  trackingInput,
  trackJob,
} from '../../harness/tracker-on-fake-aws';
import { type VirtualClock, virtualClock } from '../../local/time/clock';
import { DETAIL_TYPES } from '../../src/events/contract';
import { executionArnFor } from '../../src/execution-arn';
import { expectContractEvents } from '../support/contract';

const definition = trackerDefinition();
const T0 = new Date('2026-03-01T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const DROP = 'llama-abc1234567';
const VARIANTS = [
  { name: 'awq-g5', jobName: 'llama-awq-g5-1111111111' },
  { name: 'fp8-g6e', jobName: 'llama-fp8-g6e-2222222222' },
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

/** Tracks one variant's job as start-optimization would: its input names the variant and the drop. */
function trackVariant(index: number, tracking = {}) {
  const variant = VARIANTS[index];
  if (!variant) throw new Error(`no variant ${index}`);
  return trackJob(tracker, {
    ...trackingInput(variant.jobName, { tracking }),
    variant: variant.name,
    dropJobName: DROP,
  });
}

describe('the settle execution of a drop with variants', () => {
  it('puts one Settled after both variants’ terminal events, one row each in manifest order', async () => {
    fake.addJob({ name: VARIANTS[0]?.jobName ?? '', endsAt: at(1530) });
    fake.addJob({
      name: VARIANTS[1]?.jobName ?? '',
      endsAt: at(900),
      finalStatus: 'FAILED',
      failureReason: 'OOM',
    });
    await trackVariant(0);
    await trackVariant(1);
    const [report] = await settleDrop(tracker, settleInput(DROP, VARIANTS));

    expect(report?.status).toBe('SUCCEEDED');
    expect(report?.path).toEqual([
      'WhichExecution',
      'VariantsFirstPollDelay',
      'CheckVariants',
      'RouteSettle',
      'PutSettledEvent',
    ]);
    const details = expectContractEvents(fake.events, [
      'started',
      'completed',
      'started',
      'failed',
      'settled',
    ]);
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
    fake.addJob({ name: VARIANTS[0]?.jobName ?? '', endsAt: at(600) });
    fake.addJob({ name: VARIANTS[1]?.jobName ?? '', endsAt: at(600), finalStatus: 'STOPPED' });
    await trackVariant(0);
    // The second variant's tracking execution has started and not ended (the runner is sequential).
    const second = VARIANTS[1]?.jobName ?? '';
    fake.executions.push({
      at: new Date(clock.now()),
      stateMachineArn: STATE_MACHINE_ARN,
      name: second,
      executionArn: executionArnFor(STATE_MACHINE_ARN, second),
      input: {},
    });
    const input = settleInput(DROP, VARIANTS, { pollsPerExecution: 3 });
    const [first] = await settleDrop(tracker, input, { maxExecutions: 1 });

    expect(first?.path).toEqual([
      'WhichExecution',
      'VariantsFirstPollDelay',
      'CheckVariants',
      'RouteSettle',
      'ContinueTracking',
    ]);
    const polls = first?.attempts.filter((a) => a.state === 'CheckVariants') ?? [];
    expect(polls.map((p) => p.error)).toEqual([...Array(3).fill('JobStillRunning.60s'), undefined]);
    const continuation = fake.executions.at(-1);
    expect(continuation?.name).toBe(`${DROP}-variants-c1`);
    expect(fake.events.map((e) => e.detailType)).not.toContain(DETAIL_TYPES.settled);

    await trackVariant(1);
    const [last] = await settleDrop(tracker, continuation?.input as typeof input, {
      name: continuation?.name ?? '',
    });
    expect(last?.path).toEqual(['WhichExecution', 'CheckVariants', 'RouteSettle', 'PutSettledEvent']);
    const details = expectContractEvents(fake.events, [
      'started',
      'completed',
      'started',
      'stopped',
      'settled',
    ]);
    expect(details[4].variants.map((v: { status: string }) => v.status)).toEqual(['COMPLETED', 'STOPPED']);
  });

  it('follows a variant’s tracking chain through its continuations to the terminal event', async () => {
    fake.addJob({ name: VARIANTS[0]?.jobName ?? '', endsAt: at(3000) });
    fake.addJob({ name: VARIANTS[1]?.jobName ?? '', endsAt: at(600) });
    const chain = await trackVariant(0, { pollsPerExecution: 5 });
    expect(chain.length).toBeGreaterThan(2);
    await trackVariant(1);
    await settleDrop(tracker, settleInput(DROP, VARIANTS));

    const details = expectContractEvents(fake.events, [
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
    fake.addJob({ name: VARIANTS[0]?.jobName ?? '', endsAt: at(600) });
    fake.addJob({
      name: VARIANTS[1]?.jobName ?? '',
      endsAt: at(600),
      finalStatus: 'FAILED',
      failureReason: 'bad',
    });
    await trackVariant(0);
    // Every attempt to put the second variant's terminal event fails: its execution fails.
    fake.inject(
      'AWSEvents.PutEvents',
      { status: 500, type: 'InternalException' },
      100,
      (body) => body.Entries?.[0]?.DetailType === DETAIL_TYPES.failed,
    );
    const [tracked] = await trackVariant(1);
    expect(tracked?.status).toBe('FAILED');
    await settleDrop(tracker, settleInput(DROP, VARIANTS));

    const details = expectContractEvents(fake.events, ['started', 'completed', 'started', 'settled']);
    expect(details[3].variants[1]).toMatchObject({ name: 'fp8-g6e', status: 'FAILED', failureReason: 'bad' });
  });

  it('retries a throttled DescribeExecution with backoff and still settles once', async () => {
    fake.addJob({ name: VARIANTS[0]?.jobName ?? '', endsAt: at(600) });
    fake.addJob({ name: VARIANTS[1]?.jobName ?? '', endsAt: at(600) });
    await trackVariant(0);
    await trackVariant(1);
    fake.inject('AWSStepFunctions.DescribeExecution', { status: 400, type: 'ThrottlingException' }, 2);
    const [report] = await settleDrop(tracker, settleInput(DROP, VARIANTS));

    expect(report?.status).toBe('SUCCEEDED');
    const errors = report?.attempts.filter((a) => a.state === 'CheckVariants').map((a) => a.error);
    expect(errors).toEqual(['StepFunctionsUnavailable', 'StepFunctionsUnavailable', undefined]);
    expectContractEvents(fake.events, ['started', 'completed', 'started', 'completed', 'settled']);
  });
});
