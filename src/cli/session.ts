import { type Discovery, discover } from '../client/discover';
import {
  type Clients,
  createClients,
  resolveTarget,
  type Target,
  type TargetOptions,
} from '../client/target';
import { type Now, targetClock } from '../client/target-clock';
import type { Output } from './output';

/** The options every command takes (commander's `optsWithGlobals()`). */
export interface GlobalOptions extends TargetOptions {
  json?: boolean;
}

/** What a command works with: the target, its clients, resource discovery and the target's clock. */
export interface Session {
  target: Target;
  clients: Clients;
  discovery: Discovery;
  now: Now;
  out: Output;
  close(): void;
}

/** Resolves the target and connects. On the local stack this fails fast when nothing listens. */
export async function openSession(
  globals: GlobalOptions,
  out: Output,
  options: { bucket?: string } = {},
): Promise<Session> {
  const target = resolveTarget(globals);
  const now = await targetClock(target);
  const clients = createClients(target);
  return {
    target,
    clients,
    discovery: discover(clients, target, options.bucket),
    now,
    out,
    close() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
