/**
 * `model-opt watch` and the `drop` progress bar as a terminal shows them: the bytes go into a
 * terminal emulator (@xterm/headless), the assertions read its screen. Times are scripted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveView } from '../../src/cli/live';
import { createOutput, type Output } from '../../src/cli/output';
import { uploadProgress } from '../../src/cli/progress';
import { JOB_TABLE_DROP_ORDER, JOB_TABLE_HEADERS, jobLine, jobRows, jobTable } from '../../src/cli/render';
import type { DropProgress } from '../../src/client/drop-upload';
import type { JobSummary } from '../../src/client/job-list';
import type { JobView } from '../../src/client/job-view';
import { type ScreenRow, type VirtualTerminal, virtualTerminal } from '../support/terminal';

const outputOn = (term: VirtualTerminal): Output =>
  createOutput({
    json: false,
    stdout: term.stdout as unknown as NodeJS.WriteStream,
    stderr: term.stderr as unknown as NodeJS.WriteStream,
  });

const WARNINGS = Array.from(
  { length: 12 },
  (_, i) => `(node:4242) Warning: a warning written meanwhile, number ${i}`,
);

const texts = (rows: ScreenRow[]) => rows.map((r) => r.text.trimEnd());
const count = (rows: ScreenRow[], line: string) => texts(rows).filter((t) => t === line).length;
const noWideOrWrappedRows = (rows: ScreenRow[], columns: number) =>
  rows.filter((r) => r.wrapped || r.text.length > columns).map((r) => r.text);

/** A job as `watch <job>` sees it, `minute` minutes in. */
function viewAt(minute: number, status = 'INPROGRESS'): JobView {
  return {
    jobName: 'tiny-llm-bad-manifest-but-with-a-long-name-09b5a8ef82',
    status,
    elapsedSeconds: minute * 60,
    lastEvent: 'Model Optimization Started',
  } as JobView;
}

const JOBS: JobSummary[] = [
  'tiny-llm-7cb0f0bda2',
  'tiny-llm-folder-640a991019',
  'broken-model-392f3c83c5',
].map(
  (jobName, i) =>
    ({
      jobName,
      status: 'INPROGRESS',
      durationSeconds: 60 * (i + 1),
      createdAt: `2026-11-29T10:0${i}:00.000Z`,
      tracking: 'RUNNING',
      lastEvent: 'Model Optimization Started',
      techniques: ['quantization', 'compilation'],
    }) as JobSummary,
);

describe('model-opt watch <job> on a terminal', () => {
  for (const [columns, rows] of [
    [160, 45],
    [80, 24],
  ] as const) {
    it(`keeps one live line at ${columns}x${rows} with warnings printed above it, then the verdict`, async () => {
      const term = virtualTerminal(columns, rows);
      const out = outputOn(term);
      const live = liveView(out);
      for (let minute = 0; minute <= 10; minute++) {
        live.show([jobLine(viewAt(minute))]);
        if (minute % 2 === 0) out.stderr.write(`${WARNINGS[minute]}\n`);
        await term.settle();
      }
      live.show([jobLine(viewAt(12, 'COMPLETED'))]);
      // What watch does at the end, and on Ctrl-C: the last line stays, the verdict follows.
      live.done();
      out.line('tiny-llm-bad-manifest-but-with-a-long-name-09b5a8ef82: Completed after 12m 00s');
      await term.settle();

      const all = term.rows();
      expect(noWideOrWrappedRows(all, columns)).toEqual([]);
      for (const warning of WARNINGS.filter((_, i) => i % 2 === 0 && i <= 10))
        expect(count(all, warning)).toBe(1);
      const jobRowsShown = texts(all).filter((t) =>
        t.startsWith('tiny-llm-bad-manifest-but-with-a-long-name'),
      );
      expect(jobRowsShown).toHaveLength(2);
      const lastLine = jobLine(viewAt(12, 'COMPLETED'));
      const expected = lastLine.length > columns ? `${lastLine.slice(0, columns - 1)}…` : lastLine;
      expect(term.screen().filter(Boolean).slice(-2)).toEqual([
        expected,
        'tiny-llm-bad-manifest-but-with-a-long-name-09b5a8ef82: Completed after 12m 00s',
      ]);
    });
  }
});

describe('model-opt watch (recent jobs) on a terminal', () => {
  it('narrows the table when the terminal shrinks from 160x45 to 80x24, each job once, then the result table', async () => {
    const term = virtualTerminal(160, 45);
    const out = outputOn(term);
    const live = liveView(out);
    for (let poll = 0; poll < 6; poll++) {
      live.show((columns) => jobTable(JOBS, columns));
      out.stderr.write(`${WARNINGS[poll]}\n`);
      await term.settle();
      if (poll === 2) await term.resize(80, 24);
    }
    live.clear();
    out.rows(JOB_TABLE_HEADERS, jobRows(JOBS), { dropOrder: JOB_TABLE_DROP_ORDER });
    await term.settle();

    const all = term.rows();
    for (const warning of WARNINGS.slice(0, 6)) expect(count(all, warning)).toBe(1);
    for (const job of JOBS) expect(texts(all).filter((t) => t.startsWith(job.jobName))).toHaveLength(1);
    expect(term.screen().filter(Boolean).slice(-4)).toEqual([
      'JOB                         STATUS      DURATION  TRACKING  LAST EVENT',
      'tiny-llm-7cb0f0bda2         INPROGRESS  1m 00s    RUNNING   Started',
      'tiny-llm-folder-640a991019  INPROGRESS  2m 00s    RUNNING   Started',
      'broken-model-392f3c83c5     INPROGRESS  3m 00s    RUNNING   Started',
    ]);
    expect(noWideOrWrappedRows(all.slice(-4), 80)).toEqual([]);
  });
});

describe('model-opt drop progress on a terminal', () => {
  afterEach(() => vi.restoreAllMocks());

  const MiB = 1024 * 1024;
  const progressAt = (i: number): DropProgress => ({
    key: 'models/tiny-llm-folder/a-rather-long-shard-name-model-00001-of-00002.safetensors',
    loaded: i * MiB,
    total: 10 * MiB,
    dropLoaded: i * MiB,
    dropTotal: 10 * MiB,
  });

  for (const [columns, rows, last] of [
    [
      160,
      45,
      'uploading [██████████████████████████████] 100% | 10.0 MiB/10.0 MiB | 1.0 MiB/s | ETA 0s | a-rather-long-shard-name-model-00001-of-00002.safetensors',
    ],
    [80, 24, 'uploading [███████████████] 100% | 10.0 MiB/10.0 MiB | 1.0 MiB/s | ETA 0s | a-r…'],
  ] as const) {
    it(`draws one bar at ${columns}x${rows} with log lines printed above it`, async () => {
      const term = virtualTerminal(columns, rows);
      const out = outputOn(term);
      let now = 0;
      const progress = uploadProgress(out, () => now);
      for (let i = 1; i <= 10; i++) {
        now = i * 1000;
        progress.update(progressAt(i));
        if (i % 3 === 0) out.note(WARNINGS[i] ?? '');
        await term.settle();
      }
      progress.stop();
      await term.settle();

      const all = term.rows();
      expect(noWideOrWrappedRows(all, columns)).toEqual([]);
      for (const i of [3, 6, 9]) expect(count(all, WARNINGS[i] ?? '')).toBe(1);
      expect(texts(all).filter((t) => t.startsWith('uploading'))).toEqual([last]);
    });
  }

  it('leaves the bar marked interrupted on Ctrl-C and ends the process as SIGINT would', async () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const term = virtualTerminal(160, 45);
    const out = outputOn(term);
    let now = 0;
    const progress = uploadProgress(out, () => now);
    now = 4000;
    progress.update(progressAt(4));
    await term.settle();
    process.emit('SIGINT', 'SIGINT');
    await term.settle();
    expect(texts(term.rows()).filter((t) => /^(uploading|interrupted) /.test(t))).toEqual([
      'interrupted [████████████░░░░░░░░░░░░░░░░░░] 40% | 4.0 MiB/10.0 MiB | 1.0 MiB/s | ETA 6s | a-rather-long-shard-name-model-00001-of-00002.safetensors',
    ]);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGINT');
  });
});
