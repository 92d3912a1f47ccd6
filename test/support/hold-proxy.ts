/**
 * A pass-through HTTP proxy in front of a local stack that holds the requests a test names:
 * the client then waits at a known point for as long as the test likes (to interrupt or kill
 * it there), instead of the test racing the client's progress on a busy machine.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which requests to hold (never forwarded); the rest pass through. */
export type HoldRule = (method: string, url: string) => boolean;

export interface HoldProxy {
  url: string;
  /** Holds the requests `rule` names from now on; `undefined` holds none. */
  holdWhen(rule: HoldRule | undefined): void;
  /** Resolves once a request is being held (at once if one is). */
  held(): Promise<void>;
  close(): Promise<void>;
}

export async function startHoldProxy(target: string): Promise<HoldProxy> {
  let rule: HoldRule | undefined;
  const holding = new Set<http.IncomingMessage>();
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (rule?.(req.method ?? 'GET', req.url ?? '/')) {
      holding.add(req);
      req.once('close', () => holding.delete(req));
      for (const wake of waiters.splice(0)) wake();
      return;
    }
    const upstream = http.request(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdWhen(next) {
      rule = next;
    },
    held: () =>
      holding.size > 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(() => resolve())),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
