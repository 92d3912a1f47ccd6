/**
 * How the local stack tells a call replayed after a crash from a new one. Its Step Functions
 * runner runs each Task call inside {@link taskReplayKey} (`<executionArn>#<state entry>`), and
 * its SDK clients send that key in the {@link REPLAY_KEY_HEADER} header. A service that records
 * the key with the effect of a call (the local bus does, for PutEvents) answers a later call with
 * the same key with the recorded result instead of acting again: a resumed execution re-runs the
 * Task it was killed in, and on AWS that Task's side effect would not happen twice.
 *
 * Not an AWS header: only the stack's own runner sends it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The header that carries the replay key. */
export const REPLAY_KEY_HEADER = 'x-local-replay-key';

/** The replay key of the Task call running in this async context, if any. */
export const taskReplayKey = new AsyncLocalStorage<string>();

type Next = (args: { request: unknown }) => Promise<unknown>;

/** The part of an SDK client's middleware stack used here (its full type is generic per client). */
interface BuildStep {
  add(middleware: (next: Next) => Next, options: { step: 'build'; name: string }): void;
}

/** Makes `client` send the current Task's replay key (when there is one) with every request. */
export function sendReplayKey<Client extends { middlewareStack: object }>(client: Client): Client {
  (client.middlewareStack as BuildStep).add(
    (next) => async (args) => {
      const key = taskReplayKey.getStore();
      const request = args.request as { headers?: Record<string, string> };
      if (key && request.headers) request.headers[REPLAY_KEY_HEADER] = key;
      return next(args);
    },
    { step: 'build', name: 'localReplayKey' },
  );
  return client;
}
