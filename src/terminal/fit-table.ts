/** A table that fits a terminal: the widest of several layouts that does, never a wrapped row. */
import { displayWidth } from './text-width';

/** One way to lay a table out: its headers and rows. */
export interface TableLayout {
  headers: string[];
  rows: string[][];
}

/**
 * The lines of the first of `layouts` (widest first) whose every line fits in `columns`; the
 * last one when none does (a live region then cuts its rows to the width).
 */
export function fitTable(layouts: TableLayout[], columns: number): string[] {
  let lines: string[] = [];
  for (const layout of layouts) {
    lines = table(layout.headers, layout.rows).split('\n');
    if (lines.every((line) => displayWidth(line) <= columns)) return lines;
  }
  return lines;
}

/** The layouts of a table that gives up its columns one by one, by their indexes in `dropOrder`. */
export function droppingColumns(layout: TableLayout, dropOrder: number[]): TableLayout[] {
  const layouts = [layout];
  const dropped = new Set<number>();
  for (const index of dropOrder) {
    dropped.add(index);
    const keep = (_: string, i: number) => !dropped.has(i);
    layouts.push({ headers: layout.headers.filter(keep), rows: layout.rows.map((row) => row.filter(keep)) });
  }
  return layouts;
}

/** Columns padded to the widest cell, two spaces apart; the last column is not padded. */
function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
