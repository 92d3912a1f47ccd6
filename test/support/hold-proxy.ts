/**
 * A pass-through HTTP proxy in front of a local stack that holds the requests a test names:
 * the client then waits at a known point for as long as the test likes (to interrupt or kill
 * it there, or to change what it reads), instead of the test racing the client's progress on
 * a busy machine.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which requests to hold; the rest pass through. */
export type HoldRule = (method: string, url: string) => boolean;

export interface HoldProxy {
  url: string;
  /** Holds the requests `rule` names from now on; `undefined` holds none. */
  holdWhen(rule: HoldRule | undefined): void;
  /** Resolves once a request (one `which` names, if given) is being held; at once if one is. */
  held(which?: HoldRule): Promise<void>;
  /** Holds nothing more, and sends on the requests it holds. */
  release(): void;
  close(): Promise<void>;
}

type Exchange = { req: http.IncomingMessage; res: http.ServerResponse };

export async function startHoldProxy(target: string): Promise<HoldProxy> {
  let rule: HoldRule | undefined;
  const holding = new Set<Exchange>();
  const waiters: { which: HoldRule; wake: () => void }[] = [];
  const isHeld = (which: HoldRule) =>
    [...holding].some(({ req }) => which(req.method ?? 'GET', req.url ?? '/'));
  const forward = ({ req, res }: Exchange) => {
    const upstream = http.request(
      `${target}${req.url ?? '/'}`,
      // Named as the upstream, as a reverse proxy does: the stack serves only its own Host.
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (!rule?.(req.method ?? 'GET', req.url ?? '/')) return forward({ req, res });
    const exchange = { req, res };
    holding.add(exchange);
    req.once('close', () => holding.delete(exchange));
    // Only the request just held can newly satisfy a waiter: the others were checked when held.
    for (const waiter of [...waiters]) {
      if (!waiter.which(req.method ?? 'GET', req.url ?? '/')) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.wake();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdWhen(next) {
      rule = next;
    },
    held: (which = () => true) =>
      isHeld(which)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ which, wake: () => resolve() })),
    release() {
      rule = undefined;
      for (const exchange of holding) forward(exchange);
      holding.clear();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
