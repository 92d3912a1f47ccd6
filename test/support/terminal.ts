/**
 * A terminal in the test: the bytes a live view writes go into @xterm/headless, a real
 * terminal emulator, and the test reads the screen it shows (rows, soft wraps, scrollback)
 * instead of the byte stream.
 */
import { EventEmitter } from 'node:events';
import xterm from '@xterm/headless';

/** A stream that is a terminal of the given size, as `process.stdout` is on one. */
export class TtyStream extends EventEmitter {
  readonly isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
    private readonly sink: (text: string) => void,
  ) {
    super();
  }

  write(chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean {
    this.sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  }
}

/** One row of the terminal's buffer; `wrapped` when the terminal wrapped the row above into it. */
export interface ScreenRow {
  text: string;
  wrapped: boolean;
}

/** The logical lines of `rows`: a row the terminal wrapped is joined to the row it continues. */
export function logicalLines(rows: ScreenRow[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    if (row.wrapped && lines.length > 0) lines[lines.length - 1] += row.text;
    else lines.push(row.text);
  }
  return lines.map((line) => line.trimEnd());
}

/** A headless terminal and two streams (stdout, stderr) that write to it. */
export interface VirtualTerminal {
  stdout: TtyStream;
  stderr: TtyStream;
  /** Waits until the writes of the current task are drawn (live regions redraw at its end). */
  settle(): Promise<void>;
  /** The rows on screen now, right-trimmed. */
  screen(): string[];
  /** Every row, scrollback included, up to the last non-empty one. */
  rows(): ScreenRow[];
  /** What the user does by resizing the window: the terminal re-wraps, then SIGWINCH. */
  resize(columns: number, rows: number): Promise<void>;
  /** Every byte written so far. */
  bytes(): string;
  /**
   * Makes `process.stdout` and `process.stderr` this terminal until the returned function is
   * called, for code that writes to them directly.
   */
  becomeProcessStreams(): () => void;
}

/** A terminal `columns` × `rows`, with room for 1000 rows of scrollback. */
export function virtualTerminal(columns: number, rows: number): VirtualTerminal {
  const term = new xterm.Terminal({ cols: columns, rows, scrollback: 1000, allowProposedApi: true });
  let written = '';
  let drawn: Promise<void> = Promise.resolve();
  const sink = (text: string) => {
    written += text;
    // xterm wants \r\n; a tty's line discipline (onlcr) turns \n into \r\n for programs.
    const data = text.replace(/\r?\n/g, '\r\n');
    drawn = drawn.then(() => new Promise<void>((resolve) => term.write(data, resolve)));
  };
  const stdout = new TtyStream(columns, rows, sink);
  const stderr = new TtyStream(columns, rows, sink);
  const buffer = () => term.buffer.active;
  const settle = async () => {
    // Twice: a redraw scheduled while the first writes were drawn.
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await drawn;
    }
  };
  return {
    stdout,
    stderr,
    settle,
    screen() {
      const b = buffer();
      return Array.from(
        { length: term.rows },
        (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '',
      );
    },
    rows() {
      const b = buffer();
      const all: ScreenRow[] = [];
      for (let y = 0; y < b.length; y++) {
        const line = b.getLine(y);
        all.push({ text: line?.translateToString(true) ?? '', wrapped: line?.isWrapped ?? false });
      }
      while (all.length > 0 && all[all.length - 1]?.text === '') all.pop();
      return all;
    },
    async resize(newColumns, newRows) {
      await settle();
      term.resize(newColumns, newRows);
      for (const stream of [stdout, stderr]) {
        stream.columns = newColumns;
        stream.rows = newRows;
      }
      stdout.emit('resize');
      stderr.emit('resize');
      await settle();
    },
    bytes: () => written,
    becomeProcessStreams() {
      const saved = [process.stdout, process.stderr].map((stream) => {
        const own = ['write', 'isTTY', 'columns', 'rows'].map(
          (key) => [key, Object.getOwnPropertyDescriptor(stream, key)] as const,
        );
        return { stream, own };
      });
      const bind = (stream: NodeJS.WriteStream, tty: TtyStream) => {
        Object.defineProperty(stream, 'write', {
          value: tty.write.bind(tty),
          writable: true,
          configurable: true,
        });
        Object.defineProperty(stream, 'isTTY', { value: true, writable: true, configurable: true });
        Object.defineProperty(stream, 'columns', { get: () => tty.columns, configurable: true });
        Object.defineProperty(stream, 'rows', { get: () => tty.rows, configurable: true });
      };
      bind(process.stdout, stdout);
      bind(process.stderr, stderr);
      const forward = [
        [stdout, () => process.stdout.emit('resize')],
        [stderr, () => process.stderr.emit('resize')],
      ] as const;
      for (const [tty, emit] of forward) tty.on('resize', emit);
      return () => {
        for (const [tty, emit] of forward) tty.off('resize', emit);
        for (const { stream, own } of saved) {
          for (const [key, descriptor] of own) {
            if (descriptor) Object.defineProperty(stream, key, descriptor);
            else delete (stream as unknown as Record<string, unknown>)[key];
          }
        }
      };
    },
  };
}
