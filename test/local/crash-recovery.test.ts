/**
 * The two halves of crash recovery, each on its own and deterministic (the repeated-crash suite
 * in test/clients kills a real stack at random moments): the runner records entries and Task
 * results and resumes from them, and the bus answers a replayed put from its journal.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalBus } from '../../local/eventbridge/bus';
import { taskReplayKey } from '../../local/protocol/replay-key';
import { runExecution } from '../../local/stepfunctions';
import { virtualClock } from '../../local/time/clock';

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:recovery-test:run-1';

const twoTasks = {
  StartAt: 'First',
  States: {
    First: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'put', Payload: { step: 1 } },
      ResultPath: '$.first',
      Next: 'Second',
    },
    Second: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'put', Payload: { step: 2 } },
      ResultPath: '$.second',
      End: true,
    },
  },
};

/** A Lambda that counts its calls and reports the replay key each ran under. */
function putter() {
  const keys: (string | undefined)[] = [];
  const fn = async () => {
    keys.push(taskReplayKey.getStore());
    return { put: keys.length };
  };
  return { keys, fn };
}

describe('the runner, for crash recovery', () => {
  it('numbers each entry, records it before its Task, and records the Task result before moving on', async () => {
    const { fn, keys } = putter();
    const log: string[] = [];

    await runExecution({
      definition: twoTasks,
      input: {},
      context: { executionArn: EXECUTION_ARN },
      lambdas: {
        put: async () => {
          log.push(`call ${taskReplayKey.getStore()}`);
          return fn();
        },
      },
      clock: virtualClock(),
      onStateEntered: (state, _at, _input, entry) => log.push(`entered ${state} #${entry}`),
      onTaskSucceeded: (state, entry) => log.push(`succeeded ${state} #${entry}`),
    });

    expect(log).toEqual([
      'entered First #1',
      `call ${EXECUTION_ARN}#1`,
      'succeeded First #1',
      'entered Second #2',
      `call ${EXECUTION_ARN}#2`,
      'succeeded Second #2',
    ]);
    expect(keys).toEqual([`${EXECUTION_ARN}#1`, `${EXECUTION_ARN}#2`]);
  });

  it('resumes at an entry whose Task had succeeded without calling it again', async () => {
    const { fn, keys } = putter();

    const report = await runExecution({
      definition: twoTasks,
      input: {},
      context: { executionArn: EXECUTION_ARN },
      lambdas: { put: fn },
      clock: virtualClock(),
      resumeAt: {
        state: 'First',
        input: {},
        entry: 1,
        completed: { result: { Payload: { put: 'recorded' } } },
      },
    });

    expect(report.status).toBe('SUCCEEDED');
    expect(report.output).toMatchObject({
      first: { Payload: { put: 'recorded' } },
      second: { Payload: { put: 1 } },
    });
    expect(keys).toEqual([`${EXECUTION_ARN}#2`]);
  });

  it('calls a Task that was under way again, with the replay key it had', async () => {
    const { fn, keys } = putter();

    await runExecution({
      definition: twoTasks,
      input: {},
      context: { executionArn: EXECUTION_ARN },
      lambdas: { put: fn },
      clock: virtualClock(),
      resumeAt: { state: 'Second', input: { first: {} }, entry: 2 },
    });

    expect(keys).toEqual([`${EXECUTION_ARN}#2`]);
  });
});

describe('the local bus, for crash recovery', () => {
  const entry = { Source: 'test', DetailType: 'Thing Happened', Detail: '{"n":1}', EventBusName: 'default' };
  const open = (dir: string) =>
    createLocalBus({
      region: 'us-east-1',
      accountId: '000000000000',
      busNames: [],
      eventsLogPath: join(dir, 'events.jsonl'),
      putJournalPath: join(dir, 'eventbridge', 'put-journal.jsonl'),
      rules: [],
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
  const logged = (dir: string) => readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);

  it('answers a put replayed under the same key with the first EventId, in the same process and after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mop-bus-'));
    const first = open(dir).putEvents({ Entries: [entry] }, 'exec#3');

    const again = open(dir).putEvents({ Entries: [entry] }, 'exec#3');
    const other = open(dir).putEvents({ Entries: [entry] }, 'exec#4');
    const unkeyed = open(dir).putEvents({ Entries: [entry] });

    expect(again.Entries).toEqual(first.Entries);
    expect(other.Entries).not.toEqual(first.Entries);
    expect(unkeyed.Entries).not.toEqual(first.Entries);
    expect(logged(dir)).toHaveLength(3);
  });

  it('does not record a failed entry: the retry of the same put is put', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mop-bus-'));
    const bus = open(dir);
    bus.faults.failedEntries.set({ count: 1 });

    const failed = bus.putEvents({ Entries: [entry] }, 'exec#5');
    const retried = bus.putEvents({ Entries: [entry] }, 'exec#5');

    expect(failed.FailedEntryCount).toBe(1);
    expect(retried.FailedEntryCount).toBe(0);
    expect(logged(dir)).toHaveLength(1);
  });

  it('mends a kill between the journal and the events log: the journaled event is logged once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mop-bus-'));
    open(dir).putEvents({ Entries: [entry] }, 'exec#6');
    // As if killed after the journal's append and before the log's: the log lacks the event.
    const [line] = logged(dir);
    const journaled = {
      key: 'exec#7',
      index: 0,
      eventId: 'e-7',
      line: `${line?.replace(/"id":"[^"]+"/, '"id":"e-7"')}\n`,
    };
    appendFileSync(join(dir, 'eventbridge', 'put-journal.jsonl'), `${JSON.stringify(journaled)}\n`);

    const bus = open(dir);
    const replayed = bus.putEvents({ Entries: [entry] }, 'exec#7');
    open(dir);

    expect(replayed.Entries).toEqual([{ EventId: 'e-7' }]);
    expect(logged(dir).filter((l) => l.includes('"id":"e-7"'))).toHaveLength(1);
  });

  it('cuts a line a kill tore off the log and the journal, so later events are whole lines', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mop-bus-'));
    open(dir).putEvents({ Entries: [entry] }, 'exec#8');
    const [line] = logged(dir);
    // As if killed mid-append: half a line at the end of each file.
    appendFileSync(join(dir, 'events.jsonl'), line?.slice(0, 40) ?? '');
    appendFileSync(join(dir, 'eventbridge', 'put-journal.jsonl'), '{"key":"exec#9","ind');

    const bus = open(dir);
    bus.putEvents({ Entries: [entry] }, 'exec#9');
    bus.putEvents({ Entries: [entry] });

    const lines = logged(dir);
    expect(lines).toHaveLength(3);
    for (const text of lines) expect(() => JSON.parse(text)).not.toThrow();
    const journal = readFileSync(join(dir, 'eventbridge', 'put-journal.jsonl'), 'utf8');
    expect(
      journal
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text).key),
    ).toEqual(['exec#8', 'exec#9']);
  });
});
