/**
 * A drop with two variants on the local stack (a child process, the fast pipeline), through the
 * real SDK clients: two jobs, each with exactly one Started and one terminal event naming its
 * variant, and exactly one `Model Optimization Variants Settled` listing both, in manifest
 * order. The second case kills the stack (SIGKILL) while the jobs run, delivers the drop's
 * notification again, restarts the stack on its state, and expects the same.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeOptimizationJobCommand, ResourceNotFound } from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';
import { type StoredEvent, TERMINAL } from '../../harness/bus-events';
import { FAST_JOB_ENV, FAST_PIPELINE_ENV } from '../../harness/fast-pipeline';
import { type Drop, dropManifest, redeliver } from '../../harness/model-drops';
import { connect, type Target } from '../../harness/stack-target';
import { type ChildStack, startChildStack } from '../../local/startup/child-stack';
import { DETAIL_TYPES } from '../../src/events/contract';

const SETTLED = DETAIL_TYPES.settled;
const MANIFEST = {
  techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'awq' } } }],
  environment: { OPTION_DTYPE: 'fp16' },
  variants: [
    { name: 'awq-g5', deploymentInstanceType: 'ml.g5.12xlarge' },
    {
      name: 'fp8-g6e',
      deploymentInstanceType: 'ml.g6e.12xlarge',
      techniques: [{ quantization: { environment: { OPTION_QUANTIZE: 'fp8' } } }],
    },
  ],
};

let stack: ChildStack | undefined;
let target: Target | undefined;
afterEach(async () => {
  target?.destroy();
  await stack?.stop();
});

async function start(dataDir: string, keepState = false) {
  stack = await startChildStack({
    dataDir,
    speed: 400,
    keepState,
    ...(stack && { port: stack.port }),
    functionEnvironment: FAST_PIPELINE_ENV,
    // Jobs run for 20 simulated minutes (3 real seconds): long enough to kill the stack under them.
    env: { LOCAL_FUNCTION_LOG_LEVEL: 'SILENT', ...FAST_JOB_ENV, LOCAL_SAGEMAKER_INPROGRESS_SECONDS: '1200' },
  });
  return stack;
}

async function waitFor(what: string, done: (events: StoredEvent[]) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = target?.events() ?? [];
    if (done(events)) return events;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ofDrop = (events: StoredEvent[], drop: Drop) =>
  events.filter((e) => e.detail.dropJobName === drop.jobName);
const settledOf = (events: StoredEvent[], drop: Drop) =>
  ofDrop(events, drop).filter((e) => e['detail-type'] === SETTLED);

/** Exactly one Started and one terminal event per variant job, and one Settled listing both. */
async function expectSettledOnce(drop: Drop) {
  // The settle execution ends after its put; then nothing more may arrive for this drop.
  const events = await waitFor('Variants Settled', (all) => settledOf(all, drop).length > 0);
  const jobEvents = ofDrop(events, drop).filter((e) => e['detail-type'] !== SETTLED);
  const byVariant: Record<string, StoredEvent[]> = {};
  for (const e of jobEvents) {
    const variant = String(e.detail.variant);
    byVariant[variant] = [...(byVariant[variant] ?? []), e];
  }
  expect(Object.keys(byVariant).sort()).toEqual(['awq-g5', 'fp8-g6e']);
  const jobNames: string[] = [];
  for (const [variant, list] of Object.entries(byVariant)) {
    const types = list.map((e) => e['detail-type']);
    expect(
      types.filter((t) => t === DETAIL_TYPES.started),
      variant,
    ).toHaveLength(1);
    expect(
      types.filter((t) => TERMINAL.includes(t)),
      variant,
    ).toEqual([DETAIL_TYPES.completed]);
    const names = new Set(list.map((e) => e.detail.jobName));
    expect(names.size).toBe(1);
    const [jobName = ''] = names;
    expect(jobName).toContain(`-${variant}-`);
    jobNames.push(jobName);
  }
  const settled = settledOf(events, drop);
  expect(settled).toHaveLength(1);
  expect(settled[0]?.detail).toMatchObject({
    status: 'SETTLED',
    dropJobName: drop.jobName,
    variants: [
      { name: 'awq-g5', status: 'COMPLETED', deploymentInstanceType: 'ml.g5.12xlarge' },
      { name: 'fp8-g6e', status: 'COMPLETED', deploymentInstanceType: 'ml.g6e.12xlarge' },
    ],
  });
  expect(settled[0]?.detail.variants.map((v: { jobName: string }) => v.jobName).sort()).toEqual(
    jobNames.sort(),
  );
  // Settled follows every variant's terminal event.
  const lastTerminal = Math.max(
    ...events.flatMap((e, i) =>
      e.detail.dropJobName === drop.jobName && TERMINAL.includes(e['detail-type']) ? [i] : [],
    ),
  );
  expect(events.indexOf(settled[0] as StoredEvent)).toBeGreaterThan(lastTerminal);

  // Each variant's job carries its tags; the drop's own job name names no job.
  const t = target as Target;
  for (const [variant, list] of Object.entries(byVariant)) {
    const job = await t.sageMaker.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: list[0]?.detail.jobName }),
    );
    expect(job.DeploymentInstanceType).toBe(variant === 'awq-g5' ? 'ml.g5.12xlarge' : 'ml.g6e.12xlarge');
    expect(job.OptimizationEnvironment).toEqual({ OPTION_DTYPE: expect.any(String) });
  }
  await expect(
    t.sageMaker.send(new DescribeOptimizationJobCommand({ OptimizationJobName: drop.jobName })),
  ).rejects.toBeInstanceOf(ResourceNotFound);
}

describe('a drop with variants, on the local stack', { timeout: 240_000 }, () => {
  it('starts one job per variant and puts one Variants Settled listing both', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-variants-')), 'data');
    const s = await start(dataDir);
    target = await connect(s.endpoint, join(dataDir, 'events.jsonl'));
    const drop = await dropManifest(target, 'variants-e2e', MANIFEST, 'Completed');
    await expectSettledOnce(drop);
  });

  it('keeps exactly once when the stack is killed while the jobs run and the drop is delivered again', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mop-variants-crash-')), 'data');
    let s = await start(dataDir);
    target = await connect(s.endpoint, join(dataDir, 'events.jsonl'));
    const drop = await dropManifest(target, 'variants-crash', MANIFEST, 'Completed');
    await waitFor(
      'both Started events',
      (all) => ofDrop(all, drop).filter((e) => e['detail-type'] === DETAIL_TYPES.started).length === 2,
    );
    await redeliver(target, drop);
    // The kill must come while the jobs run (each runs 3 real seconds from its Started).
    expect(ofDrop(target.events(), drop).filter((e) => TERMINAL.includes(e['detail-type']))).toEqual([]);
    await s.kill();
    s = await start(dataDir, true);
    await redeliver(target, drop);
    await expectSettledOnce(drop);
  });
});
