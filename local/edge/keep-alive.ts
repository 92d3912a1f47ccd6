/**
 * How long the stack's HTTP servers keep an idle connection open. A pooled client socket that
 * the server closes just as the client reuses it fails that request with "socket hang up"
 * (ECONNRESET), and a client that makes one attempt shows it. Node's default of 5 s is shorter
 * than the gaps a test or a CLI leaves between calls, so, as load balancers do (an ALB keeps an
 * idle connection 60 s), the server waits longer than any client keeps a socket idle in practice.
 */
import type { Server } from 'node:http';

/** An idle keep-alive connection is closed after this long (an ALB's 60 s, plus a margin). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Applies {@link KEEP_ALIVE_TIMEOUT_MS} to `server`. Node closes a connection whose next request's
 * headers have not all arrived within `headersTimeout`, which it measures from the connection's
 * idle start: it must be above the keep-alive, or an idle connection would be cut at 60 s.
 */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}
