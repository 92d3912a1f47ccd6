/**
 * Which of the jobs table's columns fit a width, as the terminal's job table narrows
 * (src/terminal/fit-table.ts): the widest layout that fits, giving columns up in the shared
 * order (src/terminal/job-columns.ts), never a cut badge or header. Pure: the page measures.
 */
import { dropIndexes, type JobColumnId } from '../../../src/terminal/job-columns';

/** A column and the width its widest cell or header needs, in CSS pixels, padding included. */
export interface ColumnNeed {
  id: JobColumnId;
  width: number;
}

/** The columns to show, and the CSS width of each. */
export interface ColumnFit {
  shown: JobColumnId[];
  /**
   * A percentage of the table when the shown columns fit (each gets its need and a share of
   * what is left over, by its need); otherwise pixels, and `''` (the rest) for `cut`.
   */
  widths: Map<JobColumnId, string>;
  /** The column that gets what is left, its text cut, when even the narrowest layout does not fit. */
  cut?: JobColumnId;
}

/**
 * The first of the layouts (all of `needs`, then one column fewer at a time) whose needs add up
 * to no more than `available`; the last when none does, with `cutColumn` taking what is left.
 */
export function fitColumns(needs: ColumnNeed[], available: number, cutColumn: JobColumnId): ColumnFit {
  const layouts = [needs];
  const given = new Set<number>();
  for (const index of dropIndexes(needs.map((n) => n.id))) {
    given.add(index);
    layouts.push(needs.filter((_, i) => !given.has(i)));
  }
  const total = (layout: ColumnNeed[]) => layout.reduce((sum, n) => sum + n.width, 0);
  const fitting = layouts.find((layout) => total(layout) <= available);
  if (fitting) {
    const sum = total(fitting);
    return {
      shown: fitting.map((n) => n.id),
      widths: new Map(fitting.map((n) => [n.id, `${((n.width / sum) * 100).toFixed(3)}%`])),
    };
  }
  const narrowest = layouts.at(-1) ?? needs;
  return {
    shown: narrowest.map((n) => n.id),
    widths: new Map(narrowest.map((n) => [n.id, n.id === cutColumn ? '' : `${Math.ceil(n.width)}px`])),
    cut: cutColumn,
  };
}
