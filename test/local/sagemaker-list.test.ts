/** ListOptimizationJobs on the emulator: filters, sort and pagination, through the real SDK. */
import {
  CreateOptimizationJobCommand,
  type CreateOptimizationJobCommandInput,
  DescribeOptimizationJobCommand,
  ListOptimizationJobsCommand,
  type ListOptimizationJobsCommandInput,
  type OptimizationJobSummary,
  paginateListOptimizationJobs,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRequest,
  errorOf,
  type Harness,
  MODEL_FILES,
  pollUntil,
  putFolder,
  startHarness,
  waitForStatus,
} from './sagemaker-helpers';

let h: Harness;

/** Jobs in creation order, each created strictly after the one before. */
const JOBS: [string, Partial<CreateOptimizationJobCommandInput>][] = [
  ['alpha-quant', {}],
  ['Bravo-compile', { OptimizationConfigs: [{ ModelCompilationConfig: {} }], MaxInstanceCount: 2 }],
  ['charlie-broken', { ModelSource: { S3: { S3Uri: 's3://models/none/' } } }],
  ['delta-hang', { OptimizationConfigs: [{ ModelShardingConfig: {} }, { ModelQuantizationConfig: {} }] }],
  ['echo-quant', {}],
];
const names = JOBS.map(([name]) => name);

const list = (input: ListOptimizationJobsCommandInput = {}) =>
  h.client.send(new ListOptimizationJobsCommand(input));
const namesOf = (summaries: OptimizationJobSummary[] | undefined) =>
  (summaries ?? []).map((s) => s.OptimizationJobName);

beforeAll(async () => {
  // Phases shorter than the gap between creations: last-modified times keep the creation order.
  h = await startHarness({ durations: { startingSeconds: 0.5, inProgressSeconds: 1, stoppingSeconds: 1 } });
  await putFolder(h.store, 'models', 'llama/', MODEL_FILES);
  h.emulator.faults.overrideOutcome({ match: { name: 'delta-hang' }, outcome: 'hang' });
  for (const [name, overrides] of JOBS) {
    await h.client.send(new CreateOptimizationJobCommand(createRequest(name, overrides)));
    // At least 3 real ms (3 simulated seconds) between creations.
    const created = Date.now();
    await pollUntil(
      async () => Date.now(),
      (now) => now > created + 2,
    );
  }
  for (const name of names) {
    if (name !== 'delta-hang') await waitForStatus(h.client, name);
  }
});
afterAll(() => h.close());

describe('ListOptimizationJobs', () => {
  it('lists every job in creation order by default, with full summaries', async () => {
    const { OptimizationJobSummaries: summaries, NextToken } = await list();
    expect(NextToken).toBeUndefined();
    expect(namesOf(summaries)).toEqual(names);
    expect(summaries?.[1]).toMatchObject({
      OptimizationJobName: 'Bravo-compile',
      OptimizationJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:optimization-job/bravo-compile',
      OptimizationJobStatus: 'COMPLETED',
      DeploymentInstanceType: 'ml.g5.2xlarge',
      MaxInstanceCount: 2,
      OptimizationTypes: ['ModelCompilationConfig'],
      CreationTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
      OptimizationStartTime: expect.any(Date),
      OptimizationEndTime: expect.any(Date),
    });
    expect(summaries?.[3]?.OptimizationTypes).toEqual(['ModelShardingConfig', 'ModelQuantizationConfig']);
  });

  it('filters by NameContains, case-insensitively', async () => {
    expect(namesOf((await list({ NameContains: 'QUANT' })).OptimizationJobSummaries)).toEqual([
      'alpha-quant',
      'echo-quant',
    ]);
  });

  it('filters by StatusEquals', async () => {
    expect(namesOf((await list({ StatusEquals: 'FAILED' })).OptimizationJobSummaries)).toEqual([
      'charlie-broken',
    ]);
    expect(namesOf((await list({ StatusEquals: 'INPROGRESS' })).OptimizationJobSummaries)).toEqual([
      'delta-hang',
    ]);
  });

  it('filters by OptimizationContains against the optimization types', async () => {
    expect(namesOf((await list({ OptimizationContains: 'Compilation' })).OptimizationJobSummaries)).toEqual([
      'Bravo-compile',
    ]);
    expect(namesOf((await list({ OptimizationContains: 'sharding' })).OptimizationJobSummaries)).toEqual([
      'delta-hang',
    ]);
  });

  it('filters by creation time (exclusive bounds)', async () => {
    const describe = (name: string) =>
      h.client.send(new DescribeOptimizationJobCommand({ OptimizationJobName: name }));
    const bravo = await describe('Bravo-compile');
    const delta = await describe('delta-hang');
    const between = await list({
      CreationTimeAfter: bravo.CreationTime,
      CreationTimeBefore: delta.CreationTime,
    });
    expect(namesOf(between.OptimizationJobSummaries)).toEqual(['charlie-broken']);
  });

  it('filters by last-modified time', async () => {
    const delta = await h.client.send(
      new DescribeOptimizationJobCommand({ OptimizationJobName: 'delta-hang' }),
    );
    const modifiedAfter = await list({ LastModifiedTimeAfter: delta.LastModifiedTime });
    expect(namesOf(modifiedAfter.OptimizationJobSummaries)).toEqual(['echo-quant']);
    const modifiedBefore = await list({ LastModifiedTimeBefore: delta.LastModifiedTime });
    expect(namesOf(modifiedBefore.OptimizationJobSummaries)).toEqual([
      'alpha-quant',
      'Bravo-compile',
      'charlie-broken',
    ]);
  });

  it('sorts by Name and CreationTime in either order', async () => {
    const byName = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    expect(namesOf((await list({ SortBy: 'Name' })).OptimizationJobSummaries)).toEqual(byName);
    expect(
      namesOf((await list({ SortBy: 'Name', SortOrder: 'Descending' })).OptimizationJobSummaries),
    ).toEqual([...byName].reverse());
    expect(namesOf((await list({ SortOrder: 'Descending' })).OptimizationJobSummaries)).toEqual(
      [...names].reverse(),
    );
  });

  it('sorts by Status', async () => {
    const statuses = ((await list({ SortBy: 'Status' })).OptimizationJobSummaries ?? []).map(
      (s) => s.OptimizationJobStatus,
    );
    expect(statuses).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'INPROGRESS']);
  });

  it('pages with MaxResults and an opaque NextToken', async () => {
    const first = await list({ MaxResults: 2, SortBy: 'Name' });
    expect(namesOf(first.OptimizationJobSummaries)).toEqual(['alpha-quant', 'Bravo-compile']);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await list({ MaxResults: 2, SortBy: 'Name', NextToken: first.NextToken });
    expect(namesOf(second.OptimizationJobSummaries)).toEqual(['charlie-broken', 'delta-hang']);
    const third = await list({ MaxResults: 2, SortBy: 'Name', NextToken: second.NextToken });
    expect(namesOf(third.OptimizationJobSummaries)).toEqual(['echo-quant']);
    expect(third.NextToken).toBeUndefined();
  });

  it('collects every job with paginateListOptimizationJobs', async () => {
    const pages: string[][] = [];
    for await (const page of paginateListOptimizationJobs(
      { client: h.client, pageSize: 2 },
      { SortOrder: 'Descending' },
    )) {
      pages.push(namesOf(page.OptimizationJobSummaries) as string[]);
    }
    expect(pages).toEqual([
      ['echo-quant', 'delta-hang'],
      ['charlie-broken', 'Bravo-compile'],
      ['alpha-quant'],
    ]);
  });

  it('rejects a NextToken it did not issue, or one issued for another query', async () => {
    const garbage = await errorOf(() => list({ NextToken: 'not-a-token' }));
    expect(garbage.name).toBe('ValidationException');
    const { NextToken } = await list({ MaxResults: 1 });
    const other = await errorOf(() => list({ MaxResults: 1, SortBy: 'Name', NextToken }));
    expect(other.name).toBe('ValidationException');
    expect(other.message).toContain('NextToken');
  });
});
