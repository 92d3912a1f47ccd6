import { setTimeout as sleep } from 'node:timers/promises';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventPublishError } from '../errors';
import { DETAIL_TYPES, EVENT_SOURCE, type EventKind } from './contract';

export interface PublishOptions {
  eventBusName: string;
  /** Attempts for entries EventBridge reports as failed (SDK retries cover throttled calls). */
  attempts?: number;
  /** Delay before the first retry of a failed entry; doubles each time. */
  retryDelayMs?: number;
  /** Resources to attach to the event, e.g. the job ARN. */
  resources?: string[];
}

/**
 * Puts one event on the pipeline bus. PutEvents can succeed as a call yet fail the entry
 * (`FailedEntryCount > 0`): such an entry is retried, then reported as EventPublishError.
 */
export async function publishEvent(
  client: EventBridgeClient,
  kind: EventKind,
  detail: object,
  { eventBusName, attempts = 3, retryDelayMs = 200, resources }: PublishOptions,
): Promise<string> {
  const entry = {
    EventBusName: eventBusName,
    Source: EVENT_SOURCE,
    DetailType: DETAIL_TYPES[kind],
    Detail: JSON.stringify(detail),
    ...(resources && resources.length > 0 && { Resources: resources }),
  };
  let failed: { errorCode?: string; errorMessage?: string }[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(retryDelayMs * 2 ** (attempt - 2));
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    const [outcome] = result.Entries ?? [];
    if (!result.FailedEntryCount && outcome?.EventId) return outcome.EventId;
    failed = [{ errorCode: outcome?.ErrorCode, errorMessage: outcome?.ErrorMessage }];
  }
  throw new EventPublishError(
    `PutEvents failed for "${DETAIL_TYPES[kind]}" after ${attempts} attempts: ${failed[0]?.errorCode ?? 'unknown'} ${failed[0]?.errorMessage ?? ''}`.trim(),
    failed,
  );
}
