/**
 * A live view on stderr: redrawn in place on a terminal (log-update); elsewhere each line that
 * differs from the previous frame is printed once, so logs get one line per change.
 */
import { createLogUpdate } from 'log-update';
import type { Output } from './output';

export interface LiveView {
  show(lines: string[]): void;
  /** Leaves the last frame on screen. */
  done(): void;
}

/** The live view for an output; silent with --json unless stderr is a terminal. */
export function liveView(out: Output): LiveView {
  if (out.errTty) {
    const log = createLogUpdate(out.stderr);
    return {
      show: (lines) => log(lines.join('\n')),
      done: () => log.done(),
    };
  }
  if (out.json) return { show() {}, done() {} };
  let previous = new Set<string>();
  return {
    show(lines) {
      for (const line of lines) if (!previous.has(line)) out.note(line);
      previous = new Set(lines);
    },
    done() {},
  };
}
