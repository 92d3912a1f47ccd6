/**
 * The jobs table's columns in the page: its header from the shared definition
 * (src/terminal/job-columns.ts), and the fit: every column's widest text measured, then as many
 * columns as fit the table's box (fit-columns.ts), each at least as wide as its text.
 */
import { CONSOLE_JOB_COLUMNS, JOB_COLUMN_LABELS, type JobColumnId } from '../../../src/terminal/job-columns';
import { h } from './dom';
import { fitColumns } from './fit-columns';

/** Subpixel text widths round differently between measuring and laying out: a pixel to spare. */
const SLACK_PX = 1;

/** The header row's cells, one per column of the console's jobs table. */
export function headerCells(): HTMLTableCellElement[] {
  return CONSOLE_JOB_COLUMNS.map((id) => h('th', { 'data-column': id, scope: 'col' }, JOB_COLUMN_LABELS[id]));
}

/**
 * Shows the columns of `table` that fit its box, giving up the others in the shared order; when
 * even the narrowest set does not fit, the job column takes what is left and cuts its names
 * (each cell's title has the whole name).
 */
export function fitJobsTable(table: HTMLTableElement, box: HTMLElement, cols: HTMLElement): void {
  const cells = [...table.querySelectorAll<HTMLElement>('[data-column]')];
  for (const cell of cells) cell.hidden = false;
  const needs = CONSOLE_JOB_COLUMNS.map((id) => ({
    id,
    width: Math.max(0, ...cells.filter((c) => c.dataset.column === id).map(naturalWidth)) + SLACK_PX,
  }));
  const fit = fitColumns(needs, contentWidth(box), 'job');
  const shown = new Set<JobColumnId>(fit.shown);
  for (const cell of cells) cell.hidden = !shown.has(cell.dataset.column as JobColumnId);
  cols.replaceChildren(
    ...fit.shown.map((id) => {
      const col = h('col', { 'data-column': id });
      col.style.width = fit.widths.get(id) ?? '';
      return col;
    }),
  );
  table.dataset.shown = fit.shown.join(' ');
  table.classList.toggle('cut', fit.cut !== undefined);
}

/** The width a cell's content takes on one line, its padding and borders included. */
function naturalWidth(cell: HTMLElement): number {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const style = getComputedStyle(cell);
  const sides = ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth'] as const;
  return range.getBoundingClientRect().width + sides.reduce((sum, side) => sum + parseFloat(style[side]), 0);
}

function contentWidth(element: HTMLElement): number {
  const style = getComputedStyle(element);
  return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}
