/**
 * Local S3: s3rver, persisted under a directory, behind the edge. The edge hands it every
 * request that is not a JSON-protocol call; this module makes s3rver accept any credentials
 * (it only knows the key `S3RVER`, so the signature is dropped: S3 signatures are not
 * checked locally), decodes aws-chunked streamed uploads, and turns object-created events
 * into real-shaped notifications.
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';
import { AwsChunkedDecoder, decodedHeaders, isAwsChunked } from './aws-chunked';
import {
  createSequencer,
  matchesFilter,
  type NotificationFilter,
  type S3EventRecord,
  type S3rverRecord,
  toS3EventRecord,
} from './notifications';

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
  /** The stack's clock, for the notifications' eventTime (s3rver stamps real time). */
  now?: () => Date;
}

export interface S3Service {
  /** Proxies one edge request to s3rver. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  /** s3rver's own endpoint, for in-process clients (credentials `S3RVER`/`S3RVER`). */
  internalEndpoint: string;
  close(): Promise<void>;
}

const PRESIGN_QUERY = /^x-amz-(algorithm|credential|signature|date|expires|signedheaders|security-token)$/i;

/** Starts s3rver on a private port and returns the proxy the edge calls. */
export async function startS3Service(options: S3ServiceOptions): Promise<S3Service> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    vhostBuckets: false,
  });
  const sequence = createSequencer();
  // s3rver is a Koa app (an EventEmitter); its type definitions omit that.
  (server as unknown as EventEmitter).on('event', (event: { Records: S3rverRecord[] }) => {
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
      }
    }
  });
  const address = await server.run();
  const internalEndpoint = `http://127.0.0.1:${address.port}`;

  return {
    internalEndpoint,
    handle: (req, res) => proxy(req, res, address.port),
    close: () => server.close(),
  };
}

async function proxy(req: http.IncomingMessage, res: http.ServerResponse, port: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  for (const name of [...url.searchParams.keys()])
    if (PRESIGN_QUERY.test(name)) url.searchParams.delete(name);
  const chunked = isAwsChunked(req.headers);
  const headers = chunked ? decodedHeaders(req.headers) : { ...req.headers };
  delete headers.authorization;
  delete headers['x-amz-security-token'];

  const upstream = http.request({
    host: '127.0.0.1',
    port,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers,
  });
  const responded = new Promise<void>((resolve, reject) => {
    upstream.on('response', (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      pipeline(response, res).then(resolve, reject);
    });
    upstream.on('error', reject);
  });
  if (chunked) await pipeline(req, new AwsChunkedDecoder(), upstream);
  else await pipeline(req, upstream);
  await responded;
}
