/**
 * Local EventBridge: PutEvents onto named buses, with EventBridge's partial-failure shape,
 * rules taken from the `eventBridge` events functions declare in serverless.yml, matching by
 * the full pattern matcher, delivery to those functions, and every accepted event appended as
 * one JSON line to the events log.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AwsServiceError } from '../protocol/aws-error';
import { CountedFault, RequestFaults } from '../protocol/request-faults';
import { compilePattern } from './pattern-matcher';
import { PutJournal } from './put-journal';

export interface BusRule {
  busName: string;
  name: string;
  pattern: Record<string, unknown>;
  target: (event: EventBridgeEvent) => Promise<unknown>;
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
}

export interface BusFaults {
  /** Entries to report failed with `InternalFailure` (what Step Functions calls FailedEntry). */
  failedEntries: CountedFault;
  /** Whole calls failing with ThrottlingException or 5xx. */
  requests: RequestFaults;
}

export interface LocalBusOptions {
  region: string;
  accountId: string;
  busNames: string[];
  eventsLogPath: string;
  /**
   * Where puts made under a replay key (../replay-key) are journaled, so that one replayed
   * after a restart is answered from the journal instead of being put again. Default: beside
   * the events log, `put-journal.jsonl`.
   */
  putJournalPath?: string;
  rules: BusRule[];
  now: () => Date;
  onEvent?: (event: EventBridgeEvent, busName: string) => void;
  onDelivery?: (info: { rule: string; eventId: string; ok: boolean; error?: unknown }) => void;
}

export interface LocalBus {
  /**
   * Puts the entries. With a `replayKey`, an entry already put under that key is not put
   * again: its first EventId is returned.
   */
  putEvents(
    input: { Entries?: PutEventsEntry[] },
    replayKey?: string,
  ): {
    FailedEntryCount: number;
    Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[];
  };
  faults: BusFaults;
  /** Resolves when every delivery started so far has finished. */
  idle(): Promise<void>;
}

const DETAIL_MAX_BYTES = 256 * 1024;
const DELIVERY_ATTEMPTS = 3;

/** Creates the bus set; rule patterns are validated here, so a bad pattern fails the stack start. */
export function createLocalBus(options: LocalBusOptions): LocalBus {
  const buses = new Set([...options.busNames, 'default']);
  const rules = options.rules.map((rule) => ({ ...rule, matches: compilePattern(rule.pattern) }));
  const faults: BusFaults = {
    failedEntries: new CountedFault(),
    requests: new RequestFaults({ now: () => options.now().getTime() }),
  };
  const pending = new Set<Promise<void>>();
  mkdirSync(dirname(options.eventsLogPath), { recursive: true });
  const journal = new PutJournal(
    options.putJournalPath ?? `${dirname(options.eventsLogPath)}/put-journal.jsonl`,
    options.eventsLogPath,
  );

  const deliver = (rule: (typeof rules)[number], event: EventBridgeEvent) => {
    const attempt = async () => {
      let lastError: unknown;
      for (let i = 0; i < DELIVERY_ATTEMPTS; i++) {
        try {
          await rule.target(event);
          options.onDelivery?.({ rule: rule.name, eventId: event.id, ok: true });
          return;
        } catch (error) {
          lastError = error;
        }
      }
      options.onDelivery?.({ rule: rule.name, eventId: event.id, ok: false, error: lastError });
    };
    const done: Promise<void> = attempt().finally(() => pending.delete(done));
    pending.add(done);
  };

  return {
    faults,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    putEvents(input, replayKey) {
      const entries = input.Entries ?? [];
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
        throw new AwsServiceError(
          'ValidationException',
          `Entries must have 1 to 10 items, got ${Array.isArray(entries) ? entries.length : typeof entries}`,
        );
      }
      faults.requests.check('PutEvents', input);
      const results = entries.map((entry, index) => {
        const putBefore = replayKey === undefined ? undefined : journal.eventId(replayKey, index);
        if (putBefore) return { EventId: putBefore };
        const problem = entryProblem(entry, buses);
        if (problem) return problem;
        const failure = faults.failedEntries.take(entry);
        if (failure) {
          return {
            ErrorCode: failure.code ?? 'InternalFailure',
            ErrorMessage: failure.message ?? 'Injected failure: the entry was not put',
          };
        }
        const busName = busNameOf(entry.EventBusName);
        const event: EventBridgeEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': entry.DetailType as string,
          source: entry.Source as string,
          account: options.accountId,
          time: (eventTime(entry.Time) ?? options.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: options.region,
          resources: entry.Resources ?? [],
          detail: JSON.parse(entry.Detail as string),
        };
        const line = `${JSON.stringify({ ...event, 'event-bus-name': busName })}\n`;
        // Journal first: a kill between the two writes is mended when the journal is next opened.
        if (replayKey !== undefined) journal.record(replayKey, index, event.id, line);
        appendFileSync(options.eventsLogPath, line);
        options.onEvent?.(event, busName);
        for (const rule of rules)
          if (rule.busName === busName && rule.matches(event as unknown as Record<string, unknown>)) {
            deliver(rule, event);
          }
        return { EventId: event.id };
      });
      return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
    },
  };
}

/** An entry's Time (awsJson: epoch seconds; or ISO-8601 text) as a date, if it is a valid one. */
function eventTime(time: string | number | undefined): Date | undefined {
  if (time === undefined) return undefined;
  const date = new Date(typeof time === 'number' ? time * 1000 : time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function busNameOf(value: string | undefined): string {
  if (!value) return 'default';
  return value.includes(':event-bus/')
    ? value.slice(value.indexOf(':event-bus/') + ':event-bus/'.length)
    : value;
}

function entryProblem(
  entry: PutEventsEntry,
  buses: Set<string>,
): { ErrorCode: string; ErrorMessage: string } | undefined {
  const invalid = (message: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });
  if (!entry.Source) return invalid('Parameter Source is not valid. Reason: Source is a required argument.');
  if (!entry.DetailType)
    return invalid('Parameter DetailType is not valid. Reason: DetailType is a required argument.');
  if (!entry.Detail) return invalid('Parameter Detail is not valid. Reason: Detail is a required argument.');
  if (Buffer.byteLength(entry.Detail) > DETAIL_MAX_BYTES)
    return invalid('Total size of the entries in the request is over the limit.');
  try {
    const detail = JSON.parse(entry.Detail);
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return invalid('Detail is malformed: it must be a JSON object.');
    }
    // The event is written out again (events log, deliveries): a Detail nested too deep for
    // that is refused here rather than failing there.
    JSON.stringify(detail);
  } catch {
    return invalid('Detail is malformed.');
  }
  if (entry.Time !== undefined && eventTime(entry.Time) === undefined)
    return invalid('Parameter Time is not valid. Reason: not a timestamp.');
  const bus = busNameOf(entry.EventBusName);
  if (!buses.has(bus))
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  return undefined;
}
