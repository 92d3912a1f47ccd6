/**
 * Refuses requests that a web page in the developer's browser could make to the stack: the
 * console and the admin API take no credentials, so the browser's own rules are the only thing
 * between a foreign page and them. Checked in this order:
 *
 * - `Host` on every route, the AWS APIs included: must name the edge itself (a loopback name and
 *   its port), which stops DNS rebinding (a foreign name resolving to 127.0.0.1 makes the page
 *   same-origin with the stack, so it could read S3 objects and API answers, but its requests
 *   still carry that name). The local S3 is addressed by path only, never reading a bucket
 *   from Host (the SDK with `forcePathStyle` and the AWS CLI v1 with `--endpoint-url` both send
 *   the endpoint's own Host), so no `<bucket>.localhost` name is allowed.
 * - `Origin` (sent by browsers on cross-origin requests and on same-origin writes): a foreign one
 *   is refused on every route, the AWS APIs included, which stops CSRF. SDKs and CLIs send none.
 * - `Sec-Fetch-Site` on `/_local/*`: a cross-site subresource request (an `<img>` or `<script>`
 *   pointing here, which sends no Origin) is refused; a navigation to the console is not.
 */
import type http from 'node:http';
import type { EmulatorHttpResponse } from '../protocol/aws-json';

/** Host names that reach a loopback listener. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The `host:port` values a request to the edge at `endpoint` may carry. */
export function allowedHosts(endpoint: string): Set<string> {
  const url = new URL(endpoint);
  const port = url.port || '80';
  const names = LOOPBACK_HOSTS.has(url.hostname) ? [...LOOPBACK_NAMES, url.hostname] : [url.hostname];
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

/**
 * A guard for the edge at `endpoint()` (read per request: the port is known once it listens).
 * Returns the refusal to send, or undefined to let the request through.
 */
export function requestGuard(
  endpoint: () => string,
): (req: http.IncomingMessage, path: string) => EmulatorHttpResponse | undefined {
  let cached: { endpoint: string; hosts: Set<string> } | undefined;
  const hosts = () => {
    const current = endpoint();
    if (cached?.endpoint !== current) cached = { endpoint: current, hosts: allowedHosts(current) };
    return cached.hosts;
  };
  return (req, path) => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts().has(withPort(host))) {
      return refusal(
        `Host ${host || '(none)'} is not this stack's; address it as ${[...hosts()].join(', ')} (other names for this address are refused: DNS rebinding)`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !isOwnOrigin(origin, hosts())) {
      return refusal(
        `Origin ${origin} is not this stack's; the local stack takes requests from its own pages only`,
      );
    }
    if (!path.startsWith('/_local/')) return undefined;
    const site = req.headers['sec-fetch-site'];
    if ((site === 'cross-site' || site === 'same-site') && req.headers['sec-fetch-mode'] !== 'navigate') {
      return refusal(`a ${site} request from another page is refused`);
    }
    return undefined;
  };
}

function isOwnOrigin(origin: string, hosts: Set<string>): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && hosts.has(`${url.hostname}:${url.port || '80'}`.toLowerCase());
  } catch {
    // `null` (a sandboxed frame, a file: page) and anything unparsable.
    return false;
  }
}

/** A Host without a port names port 80 (HTTP leaves the default port out). */
function withPort(host: string): string {
  return host === '' || /:\d+$/.test(host) ? host : `${host}:80`;
}

function refusal(message: string): EmulatorHttpResponse {
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: `Forbidden: ${message}` }),
  };
}
