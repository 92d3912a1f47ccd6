/**
 * One definition of the job tables' columns: the terminal's table keeps its headers and the
 * order it narrows in, and the console page gives its columns up in the same order.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { type ColumnNeed, fitColumns } from '../../local/console/page/fit-columns';
import { JOB_TABLE_DROP_ORDER, JOB_TABLE_HEADERS } from '../../src/cli/render';
import { CONSOLE_JOB_COLUMNS, dropIndexes, TERMINAL_JOB_COLUMNS } from '../../src/terminal/job-columns';

describe('the job columns', () => {
  it("give the terminal's table its headers, and TECHNIQUES, CREATED, TRACKING to give up", () => {
    expect(JOB_TABLE_HEADERS).toEqual([
      'JOB',
      'STATUS',
      'DURATION',
      'CREATED',
      'TRACKING',
      'LAST EVENT',
      'TECHNIQUES',
    ]);
    expect(JOB_TABLE_DROP_ORDER).toEqual([6, 3, 4]);
    expect(dropIndexes(TERMINAL_JOB_COLUMNS)).toEqual([6, 3, 4]);
  });

  it('import nothing: the browser page bundles them, and the terminal reads them without the CLI', () => {
    const text = readFileSync(new URL('../../src/terminal/job-columns.ts', import.meta.url), 'utf8');
    expect(ts.preProcessFile(text, true, true).importedFiles).toEqual([]);
  });

  it("give the console's table Drop, then Tracking to give up", () => {
    expect(dropIndexes(CONSOLE_JOB_COLUMNS).map((i) => CONSOLE_JOB_COLUMNS[i])).toEqual(['drop', 'tracking']);
  });
});

describe('fitting the console jobs table', () => {
  // Widths the examples' rows need at the page's font, roughly.
  const need: ColumnNeed[] = [
    { id: 'drop', width: 300 },
    { id: 'job', width: 230 },
    { id: 'status', width: 90 },
    { id: 'tracking', width: 100 },
    { id: 'duration', width: 70 },
    { id: 'lastEvent', width: 160 },
  ];
  const all = 950;

  it('shows every column when they fit, each its share of the width by its need', () => {
    const fit = fitColumns(need, 1200, 'job');
    expect(fit.shown).toEqual(CONSOLE_JOB_COLUMNS);
    expect(fit.cut).toBeUndefined();
    expect(fit.widths.get('drop')).toBe(`${((300 / all) * 100).toFixed(3)}%`);
    const shares = [...fit.widths.values()].map((w) => Number.parseFloat(w));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 2);
  });

  it('gives up Drop, then Tracking, as the width narrows, and fits exactly at the sum', () => {
    expect(fitColumns(need, all, 'job').shown).toEqual(CONSOLE_JOB_COLUMNS);
    expect(fitColumns(need, all - 1, 'job').shown).toEqual([
      'job',
      'status',
      'tracking',
      'duration',
      'lastEvent',
    ]);
    expect(fitColumns(need, all - 300 - 1, 'job').shown).toEqual(['job', 'status', 'duration', 'lastEvent']);
  });

  it('when even the fewest columns do not fit, gives the others their need and the job name what is left', () => {
    const fit = fitColumns(need, 400, 'job');
    expect(fit.shown).toEqual(['job', 'status', 'duration', 'lastEvent']);
    expect(fit.cut).toBe('job');
    expect(Object.fromEntries(fit.widths)).toEqual({
      job: '',
      status: '90px',
      duration: '70px',
      lastEvent: '160px',
    });
  });
});
