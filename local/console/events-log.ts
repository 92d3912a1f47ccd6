/**
 * The bus's events as the console shows them: read from the events log the local bus appends
 * to (`.local/events.jsonl`), only the bytes added since the last read, and filtered with the
 * stack's own EventBridge pattern matcher, so a pattern tried here behaves as a rule would.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { EventBridgeEvent } from '../eventbridge/bus';
import { compilePattern } from '../eventbridge/pattern-matcher';

/** An event as logged: the bus name is added to EventBridge's envelope. */
export type LoggedEvent = EventBridgeEvent & { 'event-bus-name'?: string };

/** Thrown for a pattern that is not JSON or that the matcher refuses; the message says why. */
export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

/** Follows an events log file. */
export class EventsLog {
  private readonly events: LoggedEvent[] = [];
  private offset = 0;
  private partial = '';

  constructor(private readonly path: string) {}

  /** Every event logged so far, oldest first. */
  all(): readonly LoggedEvent[] {
    this.readNew();
    return this.events;
  }

  private readNew(): void {
    if (!existsSync(this.path)) return;
    const size = statSync(this.path).size;
    if (size < this.offset) {
      // Replaced (a reset stack): start over.
      this.events.length = 0;
      this.offset = 0;
      this.partial = '';
    }
    if (size === this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const lines = (this.partial + buffer.toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as LoggedEvent);
  }
}

/** The job an event is about, when it names one. */
export const jobNameOf = (event: LoggedEvent): string | undefined =>
  (event.detail as { jobName?: string } | null)?.jobName;

/** The drop's job name an event of a drop with variants carries (its jobs' events and Settled). */
export const dropJobNameOf = (event: LoggedEvent): string | undefined =>
  (event.detail as { dropJobName?: string } | null)?.dropJobName;

/**
 * Events newest first, of one job when `jobName` is given, matching `patternText` when it is
 * not blank. Throws {@link EventPatternError} with the parser's or the matcher's message.
 */
export function filterEvents(
  events: readonly LoggedEvent[],
  query: { patternText?: string; jobName?: string; limit?: number },
): { events: LoggedEvent[]; total: number } {
  const matches = compileQueryPattern(query.patternText);
  const selected = events.filter(
    (e) =>
      // A drop's job name names no job: it scopes to the drop's variants and its Settled event.
      (query.jobName === undefined || jobNameOf(e) === query.jobName || dropJobNameOf(e) === query.jobName) &&
      matches(e as unknown as Record<string, unknown>),
  );
  return { events: selected.slice(-(query.limit ?? 200)).reverse(), total: selected.length };
}

function compileQueryPattern(text: string | undefined): (event: Record<string, unknown>) => boolean {
  if (!text?.trim()) return () => true;
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (error) {
    throw new EventPatternError(`the pattern is not JSON: ${(error as Error).message}`, { cause: error });
  }
  try {
    return compilePattern(pattern);
  } catch (error) {
    throw new EventPatternError((error as Error).message, { cause: error });
  }
}
