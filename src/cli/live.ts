/**
 * A live view on stderr: redrawn in place on a terminal (log-update); elsewhere a line is
 * printed when its identity (what it says, less ticking counters) differs from every line of
 * the previous frame, so logs get one line per change.
 */
import { createLogUpdate } from 'log-update';
import type { Output } from './output';

/** A block of lines that a command keeps up to date. */
export interface LiveView {
  /** `identities[i]` stands for `lines[i]` when deciding what changed; default the line itself. */
  show(lines: string[], identities?: string[]): void;
  /** Leaves the last frame on screen. */
  done(): void;
  /** Removes the last frame from a terminal (the result printed next replaces it). */
  clear(): void;
}

/** The live view for an output; silent with --json unless stderr is a terminal. */
export function liveView(out: Output): LiveView {
  if (out.errTty) {
    const log = createLogUpdate(out.stderr);
    return {
      show: (lines) => log(lines.join('\n')),
      done: () => log.done(),
      clear: () => log.clear(),
    };
  }
  if (out.json) return { show() {}, done() {}, clear() {} };
  let previous = new Set<string>();
  return {
    show(lines, identities = lines) {
      lines.forEach((line, i) => {
        if (!previous.has(identities[i] ?? line)) out.note(line);
      });
      previous = new Set(identities);
    },
    done() {},
    clear() {},
  };
}
