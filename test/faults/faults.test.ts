/**
 * The fault suite: the pipeline on the local stack under each fault the emulators can inject.
 * Every drop must end in exactly one terminal event (Rejected for a bad drop) after exactly
 * one Started, and every SageMaker job must be tracked by one execution chain to its end.
 * Scenarios run one after another on one stack (faults are stack-wide); the table of what each
 * one measured is printed at the end. What each fault proves: docs/reliability.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { DescribeOptimizationJobCommand, StopOptimizationJobCommand } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../harness/bus-events';
import { type AuditRow, audit, formatTable, settle } from '../../harness/drop-audit';
import { FAST_JOB_DURATIONS, FAST_PIPELINE_ENV } from '../../harness/fast-pipeline';
import {
  type Drop,
  dropBadManifest,
  dropBrokenModel,
  dropManifest,
  dropModel,
  redeliver,
  variantJobs,
} from '../../harness/model-drops';
import { connect, type Target } from '../../harness/stack-target';
import type { FaultSpec } from '../../local/protocol/request-faults';
import { startChildStack } from '../../local/startup/child-stack';
import { DETAIL_TYPES } from '../../src/events/contract';
import { executionArnFor } from '../../src/execution-arn';
import { startTestStack, type TestStack } from '../support/local-stack';

/** Simulated seconds per real second: a 90 s job takes a quarter of a second. */
const SPEED = 400;
const DURATIONS = FAST_JOB_DURATIONS;
/** A short tracking schedule and one SDK attempt per call: see harness/fast-pipeline.ts. */
const FUNCTION_ENV = FAST_PIPELINE_ENV;
const STARTED = 'Model Optimization Started';
/**
 * The calls the pipeline makes, per service. Faults are scoped to them so that the suite's own
 * calls (List…, to audit) neither fail nor use them up.
 */
const PIPELINE_CALLS = {
  sagemaker: ['CreateOptimizationJob', 'DescribeOptimizationJob', 'StopOptimizationJob'],
  stepfunctions: ['StartExecution'],
  eventbridge: ['PutEvents'],
} as const;

/** The same request fault on every call the pipeline makes to SageMaker, Step Functions and EventBridge. */
async function injectEverywhere(target: Target, spec: Omit<FaultSpec, 'operations'>) {
  for (const [service, operations] of Object.entries(PIPELINE_CALLS)) {
    await target.inject(service as keyof typeof PIPELINE_CALLS, { ...spec, operations: [...operations] });
  }
}

const rows: AuditRow[] = [];

/** Settles and audits a scenario, records its row, and asserts the guarantees. */
async function expectExactlyOnce(target: Target, fault: string, prefix: string, drops: Drop[]) {
  await settle(target, drops, prefix);
  const row = await audit(target, fault, drops, prefix);
  rows.push(row);
  expect(row.problems, row.problems.join('\n')).toEqual([]);
  expect(row).toMatchObject({ lost: 0, duplicated: 0, orphaned: 0 });
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const startedAll = (target: Target, drops: Drop[]) => () =>
  drops.every((d) => eventsOf(target.events(), d.jobName).includes(STARTED));

afterAll(() => {
  if (rows.length > 0) console.log(`\nFault suite (local stack, clock ×${SPEED}):\n\n${formatTable(rows)}\n`);
});

describe('the pipeline under injected faults (local stack)', { timeout: 60_000 }, () => {
  let t: TestStack;
  let target: Target;
  beforeAll(async () => {
    t = await startTestStack({
      clockSpeed: SPEED,
      // The functions log every injected failure; the audit says what matters.
      functionLogLevel: 'SILENT',
      sageMaker: { maxConcurrentJobs: 2, durations: DURATIONS },
      functionEnvironment: FUNCTION_ENV,
    });
    target = await connect(t.stack.endpoint, t.stack.eventsLogPath, t.stack.region);
  });
  afterAll(async () => {
    target?.destroy();
    await t?.stop();
  });
  // Faults and outcome overrides are stack-wide: none outlives its scenario, passed or not.
  afterEach(async () => {
    await target?.clearFaults();
  });

  it('ends each drop in exactly one terminal event when every notification is delivered 3×', async () => {
    await target.overrideOutcome({ match: { nameContains: 'triple-fail' }, outcome: 'fail' });
    const drops = [
      await dropModel(target, 'triple-ok'),
      await dropModel(target, 'triple-fail', 'Failed'),
      await dropBadManifest(target, 'triple-bad'),
    ];
    for (const drop of drops) await redeliver(target, drop, 2);

    await expectExactlyOnce(target, 'notification delivered 3×', 'triple-', drops);
  });

  it('ends each drop in exactly one terminal event when SageMaker and Step Functions throttle every call for 2 minutes and EventBridge for 4', async () => {
    await target.overrideOutcome({ match: { nameContains: 'throttle-fail' }, outcome: 'fail' });
    const tracked = [
      await dropModel(target, 'throttle-ok'),
      await dropModel(target, 'throttle-fail', 'Failed'),
    ];
    await waitFor('Started', startedAll(target, tracked));
    // The jobs end within the window. EventBridge throttles longest, so the terminal events
    // meet throttling after DescribeOptimizationJob has recovered.
    for (const [service, operations] of Object.entries(PIPELINE_CALLS)) {
      await target.inject(service as keyof typeof PIPELINE_CALLS, {
        error: 'ThrottlingException',
        rate: 1,
        durationSeconds: service === 'eventbridge' ? 240 : 120,
        operations: [...operations],
      });
    }
    const during = [await dropModel(target, 'throttle-late'), await dropBadManifest(target, 'throttle-bad')];

    await expectExactlyOnce(
      target,
      'throttling on every call (EventBridge 240 s, others 120 s)',
      'throttle-',
      [...tracked, ...during],
    );
  });

  it('ends each drop in exactly one terminal event through bursts of 5xx on every service', async () => {
    const burst = async () => {
      await injectEverywhere(target, { error: 'InternalFailure', count: 2 });
      await injectEverywhere(target, { error: 'ServiceUnavailable', count: 2 });
    };
    await target.overrideOutcome({ match: { nameContains: 'burst5xx-fail' }, outcome: 'fail' });
    await burst();
    const drops = [
      await dropModel(target, 'burst5xx-ok'),
      await dropModel(target, 'burst5xx-fail', 'Failed'),
      await dropBadManifest(target, 'burst5xx-bad'),
    ];
    await waitFor('Started', startedAll(target, drops.slice(0, 2)));
    await burst();

    await expectExactlyOnce(target, '5xx bursts (InternalFailure, ServiceUnavailable)', 'burst5xx-', drops);
  });

  it('puts one Variants Settled for a drop with variants, each variant job ending once, when its notification arrives 3× through 5xx bursts', async () => {
    const burst = async () => {
      await injectEverywhere(target, { error: 'InternalFailure', count: 2 });
      await injectEverywhere(target, { error: 'ServiceUnavailable', count: 2 });
    };
    await burst();
    const drop = await dropManifest(
      target,
      'variants5xx-a',
      { variants: [{ name: 'one' }, { name: 'two', deploymentInstanceType: 'ml.g6e.12xlarge' }] },
      'Completed',
    );
    await redeliver(target, drop, 2);
    const jobs = variantJobs(drop, 'variants5xx-a', ['one', 'two']);
    await waitFor('Started', startedAll(target, jobs));
    await burst();

    await expectExactlyOnce(
      target,
      'a drop with 2 variants, delivered 3×, through 5xx bursts',
      'variants5xx-',
      jobs,
    );
    const settled = target
      .events()
      .filter((e) => e['detail-type'] === DETAIL_TYPES.settled && e.detail.dropJobName === drop.jobName);
    expect(settled).toHaveLength(1);
    expect(
      settled[0]?.detail.variants.map((v: { name: string; status: string }) => [v.name, v.status]),
    ).toEqual([
      ['one', 'COMPLETED'],
      ['two', 'COMPLETED'],
    ]);
  });

  it('ends each drop in exactly one terminal event when the job quota stays full for longer than maxReceiveCount deferrals', async () => {
    await target.overrideOutcome({ match: { nameContains: 'quota-hold' }, outcome: 'hang' });
    const holders = [
      await dropModel(target, 'quota-hold-1', 'Stopped'),
      await dropModel(target, 'quota-hold-2', 'Stopped'),
    ];
    await waitFor('Started', startedAll(target, holders));
    const waiting = [await dropModel(target, 'quota-ok'), await dropBadManifest(target, 'quota-bad')];
    // Longer than a visibility timeout (360 s), and longer than 30 deferrals of at most 60 s
    // (QUOTA_BACKOFF_MAX_SECONDS): the upload queue's maxReceiveCount.
    const from = t.stack.clock.now();
    await waitFor('the quota to stay full for 35 minutes', () => t.stack.clock.now() - from > 35 * 60_000);
    expect(eventsOf(target.events(), waiting[0]?.jobName ?? '')).toEqual([]);

    for (const holder of holders) {
      await target.sageMaker.send(new StopOptimizationJobCommand({ OptimizationJobName: holder.jobName }));
    }

    await expectExactlyOnce(target, 'job quota full for 35 min (> 30 deferrals)', 'quota-', [
      ...holders,
      ...waiting,
    ]);
  });

  it('rejects a folder drop whose manifest version is deleted for good before it can be read again, instead of retrying it', async () => {
    // The quota is full, so the drop's first read of the manifest ends in a deferral and the
    // next delivery reads it again: after the version is gone.
    await target.overrideOutcome({ match: { nameContains: 'goneversion-hold' }, outcome: 'hang' });
    const holders = [
      await dropModel(target, 'goneversion-hold-1', 'Stopped'),
      await dropModel(target, 'goneversion-hold-2', 'Stopped'),
    ];
    await waitFor('Started', startedAll(target, holders));
    t.stack.s3Requests.clear();
    const gone = await dropManifest(target, 'goneversion-manifest', {}, 'Rejected');
    const { Records } = JSON.parse(gone.notification) as {
      Records: [{ s3: { object: { versionId: string } } }];
    };
    const versionId = Records[0].s3.object.versionId;
    await waitFor('the first read of the manifest', () =>
      t.stack.s3Requests
        .list()
        .some((r) => r.operation === 'GetObject' && r.key === gone.key && r.status === 200),
    );
    await target.s3.send(
      new DeleteObjectCommand({ Bucket: target.bucket, Key: gone.key, VersionId: versionId }),
    );
    await waitFor('Rejected', () =>
      eventsOf(target.events(), gone.jobName).includes('Model Upload Rejected'),
    );
    for (const holder of holders) {
      await target.sageMaker.send(new StopOptimizationJobCommand({ OptimizationJobName: holder.jobName }));
    }

    await expectExactlyOnce(target, 'manifest version deleted while the drop waits', 'goneversion-', [
      ...holders,
      gone,
    ]);
    const rejected = target
      .events()
      .find((e) => e.detail.jobName === gone.jobName && e['detail-type'] === 'Model Upload Rejected');
    expect(rejected?.detail.errors).toEqual([
      { path: '$', message: `manifest version ${versionId} was deleted from the bucket` },
    ]);
  });

  it('ends each drop in exactly one terminal event when PutEvents reports failed entries', async () => {
    await target.admin('POST', '/_local/faults/eventbridge-failed-entries', { count: 5 });
    const drops = [
      await dropBadManifest(target, 'failedentry-bad'),
      await dropModel(target, 'failedentry-ok'),
      await dropBrokenModel(target, 'failedentry-broken'),
    ];
    await waitFor('Started', startedAll(target, drops.slice(1)));
    await target.admin('POST', '/_local/faults/eventbridge-failed-entries', { count: 5 });

    await expectExactlyOnce(target, 'PutEvents FailedEntry', 'failedentry-', drops);
  });

  it('ends a failing job in exactly one Failed event', async () => {
    await target.overrideOutcome({
      match: { nameContains: 'jobfail-injected' },
      outcome: 'fail',
      reason: 'ClientError: injected',
    });
    const drops = [
      await dropModel(target, 'jobfail-injected', 'Failed'),
      await dropBrokenModel(target, 'jobfail-broken'),
    ];

    await expectExactlyOnce(target, 'job FAILED', 'jobfail-', drops);
    const reasons = target
      .events()
      .filter(
        (e) => e['detail-type'] === 'Model Optimization Failed' && e.detail.jobName.startsWith('jobfail-'),
      )
      .map((e) => e.detail.failureReason);
    expect(reasons).toEqual(
      expect.arrayContaining(['ClientError: injected', expect.stringMatching(/config\.json/)]),
    );
  });

  it('ends a job stopped by someone else in exactly one Stopped event', async () => {
    await target.overrideOutcome({ match: { nameContains: 'stopped-' }, outcome: 'hang' });
    const drops = [
      await dropModel(target, 'stopped-1', 'Stopped'),
      await dropModel(target, 'stopped-2', 'Stopped'),
    ];
    await waitFor('Started', startedAll(target, drops));
    for (const drop of drops) {
      await target.sageMaker.send(new StopOptimizationJobCommand({ OptimizationJobName: drop.jobName }));
    }

    await expectExactlyOnce(target, 'job STOPPED by someone else', 'stopped-', drops);
    const stopped = target.events().filter((e) => e['detail-type'] === 'Model Optimization Stopped');
    expect(
      stopped.filter((e) => e.detail.jobName.startsWith('stopped-')).map((e) => e.detail.failureReason),
    ).toEqual([
      expect.stringMatching(/stopped outside the pipeline/),
      expect.stringMatching(/stopped outside the pipeline/),
    ]);
  });

  it('stops a job that runs past its MaxRuntimeInSeconds plus grace, in exactly one Stopped event', async () => {
    await target.overrideOutcome({ match: { nameContains: 'timeout-' }, outcome: 'hang' });
    const drops = [
      await dropManifest(target, 'timeout-1', { stoppingCondition: { maxRuntimeInSeconds: 60 } }, 'Stopped'),
    ];

    await expectExactlyOnce(target, 'timeout → stop', 'timeout-', drops);
    const stopped = target
      .events()
      .find((e) => e.detail.jobName === drops[0]?.jobName && e['detail-type'].endsWith('Stopped'));
    expect(stopped?.detail.failureReason).toMatch(
      /past its MaxRuntimeInSeconds of 60 s plus 30 s grace; stopped by the pipeline/,
    );
  });

  it('resumes, not duplicates, when the start handler fails after CreateOptimizationJob and before StartExecution', async () => {
    // Three failures outlast the SDK's three attempts: the record fails with the job created.
    await target.inject('stepfunctions', {
      error: 'InternalFailure',
      count: 3,
      operations: ['StartExecution'],
    });
    const drops = [await dropModel(target, 'crash-ok')];

    await expectExactlyOnce(target, 'start handler fails between Create and StartExecution', 'crash-', drops);
    // The execution was started by the redelivery, a visibility timeout after the job was created.
    const jobName = drops[0]?.jobName ?? '';
    const job = await target.sageMaker.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: jobName }),
    );
    const execution = await target.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArnFor(target.stateMachineArn, jobName) }),
    );
    const gap = (execution.startDate?.getTime() ?? 0) - (job.CreationTime?.getTime() ?? 0);
    expect(gap).toBeGreaterThanOrEqual(360_000);
  });
});

describe('the pipeline when the local stack is killed (kill -9) and restarted mid-job', {
  timeout: 90_000,
}, () => {
  it('tracks each job to exactly one terminal event after the restart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-restart-')), 'data');
    const env = {
      LOCAL_FUNCTION_LOG_LEVEL: 'SILENT',
      LOCAL_SAGEMAKER_STARTING_SECONDS: '30',
      LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '600',
      LOCAL_SAGEMAKER_STOPPING_SECONDS: '20',
    };
    const options = { dataDir, speed: SPEED, functionEnvironment: FUNCTION_ENV, env };
    let stack = await startChildStack(options);
    let target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));
    try {
      await target.overrideOutcome({ match: { nameContains: 'restart-fail' }, outcome: 'fail' });
      const drops = [
        await dropModel(target, 'restart-ok'),
        await dropModel(target, 'restart-fail', 'Failed'),
      ];
      await waitFor('Started', startedAll(target, drops));
      // Accepted by S3 an instant before the kill: their notifications must survive it.
      drops.push(await dropModel(target, 'restart-late'), await dropBadManifest(target, 'restart-bad'));
      await stack.kill();
      target.destroy();

      stack = await startChildStack({ ...options, keepState: true });
      target = await connect(stack.endpoint, join(dataDir, 'events.jsonl'));

      await expectExactlyOnce(target, 'stack killed (kill -9) and restarted mid-job', 'restart-', drops);
    } finally {
      target.destroy();
      await stack.stop();
    }
  });
});
