/** The width of text as a terminal shows it, and cutting a line to a width. */
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';

/** Columns `text` takes on a terminal (colour codes take none, wide characters two). */
export const displayWidth = (text: string): number => stringWidth(text);

/** `line` cut to `columns`, with `…` as its last column when cut; colour codes kept. */
export function truncateLine(line: string, columns: number): string {
  if (columns <= 0) return '';
  if (displayWidth(line) <= columns) return line;
  return `${sliceAnsi(line, 0, columns - 1)}…`;
}
