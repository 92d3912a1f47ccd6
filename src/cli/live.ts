/**
 * A live view on stderr: redrawn in place on a terminal (the live region of src/terminal/,
 * which also prints whatever else is written meanwhile above it); elsewhere a line is printed
 * when its identity (what it says, less ticking counters) differs from every line of the
 * previous frame, so logs get one line per change.
 */
import { createLiveRegion, type Frame, type TerminalStream } from '../terminal/live-region';
import type { Output } from './output';

/** A block of lines that a command keeps up to date. */
export interface LiveView {
  /**
   * Shows `lines`, or the lines for a terminal so many columns wide. `identities[i]` stands for
   * line `i` when deciding what changed (off a terminal); default the line itself.
   */
  show(lines: string[] | Frame, identities?: string[]): void;
  /** Leaves the last frame on screen. */
  done(): void;
  /** Removes the last frame from a terminal (the result printed next replaces it). */
  clear(): void;
}

/** The streams a live view on `out` takes over: stderr, and those showing on the same terminal. */
export function terminalStreams(out: Output): TerminalStream[] {
  const streams: TerminalStream[] = [out.stderr, out.stdout, process.stdout, process.stderr];
  return streams.filter((s) => s === out.stderr || s.isTTY);
}

/** The live view for an output; silent with --json unless stderr is a terminal. */
export function liveView(out: Output): LiveView {
  if (out.errTty) {
    const region = createLiveRegion({ stream: out.stderr, live: true, capture: terminalStreams(out) });
    return {
      show: (lines) => region.show(lines),
      done: () => region.finish(),
      clear: () => region.clear(),
    };
  }
  if (out.json) return { show() {}, done() {}, clear() {} };
  let previous = new Set<string>();
  return {
    show(frame, identities) {
      const lines = typeof frame === 'function' ? frame(Number.POSITIVE_INFINITY) : frame;
      lines.forEach((line, i) => {
        if (!previous.has(identities?.[i] ?? line)) out.note(line);
      });
      previous = new Set(identities ?? lines);
    },
    done() {},
    clear() {},
  };
}
