/**
 * The local stack's events log (`.local/events.jsonl`, one event per line) as tests, benches
 * and the fault suite read it.
 */
import { existsSync, readFileSync } from 'node:fs';

/** An event as the local bus logged it. */
export interface StoredEvent {
  /** When it was put, to the second (ISO 8601). */
  time: string;
  'event-bus-name': string;
  'detail-type': string;
  source: string;
  detail: Record<string, any>;
  resources: string[];
}

/** The detail-types that end a job. */
export const TERMINAL = [
  'Model Optimization Completed',
  'Model Optimization Failed',
  'Model Optimization Stopped',
];

/**
 * Every event in the log at `path` so far; none while the file does not exist. The stack may be
 * appending as this reads, and a reader can see part of a write (one that crosses a page), so a
 * last line without its newline is not yet an event and is left for the next read.
 */
export function readEventsLog(path: string): StoredEvent[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop();
  return lines.filter(Boolean).map((line) => JSON.parse(line) as StoredEvent);
}

/** Events of one job, by detail-type. */
export function eventsOf(events: StoredEvent[], jobName: string): string[] {
  return events.filter((e) => e.detail.jobName === jobName).map((e) => e['detail-type']);
}
