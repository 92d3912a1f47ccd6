import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventPatternError, EventsLog, filterEvents, type LoggedEvent } from '../../local/console/events-log';
import { buildJobRows } from '../../local/console/jobs-view';
import type { ExecutionRecord } from '../../local/stepfunctions/service';
import { DropError, planDrop } from '../../src/drop/drop-plan';

const event = (
  type: string,
  jobName: string,
  time: string,
  detail: Record<string, unknown> = {},
): LoggedEvent => ({
  version: '0',
  id: `${type}-${jobName}`,
  'detail-type': type,
  source: 'model-optimization-pipeline',
  account: '000000000000',
  time,
  region: 'us-east-1',
  resources: [],
  detail: { jobName, ...detail },
});

const execution = (
  name: string,
  input: unknown,
  overrides: Partial<ExecutionRecord> = {},
): ExecutionRecord => ({
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:track:${name}`,
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:track',
  name,
  status: 'SUCCEEDED',
  input: JSON.stringify(input),
  startDate: Date.parse('2026-01-01T00:00:10Z'),
  ...overrides,
});

describe('the console jobs table', () => {
  it('folds a job, its continuations, its SageMaker status and its events into one row', () => {
    const input = {
      jobName: 'tiny-abc',
      droppedAt: '2026-01-01T00:00:00Z',
      model: { key: 'models/tiny.tar.gz' },
    };
    const rows = buildJobRows({
      executions: [
        execution('tiny-abc', input, {
          history: [{ state: 'CheckJob', enteredAt: 0, input: {}, exitedAt: 1, retries: 8 }],
        }),
        execution(
          'tiny-abc-c1',
          { ...input, continuation: { index: 1 } },
          {
            status: 'RUNNING',
            startDate: Date.parse('2026-01-01T00:10:00Z'),
            history: [{ state: 'CheckJob', enteredAt: 2, input: {}, retries: 3 }],
          },
        ),
      ],
      events: [event('Model Optimization Started', 'tiny-abc', '2026-01-01T00:00:20Z')],
      statuses: new Map([['tiny-abc', { status: 'INPROGRESS' }]]),
      drops: [{ key: 'models/tiny.tar.gz', at: Date.parse('2026-01-01T00:00:00Z') }],
    });

    expect(rows).toEqual([
      {
        id: 'tiny-abc',
        dropKey: 'models/tiny.tar.gz',
        jobName: 'tiny-abc',
        sageMakerStatus: 'INPROGRESS',
        tracking: { status: 'RUNNING', state: 'CheckJob', executions: 2, polls: 11 },
        startedAt: Date.parse('2026-01-01T00:00:00Z'),
        lastEvent: 'Model Optimization Started',
        outcome: 'pending',
      },
    ]);
  });

  it('shows a rejected drop, and a drop no execution names yet, newest first', () => {
    const rows = buildJobRows({
      executions: [
        execution('bad-123-rejected', {
          rejection: { jobName: 'bad-123', model: { key: 'models/bad/optimization.json' } },
        }),
      ],
      events: [event('Model Upload Rejected', 'bad-123', '2026-01-01T00:00:11Z')],
      statuses: new Map(),
      drops: [
        { key: 'models/bad/optimization.json', at: Date.parse('2026-01-01T00:00:09Z') },
        { key: 'models/new.tar.gz', at: Date.parse('2026-01-01T00:01:00Z') },
      ],
    });

    expect(rows.map((r) => [r.id, r.outcome, r.sageMakerStatus, r.endedAt])).toEqual([
      ['models/new.tar.gz', 'pending', undefined, undefined],
      ['bad-123', 'rejected', 'REJECTED', Date.parse('2026-01-01T00:00:11Z')],
    ]);
  });

  it("keeps why: a rejected drop's errors, a failed job's reason (SageMaker's first, else its event's)", () => {
    const errors = [
      { path: '$.deploymentInstanceType', message: '"ml.m5.large" is not an instance type' },
      { path: '$.techniques[0]', message: 'unknown technique' },
    ];
    const job = (name: string) => execution(name, { jobName: name, model: { key: `models/${name}.tar.gz` } });
    const rows = buildJobRows({
      executions: [
        execution('bad-1-rejected', { rejection: { jobName: 'bad-1', model: { key: 'models/bad/m.json' } } }),
        job('told-1'),
        job('untold-1'),
      ],
      events: [
        event('Model Upload Rejected', 'bad-1', '2026-01-01T00:00:11Z', { errors }),
        event('Model Optimization Failed', 'told-1', '2026-01-01T00:01:00Z', {
          failureReason: 'from the event',
        }),
        event('Model Optimization Failed', 'untold-1', '2026-01-01T00:01:00Z', {
          failureReason: 'the event says',
        }),
      ],
      statuses: new Map([
        ['told-1', { status: 'FAILED', failureReason: 'ClientError: no config.json in s3://b/models/told' }],
        ['untold-1', { status: 'FAILED' }],
      ]),
      drops: [],
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get('bad-1')?.rejectionErrors).toEqual(errors);
    expect(byId.get('told-1')?.failureReason).toBe('ClientError: no config.json in s3://b/models/told');
    expect(byId.get('untold-1')?.failureReason).toBe('the event says');
  });
});

describe('the console jobs table, a drop with variants', () => {
  const model = { key: 'models/phi/optimization.json' };
  const variantInput = (variant: string) => ({
    jobName: `phi-${variant}-h`,
    variant,
    dropJobName: 'phi-drop',
    droppedAt: '2026-01-01T00:00:00Z',
    model,
  });
  const settleInput = {
    dropJobName: 'phi-drop',
    model,
    variants: [
      { name: 'awq', jobName: 'phi-awq-h', deploymentInstanceType: 'ml.g5.12xlarge' },
      { name: 'fp8', jobName: 'phi-fp8-h', deploymentInstanceType: 'ml.g6e.12xlarge' },
    ],
  };
  const sources = (events: LoggedEvent[]) => ({
    executions: [
      execution('phi-awq-h', variantInput('awq'), { startDate: Date.parse('2026-01-01T00:00:10Z') }),
      execution(
        'plain-h',
        { jobName: 'plain-h', model: { key: 'models/plain.tar.gz' } },
        {
          startDate: Date.parse('2026-01-01T00:00:11Z'),
        },
      ),
      execution('phi-fp8-h', variantInput('fp8'), { startDate: Date.parse('2026-01-01T00:00:12Z') }),
      execution('phi-drop-variants', settleInput, { startDate: Date.parse('2026-01-01T00:00:13Z') }),
      execution(
        'phi-drop-variants-c1',
        { ...settleInput, continuation: { index: 1 } },
        { status: 'RUNNING', startDate: Date.parse('2026-01-01T00:20:00Z') },
      ),
    ],
    events,
    statuses: new Map([
      ['phi-awq-h', { status: 'COMPLETED' }],
      ['phi-fp8-h', { status: 'COMPLETED' }],
    ]),
    drops: [],
  });

  it('is a group row (its settle chain) with its variants’ rows under it, manifest order', () => {
    const rows = buildJobRows(sources([]));
    expect(rows.map((r) => [r.id, r.variant, r.outcome])).toEqual([
      ['phi-drop', undefined, 'pending'],
      ['phi-awq-h', 'awq', 'pending'],
      ['phi-fp8-h', 'fp8', 'pending'],
      ['plain-h', undefined, 'pending'],
    ]);
    expect(rows[0]).toMatchObject({
      dropKey: 'models/phi/optimization.json',
      group: {
        variants: [
          { name: 'awq', jobName: 'phi-awq-h' },
          { name: 'fp8', jobName: 'phi-fp8-h' },
        ],
      },
      tracking: { status: 'RUNNING', executions: 2 },
    });
    expect(rows[1]).toMatchObject({ dropJobName: 'phi-drop', sageMakerStatus: 'COMPLETED' });
  });

  it('is settled once Variants Settled is on the bus; the drop’s name scopes its events', () => {
    const settled = {
      ...event('Model Optimization Variants Settled', 'x', '2026-01-01T00:30:00Z'),
      detail: { dropJobName: 'phi-drop', status: 'SETTLED' },
    };
    const completed = event('Model Optimization Completed', 'phi-awq-h', '2026-01-01T00:25:00Z', {
      dropJobName: 'phi-drop',
      variant: 'awq',
    });
    const [group] = buildJobRows(sources([completed, settled]));
    expect(group).toMatchObject({
      id: 'phi-drop',
      outcome: 'settled',
      lastEvent: 'Model Optimization Variants Settled',
      endedAt: Date.parse('2026-01-01T00:30:00Z'),
    });
    const other = event('Model Optimization Completed', 'plain-h', '2026-01-01T00:26:00Z');
    expect(
      filterEvents([completed, other, settled], { jobName: 'phi-drop' }).events.map((e) => e['detail-type']),
    ).toEqual(['Model Optimization Variants Settled', 'Model Optimization Completed']);
  });
});

describe('the console events', () => {
  const events = [
    event('Model Optimization Started', 'a', '2026-01-01T00:00:01Z', { status: 'STARTING' }),
    event('Model Optimization Failed', 'a', '2026-01-01T00:00:02Z', { status: 'FAILED' }),
    event('Model Optimization Completed', 'b', '2026-01-01T00:00:03Z', { status: 'COMPLETED' }),
  ];

  it('filters with the stack’s pattern matcher, newest first, for one job or all', () => {
    const all = filterEvents(events, { patternText: '{"detail":{"status":[{"anything-but":"STARTING"}]}}' });
    expect(all.events.map((e) => e['detail-type'])).toEqual([
      'Model Optimization Completed',
      'Model Optimization Failed',
    ]);
    expect(filterEvents(events, { jobName: 'a' }).events.map((e) => e.detail)).toEqual([
      { jobName: 'a', status: 'FAILED' },
      { jobName: 'a', status: 'STARTING' },
    ]);
    expect(filterEvents(events, { patternText: '  ', limit: 1 })).toMatchObject({
      total: 3,
      events: [{ id: events[2]?.id }],
    });
  });

  it('says why a pattern is refused: not JSON, or the matcher’s own reason', () => {
    expect(() => filterEvents(events, { patternText: '{"detail-type": [' })).toThrow(EventPatternError);
    expect(() => filterEvents(events, { patternText: '{"detail-type": "x"}' })).toThrow(
      /must be an object or an array/,
    );
  });

  it('reads only what the bus appended since the last read, across partial lines', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mop-events-')), 'events.jsonl');
    const log = new EventsLog(path);
    expect(log.all()).toEqual([]);
    const [first, second] = events.map((e) => JSON.stringify(e));
    writeFileSync(path, `${first}\n${second?.slice(0, 20)}`);
    expect(log.all()).toHaveLength(1);
    appendFileSync(path, `${second?.slice(20)}\n`);
    expect(log.all().map((e) => e.id)).toEqual([events[0]?.id, events[1]?.id]);
    writeFileSync(path, `${second}\n`);
    expect(log.all().map((e) => e.id)).toEqual([events[1]?.id]);
  });
});

describe('the drop plan model-opt drop and the console share', () => {
  const file = (path: string, size = 10) => ({ path, size, file: path });

  it('puts a folder’s files first and its manifest last, `{}` when it has none', () => {
    const plan = planDrop({
      kind: 'folder',
      name: 'tiny',
      files: [file('weights/b.bin'), file('config.json')],
    });
    expect(plan.uploads.map((u) => u.key)).toEqual([
      'models/tiny/config.json',
      'models/tiny/weights/b.bin',
      'models/tiny/optimization.json',
    ]);
    expect(plan.uploads.at(-1)?.source).toEqual({ text: '{}' });
    expect(plan).toMatchObject({ modelId: 'tiny', triggerKey: 'models/tiny/optimization.json', bytes: 22 });
  });

  it('uses the folder’s own manifest, or one given, and the rules’ prefix and name', () => {
    const own = planDrop(
      { kind: 'folder', name: 'm', files: [file('manifest.json', 5), file('a')] },
      { modelsPrefix: 'drops/', manifestName: 'manifest.json' },
    );
    expect(own.uploads.map((u) => [u.key, u.source])).toEqual([
      ['drops/m/a', { file: 'a' }],
      ['drops/m/manifest.json', { file: 'manifest.json' }],
    ]);
    const given = planDrop({
      kind: 'folder',
      name: 'm',
      modelId: 'other',
      files: [file('a')],
      manifest: { size: 3, file: '/x.json' },
    });
    expect(given.uploads.at(-1)).toEqual({
      key: 'models/other/optimization.json',
      size: 3,
      source: { file: '/x.json' },
    });
  });

  it('uploads a .tar.gz alone and refuses anything else', () => {
    expect(planDrop({ kind: 'artifact', name: 'tiny.tar.gz', size: 7, file: 'f' })).toMatchObject({
      modelId: 'tiny',
      triggerKey: 'models/tiny.tar.gz',
      uploads: [{ key: 'models/tiny.tar.gz', size: 7 }],
    });
    expect(() => planDrop({ kind: 'artifact', name: 'model.zip', size: 1, file: 'f' })).toThrow(DropError);
    expect(() => planDrop({ kind: 'folder', name: 'empty', files: [file('optimization.json')] })).toThrow(
      /no files/,
    );
  });
});
