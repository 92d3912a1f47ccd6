/**
 * The `npm start` timeline as a terminal shows it: the bytes it writes go into a terminal
 * emulator (@xterm/headless) and the assertions read the screen. The activity is what a run of
 * the four examples produces, with the examples list, a burst of function log lines on stdout
 * and stderr, a resize and a Ctrl-C in between, on a scripted clock (no wall-clock time).
 */
import { Console } from 'node:console';
import { afterEach, describe, expect, it } from 'vitest';
import { ActivityLog } from '../../local/diagnostics/activity';
import { startTimeline } from '../../local/diagnostics/timeline';
import { logicalLines, type ScreenRow, type VirtualTerminal, virtualTerminal } from '../support/terminal';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const BANNER = [
  'model-optimization-pipeline local stack (stage local, clock ×60)',
  '',
  '  endpoint  http://127.0.0.1:4566',
  '  bucket    model-optimization-pipeline-local-models-000000000000-us-east-1',
];
const DROPS = [
  { key: 'models/tiny-llm.tar.gz', job: 'tiny-llm-7cb0f0bda2', end: 'COMPLETED' },
  { key: 'models/tiny-llm-folder/optimization.json', job: 'tiny-llm-folder-640a991019', end: 'COMPLETED' },
  {
    key: 'models/tiny-llm-bad-manifest/optimization.json',
    job: 'tiny-llm-bad-manifest-09b5a8ef82',
    end: 'REJECTED',
  },
  { key: 'models/broken-model/optimization.json', job: 'broken-model-392f3c83c5', end: 'FAILED' },
] as const;
const EXAMPLES = [
  'Dropped 4 examples:',
  '  tiny-llm.tar.gz         tiny-llm-7cb0f0bda2               expect Completed',
  '  tiny-llm-folder/        tiny-llm-folder-640a991019        expect Completed',
  '  tiny-llm-bad-manifest/  tiny-llm-bad-manifest-09b5a8ef82  expect Rejected',
  '  broken-model/           broken-model-392f3c83c5           expect Failed',
];
const LOG_LINES = Array.from(
  { length: 40 },
  (_, i) => `{"level":"ERROR","message":"burst line ${i}","service":"model-optimization-pipeline"}`,
);

/** The run of the examples, step by step; `at` is simulated seconds after T0. */
async function script(
  activity: ActivityLog,
  clock: { at: number },
  hooks: { afterDrops(): void; midway(): Promise<void> },
): Promise<void> {
  const at = (seconds: number) => {
    clock.at = T0 + seconds * 1000;
    return clock.at;
  };
  const event = (seconds: number, detailType: string, d: (typeof DROPS)[number]) =>
    activity.emit({ kind: 'event', at: at(seconds), detailType, key: d.key, jobName: d.job, detail: {} });
  for (const [i, d] of DROPS.entries()) {
    activity.emit({ kind: 'object-created', at: at(i * 5), bucket: 'b', key: d.key, notified: true });
  }
  hooks.afterDrops();
  event(25, 'Model Upload Rejected', DROPS[2]);
  for (const [i, d] of DROPS.entries()) {
    if (d.end === 'REJECTED') continue;
    activity.emit({ kind: 'job-status', at: at(30 + i), jobName: d.job, status: 'STARTING' });
    event(31 + i, 'Model Optimization Started', d);
    activity.emit({ kind: 'execution', at: at(32 + i), name: d.job, status: 'RUNNING' });
  }
  // Ten simulated minutes of polling, a redraw each.
  for (let minute = 1; minute <= 10; minute++) {
    for (const d of DROPS) {
      if (d.end === 'REJECTED') continue;
      activity.emit({
        kind: 'invocation',
        at: at(60 * minute + 35),
        functionKey: 'checkOptimizationJob',
        ok: true,
      });
      if (minute === 1)
        activity.emit({ kind: 'job-status', at: at(95), jobName: d.job, status: 'INPROGRESS' });
    }
    if (minute === 5) await hooks.midway();
  }
  activity.emit({
    kind: 'job-status',
    at: at(400),
    jobName: DROPS[3].job,
    status: 'FAILED',
    failureReason: 'ClientError: no config.json',
  });
  event(401, 'Model Optimization Failed', DROPS[3]);
  for (const d of DROPS.slice(0, 2)) {
    activity.emit({ kind: 'job-status', at: at(720), jobName: d.job, status: 'COMPLETED' });
    event(722, 'Model Optimization Completed', d);
  }
}

/** The logical lines that the terminal had to wrap. */
function wrappedLines(rows: ScreenRow[]): string[] {
  const starts = rows.flatMap((row, i) => (rows[i + 1]?.wrapped && !row.wrapped ? [i] : []));
  return starts.map((start) => {
    let line = rows[start]?.text ?? '';
    for (let i = start + 1; rows[i]?.wrapped; i++) line += rows[i]?.text ?? '';
    return line.trimEnd();
  });
}

/** Rows of the drop table: a job name followed by a status. */
const tableRowsOf = (lines: string[], job: string) =>
  lines.filter((line) =>
    new RegExp(`${job}\\s+(DROPPED|STARTING|INPROGRESS|COMPLETED|FAILED|REJECTED)\\b`).test(line),
  );

const count = (lines: string[], line: string) => lines.filter((l) => l === line).length;

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

/** Runs the examples' timeline on a `columns` × `rows` terminal; `midway` runs at minute five. */
async function run(
  columns: number,
  rows: number,
  midway: (term: VirtualTerminal) => Promise<void> | void = () => {},
): Promise<VirtualTerminal> {
  const term = virtualTerminal(columns, rows);
  restore = term.becomeProcessStreams();
  // A function's logger writes to the process streams as Powertools does outside POWERTOOLS_DEV.
  const functionConsole = new Console({ stdout: process.stdout, stderr: process.stderr });
  process.stdout.write(`${BANNER.join('\n')}\n\n`);
  const clock = { at: T0 };
  const activity = new ActivityLog();
  const timeline = startTimeline(activity, { tty: true, now: () => clock.at, refreshMs: 0 });
  await script(activity, clock, {
    // What main.ts printed while the table was live, and a burst of function logs.
    afterDrops: () => {
      process.stdout.write(`${EXAMPLES.join('\n')}\n`);
      for (const [i, line] of LOG_LINES.entries()) {
        if (i % 2) functionConsole.error(line);
        else functionConsole.log(line);
      }
    },
    midway: async () => {
      await term.settle();
      // Mid-run too, each drop has one row, never one for its key and one for its job.
      const shown = logicalLines(term.rows());
      for (const d of DROPS) expect(tableRowsOf(shown, d.job), d.job).toHaveLength(1);
      expect(shown.filter((line) => /\bDROPPED\b/.test(line))).toEqual([]);
      await midway(term);
    },
  });
  await term.settle();
  timeline.stop();
  await term.settle();
  return term;
}

const FINAL_160 = [
  'DROP                                            JOB                               STATUS     ELAPSED  LAST EVENT',
  'models/tiny-llm.tar.gz                          tiny-llm-7cb0f0bda2               COMPLETED  12m02s   Model Optimization Completed',
  'models/tiny-llm-folder/optimization.json        tiny-llm-folder-640a991019        COMPLETED  11m57s   Model Optimization Completed',
  'models/tiny-llm-bad-manifest/optimization.json  tiny-llm-bad-manifest-09b5a8ef82  REJECTED   0m15s    Model Upload Rejected',
  'models/broken-model/optimization.json           broken-model-392f3c83c5           FAILED     6m26s    Model Optimization Failed',
];

const FINAL_80 = [
  'JOB (OR DROP)                     STATUS     ELAPSED  LAST EVENT',
  'tiny-llm-7cb0f0bda2               COMPLETED  12m02s   Completed',
  'tiny-llm-folder-640a991019        COMPLETED  11m57s   Completed',
  'tiny-llm-bad-manifest-09b5a8ef82  REJECTED   0m15s    Rejected',
  'broken-model-392f3c83c5           FAILED     6m26s    Failed',
];

/** What every screen of the timeline must show, whatever its size. */
function expectCleanScreen(term: VirtualTerminal, columns: number, finalTable: string[]) {
  const rows = term.rows();
  const lines = logicalLines(rows);
  // No row wider than the terminal; only a printed line longer than it (a log line) wraps.
  expect(rows.filter((r) => r.text.length > columns)).toEqual([]);
  expect(wrappedLines(rows).filter((line) => !LOG_LINES.includes(line))).toEqual([]);
  // The banner, the examples list and every log line are intact, each once.
  for (const line of [...BANNER.filter(Boolean), ...EXAMPLES, ...LOG_LINES])
    expect(count(lines, line), line).toBe(1);
  // Each drop appears exactly once in the table.
  for (const d of DROPS) expect(tableRowsOf(lines, d.job), d.job).toHaveLength(1);
  // The final screen ends with the final table.
  expect(term.screen().filter(Boolean).slice(-finalTable.length)).toEqual(finalTable);
}

describe('the npm start timeline on a terminal', () => {
  it('redraws in place at 160x45: each drop once, the examples and the log burst intact above the final table', async () => {
    const term = await run(160, 45);
    expectCleanScreen(term, 160, FINAL_160);
  });

  it('fits 80x24: shorter names, no DROP column, no wrapped row', async () => {
    const term = await run(80, 24);
    expectCleanScreen(term, 80, FINAL_80);
  });

  it('redraws at the new width when the terminal shrinks from 160x45 to 80x24 mid-run', async () => {
    const term = await run(160, 45, (t) => t.resize(80, 24));
    const lines = logicalLines(term.rows());
    for (const d of DROPS) expect(tableRowsOf(lines, d.job), d.job).toHaveLength(1);
    const screen = term.screen().filter(Boolean);
    expect(screen.slice(-FINAL_80.length)).toEqual(FINAL_80);
    // The table drawn after the resize fits it; the banner printed before it was re-wrapped.
    const table = term.rows().slice(-FINAL_80.length);
    expect(table.filter((r) => r.wrapped || r.text.length > 80)).toEqual([]);
    expect(count(lines, BANNER[3] ?? '')).toBe(1);
    for (const line of [...EXAMPLES, ...LOG_LINES]) expect(count(lines, line), line).toBe(1);
  });

  it('leaves the table as it stood and what follows it on Ctrl-C mid-run', async () => {
    const term = virtualTerminal(160, 45);
    restore = term.becomeProcessStreams();
    const clock = { at: T0 };
    const activity = new ActivityLog();
    const timeline = startTimeline(activity, { tty: true, now: () => clock.at, refreshMs: 0 });
    for (const [i, d] of DROPS.entries()) {
      clock.at = T0 + i * 1000;
      activity.emit({ kind: 'object-created', at: clock.at, bucket: 'b', key: d.key, notified: true });
      activity.emit({
        kind: 'event',
        at: clock.at,
        detailType: 'Model Optimization Started',
        key: d.key,
        jobName: d.job,
        detail: {},
      });
      activity.emit({ kind: 'job-status', at: clock.at, jobName: d.job, status: 'INPROGRESS' });
    }
    process.stdout.write('a log line while the table is live\n');
    await term.settle();
    // What main.ts does on SIGINT: stop the timeline, then say it stops.
    timeline.stop();
    process.stdout.write('\nStopping the local stack…\n');
    await term.settle();
    const lines = logicalLines(term.rows());
    for (const d of DROPS) expect(tableRowsOf(lines, d.job), d.job).toHaveLength(1);
    expect(term.screen().filter(Boolean).slice(-7)).toEqual([
      'a log line while the table is live',
      'DROP                                            JOB                               STATUS      ELAPSED  LAST EVENT',
      'models/tiny-llm.tar.gz                          tiny-llm-7cb0f0bda2               INPROGRESS  0m03s    Model Optimization Started',
      'models/tiny-llm-folder/optimization.json        tiny-llm-folder-640a991019        INPROGRESS  0m02s    Model Optimization Started',
      'models/tiny-llm-bad-manifest/optimization.json  tiny-llm-bad-manifest-09b5a8ef82  INPROGRESS  0m01s    Model Optimization Started',
      'models/broken-model/optimization.json           broken-model-392f3c83c5           INPROGRESS  0m00s    Model Optimization Started',
      'Stopping the local stack…',
    ]);
  });
});
