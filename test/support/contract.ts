import { expect } from 'vitest';
import type { PutEvent } from '../../harness/local-aws';
import { DETAIL_TYPES, detailSchemas, EVENT_SOURCE, type EventKind, kindOf } from '../../src/events/contract';

/**
 * Asserts that every event put is valid under the zod contract (source, detail-type and
 * detail) and that the kinds are exactly `kinds`, in order. Returns the details.
 */
export function expectContractEvents(events: PutEvent[], kinds: EventKind[]): any[] {
  for (const event of events) {
    const kind = kindOf(event.detailType);
    expect(kind, `unknown detail-type ${event.detailType}`).toBeDefined();
    expect(event.source).toBe(EVENT_SOURCE);
    const parsed = detailSchemas[kind as EventKind].safeParse(event.detail);
    expect(parsed.error?.issues ?? [], `${event.detailType} detail breaks the contract`).toEqual([]);
  }
  expect(events.map((e) => e.detailType)).toEqual(kinds.map((k) => DETAIL_TYPES[k]));
  return events.map((e) => e.detail);
}
