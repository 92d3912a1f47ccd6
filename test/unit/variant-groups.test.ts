/**
 * `list`/`watch` grouping of a drop's variants: which settle chains are described, how the jobs
 * of one drop become one entry, how the table shows it, and a drop's exit code.
 */
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { dropLines, dropVerdict, entryRows } from '../../src/cli/render';
import { type DropProgress, worstOutcome } from '../../src/client/follow-drop';
import type { JobSummary } from '../../src/client/job-list';
import {
  type DropGroup,
  type DropVariants,
  groupJobs,
  isDropGroup,
  settleChains,
  variantNamePrefix,
} from '../../src/client/variant-groups';
import { jobNameFor, variantJobNameFor } from '../../src/job/job-name';

const identity = { bucket: 'drops', key: 'models/llama/optimization.json', version: 'v1' };
const DROP = jobNameFor('llama', identity);
const AWQ = variantJobNameFor('llama', identity, 'awq-g5');
const FP8 = variantJobNameFor('llama', identity, 'fp8-g6e');

const job = (jobName: string, status = 'COMPLETED', createdAt = '2026-12-01T10:00:00.000Z'): JobSummary => ({
  jobName,
  status,
  createdAt,
  techniques: ['quantization'],
});
const execution = (name: string, start: string, status = 'RUNNING'): ExecutionListItem => ({
  name,
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:track:${name}`,
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:track',
  status: status as ExecutionListItem['status'],
  startDate: new Date(start),
});
const drop = (settleStatus: string): DropVariants => ({
  dropJobName: DROP,
  modelId: 'llama',
  variants: [
    { name: 'awq-g5', jobName: AWQ, deploymentInstanceType: 'ml.g5.12xlarge' },
    { name: 'fp8-g6e', jobName: FP8, deploymentInstanceType: 'ml.g6e.12xlarge' },
  ],
  settleStatus,
});

describe('settle chains among listed executions', () => {
  const since = new Date('2026-12-01T09:00:00Z');

  it('takes a drop chain with its continuations: the first to describe, the latest status', () => {
    const chains = settleChains(
      [
        execution(`${DROP}-variants-c1`, '2026-12-01T12:00:00Z', 'SUCCEEDED'),
        execution(AWQ, '2026-12-01T10:00:01Z', 'SUCCEEDED'),
        execution(`${DROP}-variants`, '2026-12-01T10:00:02Z', 'SUCCEEDED'),
      ],
      since,
      [FP8, AWQ],
    );
    expect([...chains.keys()]).toEqual([DROP]);
    expect(chains.get(DROP)?.first?.name).toBe(`${DROP}-variants`);
    expect(chains.get(DROP)?.latest.name).toBe(`${DROP}-variants-c1`);
  });

  it('describes no chain older than the listing or of a drop none of whose variants is listed', () => {
    const other = jobNameFor('mistral', identity);
    const executions = [
      execution(`${DROP}-variants`, '2026-12-01T08:00:00Z'),
      execution(`${other}-variants`, '2026-12-01T10:00:00Z'),
    ];
    expect(settleChains(executions, since, [AWQ, FP8]).size).toBe(0);
    expect(
      settleChains(executions, since, [job('gemma-0123456789').jobName, job('llama2-0123456789').jobName])
        .size,
    ).toBe(0);
  });

  it('recognises every variant job name of a drop by its prefix, long model ids included', () => {
    const long = 'an-extremely-long-model-identifier-that-runs-past-the-job-name-limit';
    const named = { ...identity, key: `models/${long}/optimization.json` };
    const prefix = variantNamePrefix(jobNameFor(long, named));
    for (const variant of ['a', 'awq-g5', 'twenty-chars-variant']) {
      expect(variantJobNameFor(long, named, variant).startsWith(prefix)).toBe(true);
    }
  });
});

describe('grouping the listed jobs of a drop with variants', () => {
  it('puts the variants together, in manifest order, where the newest was', () => {
    const jobs = [
      job('plain-newest-0123456789'),
      job(FP8, 'INPROGRESS'),
      job('plain-between-0123456789'),
      job(AWQ, 'COMPLETED', '2026-12-01T09:59:00.000Z'),
    ];
    const entries = groupJobs(jobs, [drop('RUNNING')]);
    expect(entries.map((e) => (isDropGroup(e) ? `group ${e.dropJobName}` : e.jobName))).toEqual([
      'plain-newest-0123456789',
      `group ${DROP}`,
      'plain-between-0123456789',
    ]);
    const group = entries[1] as DropGroup;
    expect(group).toMatchObject({
      modelId: 'llama',
      settle: 'waiting',
      variantCount: 2,
      createdAt: '2026-12-01T09:59:00.000Z',
      variants: [
        { variant: 'awq-g5', jobName: AWQ, status: 'COMPLETED' },
        { variant: 'fp8-g6e', jobName: FP8, status: 'INPROGRESS' },
      ],
    });
    expect(group.lastEvent).toBeUndefined();
  });

  it('says settled once the chain has put Variants Settled; keeps only the listed variants', () => {
    const [group] = groupJobs([job(FP8)], [drop('SUCCEEDED')]) as DropGroup[];
    expect(group).toMatchObject({
      settle: 'settled',
      lastEvent: 'Model Optimization Variants Settled',
      variantCount: 2,
      variants: [{ variant: 'fp8-g6e' }],
    });
  });

  it('leaves jobs alone when no drop has variants', () => {
    const jobs = [job('a-0123456789'), job('b-0123456789')];
    expect(groupJobs(jobs, [])).toEqual(jobs);
  });
});

describe('the job table of grouped entries', () => {
  it('has a group row naming the drop, model and settle state, then an indented row per variant', () => {
    const rows = entryRows(groupJobs([job('plain-0123456789'), job(FP8), job(AWQ)], [drop('SUCCEEDED')]));
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['plain-0123456789', 'COMPLETED'],
      [`${DROP} (llama, 2 variants)`, 'SETTLED'],
      [`  awq-g5   ${AWQ}`, 'COMPLETED'],
      [`  fp8-g6e  ${FP8}`, 'COMPLETED'],
    ]);
    expect(rows[1]?.[5]).toBe('Variants Settled');
  });

  it('says WAITING and how many of the variants are shown', () => {
    const rows = entryRows(groupJobs([job(AWQ, 'INPROGRESS')], [drop('RUNNING')]));
    expect(rows[0]?.slice(0, 2)).toEqual([`${DROP} (llama, 1 of 2 variants)`, 'WAITING']);
  });
});

describe("a drop's outcome: its worst variant's", () => {
  it('Completed only when every variant completed; else Failed, then Stopped; Unknown above all', () => {
    expect(worstOutcome(['Completed', 'Completed'])).toBe('Completed');
    expect(worstOutcome(['Completed', 'Stopped'])).toBe('Stopped');
    expect(worstOutcome(['Stopped', 'Failed', 'Completed'])).toBe('Failed');
    expect(worstOutcome(['Failed', undefined])).toBe('Unknown');
    expect(worstOutcome([])).toBe('Unknown');
  });
});

describe('the live lines of a followed drop', () => {
  it('one line for the drop, then one per variant, the job not there yet included', () => {
    const progress: DropProgress = {
      dropJobName: DROP,
      settled: false,
      variants: [
        { name: 'awq-g5', jobName: AWQ, outcome: 'Completed' },
        { name: 'fp8-g6e', jobName: FP8 },
      ],
    };
    expect(dropLines(progress)).toEqual([
      `${DROP}  waiting: 1 of 2 variants ended`,
      `  awq-g5   ${AWQ}  waiting for the job…`,
      `  fp8-g6e  ${FP8}  waiting for the job…`,
    ]);
    expect(dropLines({ ...progress, settled: true })[0]).toBe(`${DROP}  settled`);
    const failed: DropProgress = {
      ...progress,
      settled: true,
      variants: [
        { name: 'awq-g5', jobName: AWQ, outcome: 'Completed' },
        { name: 'fp8-g6e', jobName: FP8, outcome: 'Failed' },
      ],
    };
    expect(dropVerdict(failed, 'Failed')).toBe(
      `${DROP}: settled, 2 variants (1 Completed, 1 Failed); outcome Failed`,
    );
    expect(dropVerdict(progress, 'Unknown', 'interrupted')).toBe(`${DROP}: interrupted`);
  });
});
