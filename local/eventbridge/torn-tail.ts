/**
 * The bus's append-only JSON-lines files (the events log, the put journal) after a kill. One
 * append is one write, but a write that crosses a page boundary can be cut by SIGKILL between
 * pages, leaving a last line with no newline. The next append would then continue that line,
 * and two events would be lost in one line that does not parse. So a file is mended when it
 * is opened: a torn last line is cut off. Its put was never answered (the append comes before
 * the answer), and a journaled one is logged again from the journal.
 */
import { closeSync, fstatSync, openSync, readSync, truncateSync } from 'node:fs';

/** Cuts a last line that has no newline off the file at `path`; returns the bytes cut. */
export function cutTornTail(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let keep: number;
  let size: number;
  try {
    size = fstatSync(fd).size;
    keep = lastLineEnd(fd, size);
  } finally {
    closeSync(fd);
  }
  if (keep < size) truncateSync(path, keep);
  return size - keep;
}

/** The offset just past the file's last newline (0 if it has none), read from the end. */
function lastLineEnd(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}
