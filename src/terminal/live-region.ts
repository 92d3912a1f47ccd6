/**
 * The one renderer of every live view: the `npm start` timeline, `model-opt watch` and the
 * `model-opt drop` progress bar. On a terminal it keeps a block of lines redrawn in place at
 * the bottom of the output; anything else that is written meanwhile (a list, a log line, a
 * warning) is printed above that block, which is then redrawn. Without a terminal it prints
 * plain lines and draws nothing.
 *
 * Why log-update under it, and not ink or listr2 (figures in docs/local.md, "Why log-update
 * under the renderer"): the views are a few lines of text, not a component tree (ink: React and
 * yoga, 37 packages, ~2.7x the import time, 1.66x the bytes per redraw) or a task list
 * (listr2). log-update redraws only the lines that changed, inside synchronized output, and
 * clears its block for text to be written above it; it was already a dependency. What it
 * leaves to its caller is here: rows cut to the terminal width, a block shorter than the
 * screen, the other writers taken over, and the erase after a resize.
 */
import ansiEscapes from 'ansi-escapes';
import { createLogUpdate } from 'log-update';
import { captureWrites } from './capture-writes';
import { displayWidth, truncateLine } from './text-width';

/** A stream as `process.stdout` is one: a terminal has a size and emits `resize` (SIGWINCH). */
export interface TerminalStream extends NodeJS.WritableStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

/** The lines of a live view for a terminal `columns` wide. */
export type Frame = (columns: number) => string[];

/** A block of lines kept up to date at the bottom of the terminal. */
export interface LiveRegion {
  /** Whether it redraws in place (its stream is a terminal). */
  readonly live: boolean;
  /** The width rows are cut to. */
  columns(): number;
  /** Shows `frame` (called again on every redraw, so it may depend on the width). Nothing without a terminal. */
  show(frame: string[] | Frame): void;
  /** Prints `text` above the live block, which is redrawn below it; a plain line without a terminal. */
  print(text: string): void;
  /** Leaves `lines` (default: the last frame) as ordinary output in place of the block, and ends it. */
  finish(lines?: string[] | Frame): void;
  /** Removes the block from the screen, and ends it. */
  clear(): void;
  /** Draws now what is pending; redraws are otherwise gathered until the current task ends. */
  flush(): void;
}

/** Where a live region draws. */
export interface LiveRegionOptions {
  stream: TerminalStream;
  /** Redraw in place. Default: whether `stream` is a terminal. */
  live?: boolean;
  /**
   * Streams whose writes go through the region while it is live. Default: `stream`,
   * `process.stdout` and `process.stderr`, those of them that are terminals.
   */
  capture?: TerminalStream[];
}

const FALLBACK_COLUMNS = 80;
const FALLBACK_ROWS = 24;

/** Starts a live region on `options.stream`. */
export function createLiveRegion(options: LiveRegionOptions): LiveRegion {
  const { stream } = options;
  const live = options.live ?? Boolean(stream.isTTY);
  const columns = () => stream.columns || FALLBACK_COLUMNS;
  if (!live) {
    const plain = (text: string) => void stream.write(`${text}\n`);
    return { live, columns, show() {}, print: plain, finish() {}, clear() {}, flush() {} };
  }

  // The region's own writes bypass the capture below.
  const write = stream.write;
  const raw = (text: string) => void write.call(stream, text);
  const rows = () => stream.rows || FALLBACK_ROWS;
  const log = createLogUpdate(
    {
      write: (text: string) => {
        raw(text);
        return true;
      },
      isTTY: true,
      get columns() {
        return columns();
      },
      get rows() {
        return rows();
      },
    } as unknown as NodeJS.WritableStream,
    // The cursor is hidden and shown here, on this stream (log-update would use stderr).
    { showCursor: true },
  );

  let frame: Frame = () => [];
  const pending: string[] = [];
  let scheduled = false;
  let ended = false;
  // What is on screen now, and at which width it was drawn.
  let drawn: string[] = [];
  let drawnColumns = columns();

  // Printed text replaces the block and stays; the block is drawn anew below it. Not
  // log-update's persist(), which cuts long lines with hard newlines: a long log line left to
  // the terminal's own wrap copies and pastes as one line, and unwraps when the window widens.
  const persist = (lines: string[]) => {
    log.clear();
    raw(`${lines.join('\n')}\n`);
  };
  const fitToWidth = (f: Frame, width: number) => f(width).map((line) => truncateLine(line, width));
  const draw = () => {
    const width = columns();
    const lines = fitHeight(fitToWidth(frame, width), rows());
    if (lines.length === 0) log.clear();
    else log(lines.join('\n'));
    drawn = lines;
    drawnColumns = width;
  };
  const flush = () => {
    scheduled = false;
    if (ended) return;
    if (pending.length > 0) persist(pending.splice(0));
    draw();
  };
  const schedule = () => {
    if (scheduled || ended) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  // A terminal made narrower re-wraps the lines already on it (xterm.js, tmux, VTE, iTerm2 do),
  // so the block now takes more rows than log-update counted: erase those rows here. A wider
  // one does not unwrap lines that never wrapped, and log-update's own erase is right.
  const onResize = () => {
    const width = columns();
    if (width < drawnColumns && drawn.length > 0) {
      const taken = drawn.reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / width)), 0);
      raw(ansiEscapes.eraseLines(taken + 1));
      log.done();
      drawn = [];
    }
    draw();
  };
  const showCursor = () => raw(ansiEscapes.cursorShow);
  const releaseCapture = captureWrites(
    options.capture ?? [stream, process.stdout, process.stderr].filter((s) => (s as TerminalStream).isTTY),
    (line) => {
      if (ended) raw(`${line}\n`);
      else {
        pending.push(line);
        schedule();
      }
    },
  );
  stream.on('resize', onResize);
  process.on('exit', showCursor);
  raw(ansiEscapes.cursorHide);

  const end = () => {
    releaseCapture();
    ended = true;
    stream.off('resize', onResize);
    process.off('exit', showCursor);
    showCursor();
  };

  return {
    live,
    columns,
    show(next) {
      frame = typeof next === 'function' ? next : () => next;
      schedule();
    },
    print(text) {
      if (ended) raw(`${text}\n`);
      else {
        pending.push(text);
        schedule();
      }
    },
    finish(lines) {
      if (ended) return;
      const final = lines === undefined ? frame : typeof lines === 'function' ? lines : () => lines;
      end();
      const text = [...pending.splice(0), ...fitToWidth(final, columns())];
      if (text.length > 0) persist(text);
      else log.clear();
    },
    clear() {
      if (ended) return;
      end();
      if (pending.length > 0) persist(pending.splice(0));
      else log.clear();
    },
    flush,
  };
}

/** At most one row less than the screen (the cursor's), the last saying how many are left out. */
function fitHeight(lines: string[], rows: number): string[] {
  const max = Math.max(2, rows - 1);
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `… ${lines.length - max + 1} more`];
}
