/** Wiring step: the event buses, with a rule per function's EventBridge trigger. */
import { join } from 'node:path';
import { createLocalBus, type LocalBus } from '../eventbridge/bus';
import type { LambdaRuntime } from '../lambda/runtime';
import { LOCAL_ACCOUNT_ID, type Wiring } from './wiring';

export function wireBus(w: Wiring, lambda: LambdaRuntime): { bus: LocalBus; busNames: string[] } {
  const busNames = w.description.eventBuses.map((b) => b.name);
  const bus = createLocalBus({
    region: w.region,
    accountId: LOCAL_ACCOUNT_ID,
    busNames,
    eventsLogPath: join(w.dataDir, 'events.jsonl'),
    putJournalPath: join(w.dataDir, 'eventbridge', 'put-journal.jsonl'),
    now: w.now,
    rules: w.description.functions.flatMap((fn) =>
      fn.eventBridge.map((rule, i) => ({
        busName: rule.busName,
        name: `${fn.key}-${i + 1}`,
        pattern: rule.pattern,
        target: (event: unknown) => lambda.invoke(fn.key, event),
      })),
    ),
    onEvent: (event) => {
      const detail = event.detail as { jobName?: string; model?: { key?: string } };
      w.emit({
        kind: 'event',
        at: w.clock.now(),
        detailType: event['detail-type'],
        jobName: detail?.jobName,
        key: detail?.model?.key,
        detail: event.detail,
      });
    },
    onDelivery: (info) =>
      w.emit({
        kind: 'delivery',
        at: w.clock.now(),
        rule: info.rule,
        ok: info.ok,
        ...(info.error !== undefined && { error: String(info.error) }),
      }),
  });
  return { bus, busNames };
}
