/**
 * Local S3: s3rver, persisted under a directory, behind the edge. The edge hands it every
 * request that is not a JSON-protocol call; this module makes s3rver accept any credentials
 * (it only knows the key `S3RVER`, so the signature is dropped: S3 signatures are not
 * checked locally), decodes aws-chunked streamed uploads, and turns object-created events
 * into real-shaped notifications.
 *
 * s3rver's store is replaced (./hashed-store.ts: any key S3 allows, uploads visible only once
 * whole, every write a new version), requests reach it through ./proxy.ts (keys checked as S3
 * checks them, every stream's end handled), two of its handlers are fixed (./s3rver-fixes.ts),
 * and its object handlers answer and announce version ids (./versioned-handlers.ts).
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { keepIdleConnections } from '../edge/keep-alive';
import type { ErrorSite } from '../internal-errors';
import { HashedStore } from './hashed-store';
import {
  createSequencer,
  matchesFilter,
  type NotificationFilter,
  type S3EventRecord,
  type S3rverRecord,
  toS3EventRecord,
} from './notifications';
import { createS3Proxy, type S3ProxyStats } from './proxy';
import { abortMultipartUpload, applyS3rverFixes } from './s3rver-fixes';
import { applyVersionedHandlers, bucketVersioning } from './versioned-handlers';

export interface BucketNotification {
  bucket: string;
  configurationId: string;
  filter: NotificationFilter;
  /** Receives the notification body, `{"Records":[…]}`, exactly as S3 would send it. */
  deliver: (body: string, record: S3EventRecord) => void;
}

export interface S3ServiceOptions {
  directory: string;
  buckets: string[];
  region: string;
  notifications: BucketNotification[];
  /** The stack's clock, for the notifications' eventTime (the handlers stamp real time). */
  now?: () => Date;
  /** A bug met serving a request (../internal-errors). */
  onInternalError?: (error: unknown, site: ErrorSite) => void;
}

export interface S3Service {
  /** Proxies one edge request to s3rver. Never rejects. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /**
   * An endpoint for in-process clients (any credentials) that skips the edge: the same proxy
   * on a private port.
   */
  internalEndpoint: string;
  /** Requests, clients gone mid-request, and object-created notifications sent. */
  stats(): S3ProxyStats & { notifications: number };
  close(): Promise<void>;
}

/** Errors of a request whose client went away (s3rver's store sees its body end early). */
const CLIENT_GONE = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
]);

/** The part of a Koa context of s3rver's read here. */
interface S3rverContext {
  method?: string;
  path?: string;
  req?: { complete: boolean };
}

/** The part of s3rver (a Koa app) its type definitions leave out. */
interface S3rverApp extends EventEmitter {
  store: HashedStore;
  context: { store: HashedStore };
  /** Koa's own logging of errors, replaced by the `error` listener below. */
  silent: boolean;
  /** Koa's middleware, in order; s3rver's router (@koa/router, which marks it `router`) is last. */
  middleware: Array<{ router?: unknown }>;
}

/** Starts s3rver on a private port and returns the proxy the edge calls. */
export async function startS3Service(options: S3ServiceOptions): Promise<S3Service> {
  applyS3rverFixes();
  applyVersionedHandlers();
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    vhostBuckets: false,
  });
  const app = server as unknown as S3rverApp;
  const store = new HashedStore(options.directory);
  app.store = store;
  app.context.store = store;
  app.silent = true;
  // Ahead of the router, behind s3rver's XML encoding of answers and its error handler.
  const routerAt = app.middleware.findIndex((m) => m.router !== undefined);
  if (routerAt < 0) throw new Error("s3rver's router was not found among its middleware");
  app.middleware.splice(
    routerAt,
    0,
    bucketVersioning as unknown as { router?: unknown },
    abortMultipartUpload as unknown as { router?: unknown },
  );
  app.on('error', (error: Error & { status?: number; code?: string }, ctx?: S3rverContext) => {
    if ((error.status ?? 500) < 500) return;
    // A request whose body did not arrive whole: its client (through the proxy) went away.
    const cutShort =
      ctx?.req?.complete === false || CLIENT_GONE.has(error.code ?? '') || /^HPE_/.test(error.code ?? '');
    if (cutShort) return;
    options.onInternalError?.(error, { method: ctx?.method ?? '?', path: `s3rver ${ctx?.path ?? '?'}` });
  });
  const sequence = createSequencer();
  let notifications = 0;
  // A new version's event stays in the store's outbox until it is delivered here: one a kill
  // cut off is delivered at the next start (below).
  const announce = (record: S3rverRecord) => {
    try {
      notify({ Records: [record] });
      const { versionId } = record.s3.object;
      if (record.eventName.startsWith('ObjectCreated:') && versionId)
        store.eventDelivered(record.s3.bucket.name, versionId);
    } catch (error) {
      // The object is stored; a notification that could not be sent is a bug, not the client's.
      options.onInternalError?.(error, 'S3 notification');
    }
  };
  app.on('event', (event: { Records: S3rverRecord[] }) => {
    for (const record of event.Records) announce(record);
  });
  const notify = (event: { Records: S3rverRecord[] }) => {
    for (const raw of event.Records) {
      if (!raw.eventName.startsWith('ObjectCreated:')) continue;
      for (const target of options.notifications) {
        if (target.bucket !== raw.s3.bucket.name || !matchesFilter(raw.s3.object.key, target.filter))
          continue;
        const record = toS3EventRecord(raw, {
          region: options.region,
          configurationId: target.configurationId,
          sequence,
          ...(options.now && { eventTime: options.now().toISOString() }),
        });
        target.deliver(JSON.stringify({ Records: [record] }), record);
        notifications += 1;
      }
    }
  };
  for (const record of store.pendingEvents()) announce(record);
  const address = await server.run();
  // The edge closes idle clients; behind it, a long upload must not be cut at Node's 300 s.
  // s3rver keeps its server as `httpServer` (lib/s3rver.js), which its types leave out.
  const s3rverServer = (server as unknown as { httpServer: http.Server }).httpServer;
  s3rverServer.requestTimeout = 0;
  keepIdleConnections(s3rverServer);
  const proxy = createS3Proxy(address.port, (error, path) =>
    options.onInternalError?.(error, { path: `S3 proxy ${path}` }),
  );
  const internal = http.createServer((req, res) => {
    // A reset connection is reported on the streams; the proxy takes it from there.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    void proxy.handle(req, res);
  });
  internal.requestTimeout = 0;
  keepIdleConnections(internal);
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  const internalEndpoint = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;

  return {
    internalEndpoint,
    stats: () => ({ ...proxy.stats, notifications }),
    handle: (req, res) => proxy.handle(req, res),
    async close() {
      internal.closeAllConnections();
      await new Promise<void>((resolve) => internal.close(() => resolve()));
      proxy.close();
      await server.close();
    },
  };
}
